// codec.cpp - charset conversion and release-character handling (see detail/codec.hpp).
#include "detail/codec.hpp"

#include <cerrno>

#include "detail/scanner.hpp"

namespace edigate::edifact::detail {

iconv_handle::iconv_handle(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
iconv_handle::~iconv_handle() {
    if (ok()) iconv_close(cd_);
}
iconv_handle& iconv_handle::operator=(iconv_handle&& o) noexcept {
    if (this != &o) {
        if (ok()) iconv_close(cd_);
        cd_ = o.cd_;
        o.cd_ = reinterpret_cast<iconv_t>(-1);
    }
    return *this;
}

bool iconv_handle::convert(std::string_view in, std::string& out, std::size_t* bad_at, bool replace) {
    if (!ok()) return false;
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    char* src = const_cast<char*>(in.data());
    std::size_t left = in.size();
    char buf[512];
    bool clean = true;
    while (left > 0) {
        char* dst = buf;
        std::size_t room = sizeof buf;
        std::size_t rc = iconv(cd_, &src, &left, &dst, &room);
        out.append(buf, static_cast<std::size_t>(dst - buf));
        if (rc != static_cast<std::size_t>(-1)) continue;
        if (errno == E2BIG) continue;
        // EILSEQ or EINVAL: an unconvertible or cut-off sequence
        if (clean && bad_at) *bad_at = static_cast<std::size_t>(src - in.data());
        clean = false;
        if (!replace) return false;
        out += "\xEF\xBF\xBD";
        ++src;
        --left;
    }
    char* dst = buf;
    std::size_t room = sizeof buf;
    iconv(cd_, nullptr, nullptr, &dst, &room);
    out.append(buf, static_cast<std::size_t>(dst - buf));
    return clean;
}

namespace {
bool direct(charset cs) {
    return cs == charset::unoa || cs == charset::unob || cs == charset::iata || cs == charset::iatb ||
           cs == charset::unow || cs == charset::unoy || cs == charset::unoc;
}

void latin1_to_utf8(std::string_view in, std::string& out) {
    for (unsigned char c : in) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
}

// Replace anything that is not valid UTF-8 by U+FFFD so decoded text is always valid UTF-8.
void utf8_sanitize(std::string_view in, std::string& out) {
    auto* p = reinterpret_cast<const unsigned char*>(in.data());
    auto* e = p + in.size();
    while (p < e) {
        if (*p < 0x80) {
            out += static_cast<char>(*p++);
            continue;
        }
        int n = utf8_sequence(p, e);
        if (n > 0) {
            out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
            p += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++p;
        }
    }
}
}  // namespace

decoder::decoder(charset cs, const delimiters& d) : cs_(cs), d_(d) {
    if (!direct(cs)) cd_ = iconv_handle("UTF-8", std::string(encoding_name(cs)).c_str());
}

void decoder::decode(std::string_view raw, std::string& out) {
    std::string_view text = raw;
    if (d_.release && raw.find(d_.release) != std::string_view::npos) {
        scratch_.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == d_.release && i + 1 < raw.size()) ++i;
            scratch_ += raw[i];
        }
        text = scratch_;
    }
    switch (cs_) {
    case charset::unoc: latin1_to_utf8(text, out); return;
    case charset::unow:
    case charset::unoy: utf8_sanitize(text, out); return;
    default: break;
    }
    if (direct(cs_)) {
        for (unsigned char c : text) out += c < 0x80 ? static_cast<char>(c) : '?';
        return;
    }
    if (!cd_.convert(text, out)) {
        // iconv could not be opened (charset missing in this libc) or the input was not clean:
        // the scanner reported the bytes; keep what converted.
    }
}

encoder::encoder(charset cs, const delimiters& d) : cs_(cs), d_(d) {
    if (cs != charset::unow && cs != charset::unoy) {
        std::string to(encoding_name(cs));
        if (cs == charset::unoa || cs == charset::unob || cs == charset::iata || cs == charset::iatb) to = "ASCII";
        cd_ = iconv_handle(to.c_str(), "UTF-8");
    }
}

bool encoder::encode(std::string_view utf8, std::string& out, std::string* bad) {
    std::string_view bytes = utf8;
    if (cs_ != charset::unow && cs_ != charset::unoy) {
        scratch_.clear();
        std::size_t at = 0;
        if (!cd_.convert(utf8, scratch_, &at, false)) {
            if (bad) {
                auto* p = reinterpret_cast<const unsigned char*>(utf8.data() + at);
                int n = *p >= 0x80 ? utf8_sequence(p, reinterpret_cast<const unsigned char*>(utf8.data() + utf8.size())) : 1;
                *bad = std::string(utf8.substr(at, n > 0 ? static_cast<std::size_t>(n) : 1));
            }
            return false;
        }
        bytes = scratch_;
    }
    if (cs_ != charset::unow && cs_ != charset::unoy && cs_ != charset::gb18030) {
        // iconv accepts the whole ASCII range; the syntax level's repertoire is narrower.
        auto table = make_scan_table(cs_, d_);
        for (char c : bytes)
            if (table.cls[static_cast<unsigned char>(c)] != byte_class::ok) {
                if (bad) *bad = std::string(1, c);
                return false;
            }
    }
    for (char c : bytes) {
        if (d_.is_service(c)) {
            if (!d_.release) {
                if (bad) *bad = std::string(1, c);
                return false;
            }
            out += d_.release;
        }
        out += c;
    }
    return true;
}

}  // namespace edigate::edifact::detail
