// codec.hpp - text between an interchange's charset and UTF-8, with release characters.
//
// decoder: raw component bytes -> unescaped UTF-8. ASCII, UTF-8 and ISO 8859-1 are converted
// directly; every other charset goes through iconv. Bytes that cannot be decoded become U+FFFD
// (the scanner has already reported them), so decoding never fails.
// encoder: UTF-8 -> charset bytes with separators released; a character the charset cannot
// represent makes encode() return false and name it.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact::detail {

class iconv_handle {
public:
    iconv_handle() = default;
    iconv_handle(const char* to, const char* from);
    ~iconv_handle();
    iconv_handle(const iconv_handle&) = delete;
    iconv_handle& operator=(const iconv_handle&) = delete;
    iconv_handle(iconv_handle&& o) noexcept : cd_(o.cd_) { o.cd_ = reinterpret_cast<iconv_t>(-1); }
    iconv_handle& operator=(iconv_handle&& o) noexcept;
    bool ok() const noexcept { return cd_ != reinterpret_cast<iconv_t>(-1); }
    /// Convert all of in, appending to out. Returns false at the first unconvertible input and sets bad_at.
    bool convert(std::string_view in, std::string& out, std::size_t* bad_at = nullptr, bool replace = true);

private:
    iconv_t cd_ = reinterpret_cast<iconv_t>(-1);
};

class decoder {
public:
    decoder() = default;
    explicit decoder(charset cs, const delimiters& d);
    /// Remove release characters and convert to UTF-8, appending to out.
    void decode(std::string_view raw, std::string& out);

private:
    charset cs_ = charset::unoa;
    delimiters d_;
    iconv_handle cd_;
    std::string scratch_;
};

class encoder {
public:
    encoder() = default;
    explicit encoder(charset cs, const delimiters& d);
    /// Convert UTF-8 text to the charset and release separators; false (with the offending
    /// character in `bad`) when the charset cannot represent the text.
    bool encode(std::string_view utf8, std::string& out, std::string* bad = nullptr);

private:
    charset cs_ = charset::unoa;
    delimiters d_;
    iconv_handle cd_;
    std::string scratch_;
};

}  // namespace edigate::edifact::detail
