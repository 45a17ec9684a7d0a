// symbol.hpp - an interned, immutable string: copying is a pointer copy, equal symbols share text.
//
// For the few strings a tree repeats on every node (XML namespace URIs): a 60-character URI on
// each of ten million elements would otherwise be ten million allocations. The intern table is
// process-wide and bounded (see symbol.cpp); past the bound a symbol owns its text instead, so a
// hostile stream of invented namespaces costs memory per document, never a failure.
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
    bool empty() const noexcept { return !p_; }

    friend bool operator==(const symbol& a, const symbol& b) noexcept { return a.p_ == b.p_ || a.str() == b.str(); }
    friend bool operator==(const symbol& a, std::string_view b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const char* b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const std::string& b) noexcept { return std::string_view(a) == b; }

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
