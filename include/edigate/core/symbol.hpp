// symbol.hpp - an interned, immutable string: copying is a pointer copy, equal symbols share text.
//
// For the few strings a tree repeats on every node (XML namespace URIs): a 60-character URI on
// each of ten million elements would otherwise be ten million allocations. The intern table is
// process-wide and bounded (see symbol.cpp); past the bound a symbol owns its text instead, so a
// hostile stream of invented namespaces costs memory per document, never a failure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace edigate::core {

class symbol {
public:
    symbol() noexcept = default;
    symbol(std::string_view s);  // NOLINT: implicit, a symbol is a string
    symbol(const char* s) : symbol(std::string_view(s)) {}
    symbol(const std::string& s) : symbol(std::string_view(s)) {}

    const std::string& str() const noexcept { return text_ ? *text_ : empty_text(); }
    operator std::string_view() const noexcept { return text_ ? std::string_view(*text_) : std::string_view(); }
    bool empty() const noexcept { return !text_; }

    friend bool operator==(const symbol& a, const symbol& b) noexcept { return a.text_ == b.text_ || a.str() == b.str(); }
    friend bool operator==(const symbol& a, std::string_view b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const char* b) noexcept { return std::string_view(a) == b; }
    friend bool operator==(const symbol& a, const std::string& b) noexcept { return std::string_view(a) == b; }

private:
    static const std::string& empty_text() noexcept;

    const std::string* text_ = nullptr;  ///< null: the empty string
    std::shared_ptr<const std::string> own_;  ///< only when the intern table was full
};

}  // namespace edigate::core
