// symbol.hpp - an interned, immutable string: copying is a pointer copy, equal symbols share text.
//
// For the strings a tree repeats on every node: element names (UNB, C507, 1004, Consignment) and
// XML namespace URIs. A node carries its name in 8 bytes, copies it without touching the text, and
// two interned names are equal exactly when their addresses are. The intern table is process-wide
// and bounded (see symbol.cpp), with a per-thread cache in front so that naming a node takes no
// lock; past the bound a symbol owns its text instead, so a hostile stream of invented names costs
// memory per document, never a failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace edigate::core {

class symbol {
public:
    symbol() noexcept = default;
    symbol(std::string_view s);  // NOLINT: implicit, a symbol is a string
    symbol(const char* s) : symbol(std::string_view(s)) {}
    symbol(const std::string& s) : symbol(std::string_view(s)) {}
    symbol(const symbol& o) noexcept : p_(o.p_) {
        if (p_ & owned) hold();
    }
    symbol(symbol&& o) noexcept : p_(o.p_) { o.p_ = 0; }
    symbol& operator=(const symbol& o) noexcept {
        if (o.p_ & owned) o.hold();
        if (p_ & owned) drop();
        p_ = o.p_;
        return *this;
    }
    symbol& operator=(symbol&& o) noexcept {
        if (this != &o) {
            if (p_ & owned) drop();
            p_ = o.p_;
            o.p_ = 0;
        }
        return *this;
    }
    ~symbol() {
        if (p_ & owned) drop();
    }

    const std::string& str() const noexcept { return p_ ? *text() : empty_text(); }
    operator std::string_view() const noexcept { return p_ ? std::string_view(*text()) : std::string_view(); }
    std::string_view view() const noexcept { return *this; }
    bool empty() const noexcept { return !p_; }
    std::size_t size() const noexcept { return p_ ? text()->size() : 0; }
    bool starts_with(std::string_view prefix) const noexcept { return view().starts_with(prefix); }
    /// The interned text's address, the same for the life of the process (a key for what is known
    /// of this name); nullptr for the empty symbol and one that owns its text.
    const void* id() const noexcept { return p_ & owned ? nullptr : reinterpret_cast<const void*>(p_); }

    /// Interned texts are unique, so two interned symbols are equal exactly when their addresses
    /// are; only a symbol that owns its text (the table was full) compares the text.
    friend bool operator==(const symbol& a, const symbol& b) noexcept {
        return a.p_ == b.p_ || (((a.p_ | b.p_) & owned) && a.str() == b.str());
    }
    friend bool operator==(const symbol& a, std::string_view b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const char* b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const std::string& b) noexcept { return std::string_view(a) == b; }
    friend std::string operator+(const symbol& a, std::string_view b) { return std::string(a.view()) += b; }
    friend std::string operator+(std::string_view a, const symbol& b) { return std::string(a) += b.view(); }

private:
    static const std::string& empty_text() noexcept;
    const std::string* text() const noexcept { return reinterpret_cast<const std::string*>(p_ & ~owned); }
    void hold() const noexcept;  ///< one more reference to owned text
    void drop() noexcept;        ///< one reference less; the last frees the text

    /// One word, so that a tree node carries its namespace in 8 bytes and copies it without
    /// touching a reference count: the address of the interned text, or (low bit set) of text
    /// this symbol shares by reference count because the intern table was full. 0: empty.
    static constexpr std::uintptr_t owned = 1;
    std::uintptr_t p_ = 0;
};

}  // namespace edigate::core
