// writer.cpp - see writer.hpp.
#include "edigate/xml/writer.hpp"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace edigate::xml {

namespace {

constexpr std::size_t flush_at = 64 * 1024;

/// Bytes of XML names (ASCII letters, '_', ':' and any byte of a multibyte character may start
/// one; digits, '-' and '.' may follow): bit 1 start, bit 2 later.
constexpr auto name_bytes = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        bool start = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == ':' || c >= 0x80;
        bool later = start || (c >= '0' && c <= '9') || c == '-' || c == '.';
        t[static_cast<std::size_t>(c)] = static_cast<unsigned char>((start ? 1 : 0) | (later ? 2 : 0));
    }
    return t;
}();

void check_name(std::string_view n) {
    unsigned char ok = n.empty() ? 0 : name_bytes[static_cast<unsigned char>(n[0])] & 1;
    for (char c : n) ok &= name_bytes[static_cast<unsigned char>(c)] >> 1;
    if (!ok) throw write_error(fmt::format("'{}' is not an XML name", n));
}

/// Bytes that go out as they are, in runs: printable ASCII but & < > (and " in attributes).
constexpr auto plain_bytes(bool attribute) {
    std::array<bool, 256> t{};
    for (int b = 0x20; b < 0x7F; ++b) t[b] = b != '&' && b != '<' && b != '>' && !(attribute && b == '"');
    if (!attribute) t['\t'] = t['\n'] = true;
    return t;
}
constexpr auto plain_text = plain_bytes(false), plain_attribute = plain_bytes(true);

/// Length of the valid UTF-8 sequence at s[i] that XML 1.0 allows, or 0.
std::size_t xml_char(std::string_view s, std::size_t i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) return b >= 0x20 || b == '\t' || b == '\n' || b == '\r' ? 1 : 0;
    std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (len == 0 || b > 0xF4 || i + len > s.size()) return 0;
    std::uint32_t c = b & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
        auto t = static_cast<unsigned char>(s[i + k]);
        if ((t & 0xC0) != 0x80) return 0;
        c = (c << 6) | (t & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF))) return 0;  // overlong, too big
    if ((c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF) return 0;              // not XML characters
    return len;
}

}  // namespace

writer::writer(std::string& out, write_options options) : writer(options) {
    text_ = &out;
    if (!iconv_) sink_ = text_, used_ = out.size();  // UTF-8 into a string: straight there, no buffer to copy from
}

writer::writer(std::ostream& out, write_options options) : writer(options) { out_ = &out; }

writer::writer(write_options& options) : options_(std::move(options)) {
    if (options_.encoding == "GB18030") {
        iconv_t cd = iconv_open("GB18030", "UTF-8");
        if (cd == reinterpret_cast<iconv_t>(-1)) throw write_error("GB18030 output is not available (iconv)");
        iconv_ = cd;
    } else if (options_.encoding != "UTF-8") {
        throw write_error(fmt::format("cannot write XML in {}: UTF-8 or GB18030", options_.encoding));
    }
}

writer::~writer() {
    try {
        finish();
    } catch (...) {  // a destructor must not throw; finish() explicitly to hear about failures
    }
    if (iconv_) iconv_close(static_cast<iconv_t>(iconv_));
}

void writer::prefer(std::string uri, std::string prefix) { preferred_.emplace_back(std::move(uri), std::move(prefix)); }

std::string_view writer::prefix_for(std::string_view ns, bool& declare) {
    declare = false;
    // The innermost binding of each prefix counts; walk from the inside out.
    for (std::size_t i = scope_.size(); i-- > 0;) {
        const auto& [prefix, uri] = scope_[i];
        bool shadowed = false;
        for (std::size_t k = i + 1; k < scope_.size(); ++k) shadowed = shadowed || scope_[k].first == prefix;
        if (!shadowed && uri == ns) return prefix;
        if (!shadowed && prefix.empty() && ns.empty()) break;  // default namespace is something else
    }
    declare = true;
    if (ns.empty()) return {};
    for (const auto& [uri, prefix] : preferred_)
        if (uri == ns) return prefix;
    return {};
}

bool writer::in_default_namespace_slow(const core::symbol& ns) {
    if (scope_.size() != 1 || !scope_[0].first.empty() || ns.view() != scope_[0].second) return false;
    default_ns_ = ns.id();
    return true;
}

void writer::start(std::string_view name, std::string_view ns) {
    check_name(name);
    open(name, ns);
}

void writer::open(std::string_view name, std::string_view ns) {
    close_start_tag();
    if (!started_) {
        started_ = true;
        if (options_.declaration) put(fmt::format("<?xml version=\"1.0\" encoding=\"{}\"?>\n", options_.encoding));
    } else if (depth_ == 0) {
        throw write_error("a second root element");
    }
    if (depth_ > 0) {
        stack_[depth_ - 1].children = true;
        if (options_.indent && !stack_[depth_ - 1].text) newline_indent(depth_);
    }
    bool declare = false;
    std::string_view prefix = prefix_for(ns, declare);  // in scope_ or preferred_, which stay as they are below
    // Frames are reused, so that their names keep their capacity: no allocation per element.
    if (depth_ == stack_.size()) stack_.emplace_back();
    frame& f = stack_[depth_];
    f.bindings = 0, f.children = f.text = false;
    f.qname.assign(prefix);
    if (!prefix.empty()) f.qname += ':';
    f.qname.append(name);
    f.name = {};  // the end tag is qname (frames move as the stack grows: no view into one)
    put("<");
    put(f.qname);
    if (declare && !(ns.empty() && scope_.empty())) {
        std::string bound(prefix);  // scope_ may move as it grows
        put(bound.empty() ? " xmlns=\"" : " xmlns:" + bound + "=\"");
        escaped(ns, true);
        put("\"");
        scope_.emplace_back(std::move(bound), std::string(ns));
        f.bindings = 1;
    }
    ++depth_;
    open_tag_ = true;
}

void writer::attribute(std::string_view name, std::string_view value) {
    if (!open_tag_) throw write_error(fmt::format("attribute '{}' after the element's content", name));
    check_name(name);
    // A prefixed attribute (xsi:type) needs its prefix in scope; xsi is declared when first used.
    if (auto colon = name.find(':'); colon != std::string_view::npos) {
        std::string prefix(name.substr(0, colon));
        bool bound = prefix == "xml" || prefix == "xmlns";
        for (const auto& b : scope_) bound = bound || b.first == prefix;
        if (!bound && prefix != "xsi") throw write_error(fmt::format("attribute '{}': prefix '{}' is not declared", name, prefix));
        if (!bound) {
            put(" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
            scope_.emplace_back("xsi", "http://www.w3.org/2001/XMLSchema-instance");
            ++stack_[depth_ - 1].bindings;
        }
    }
    put(" ");
    put(name);
    put("=\"");
    escaped(value, true);
    put("\"");
}

void writer::text(std::string_view utf8) {
    if (depth_ == 0) throw write_error("text outside the root element");
    if (utf8.empty()) return;
    close_start_tag();
    stack_[depth_ - 1].text = true;
    escaped(utf8, false);
}

void writer::end() {
    if (depth_ == 0) throw write_error("end() without an open element");
    frame& f = stack_[depth_ - 1];
    if (open_tag_) {
        put("/>");
        open_tag_ = false;
    } else {
        if (options_.indent && f.children && !f.text) newline_indent(depth_ - 1);
        put("</");
        put(f.name.empty() ? std::string_view(f.qname) : f.name);
        put(">");
    }
    if (f.bindings) {
        scope_.resize(scope_.size() - f.bindings);
        default_ns_ = nullptr;
    }
    --depth_;
    if (depth_ == 0) put("\n");
    if (sink_ != text_) flush(false);  // written in place: nothing to flush
}

void writer::node(const core::node& n) {
    // An interned name checked once stays valid (its text and address live as long as the
    // process): a few hundred names make every document, and a translation writes a document per
    // message, so the names checked are remembered by every writer of the thread.
    thread_local std::array<const void*, 256> checked{};  // by core::symbol::id
    const void* id = n.name.id();
    auto slot = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(id)) * 0x9E3779B97F4A7C15u >> 56;  // 256 slots
    const void*& known = checked[slot];
    if (!id || known != id) {
        check_name(n.name);
        if (id) known = id;
    }
    if (depth_ > 0 && n.attributes.empty() && in_default_namespace(n.ns)) {
        // In the namespace every element is in, the most of any document: written as open(),
        // text() and end() would write it, without their namespace bookkeeping.
        if (n.children.empty()) return leaf(n);
        if (n.value.empty()) {
            close_start_tag();
            frame& parent = stack_[depth_ - 1];
            parent.children = true;
            if (options_.indent && !parent.text) newline_indent(depth_);
            if (depth_ == stack_.size()) stack_.emplace_back();
            frame& f = stack_[depth_];
            f.bindings = 0, f.children = f.text = false;
            f.name = n.name;  // the node's name: its text outlives the element's writing
            put("<");
            put(n.name);
            ++depth_;
            open_tag_ = true;
            for (const auto& c : n.children) node(c);
            end();
            return;
        }
    }
    open(n.name, n.ns);
    for (const auto& [k, v] : n.attributes) attribute(k, v);
    text(n.value);
    for (const auto& c : n.children) node(c);
    end();
}

void writer::leaf(const core::node& n) {
    close_start_tag();
    frame& parent = stack_[depth_ - 1];
    parent.children = true;
    const std::string_view name = n.name, value = n.value;
    const std::size_t indent = options_.indent && !parent.text ? 1 + depth_ * 2 : 0;
    std::size_t plain = 0;  // the value's bytes that go out as they are, from its start
    while (plain < value.size() && plain_text[static_cast<unsigned char>(value[plain])]) ++plain;
    const std::size_t need = indent + 2 * name.size() + 5 + plain;
    if (need > sink_->size() - used_) room(need);
    char* at = sink_->data() + used_;
    if (indent) {
        at[0] = '\n';
        std::memset(at + 1, ' ', indent - 1);
        at += indent;
    }
    *at++ = '<';
    std::memcpy(at, name.data(), name.size());
    at += name.size();
    if (value.empty()) {
        *at++ = '/';
        *at++ = '>';
        used_ = static_cast<std::size_t>(at - sink_->data());
        if (sink_ != text_) flush(false);
        return;
    }
    *at++ = '>';
    if (plain == value.size()) {
        std::memcpy(at, value.data(), plain);
        used_ = static_cast<std::size_t>(at + plain - sink_->data());
    } else {  // a byte to escape or check: the general way, then the end tag where it leaves off
        used_ = static_cast<std::size_t>(at - sink_->data());
        escaped(value, false);
        if (name.size() + 3 > sink_->size() - used_) room(name.size() + 3);
    }
    at = sink_->data() + used_;
    *at++ = '<';
    *at++ = '/';
    std::memcpy(at, name.data(), name.size());
    at += name.size();
    *at++ = '>';
    used_ = static_cast<std::size_t>(at - sink_->data());
    if (sink_ != text_) flush(false);
}

void writer::finish() {
    if (finished_) return;
    while (depth_ > 0) end();
    finished_ = true;
    flush(true);
    if (out_) out_->flush();
}

void writer::close_start_tag() {
    if (!open_tag_) return;
    put(">");
    open_tag_ = false;
}

void writer::newline_indent(std::size_t depth) {
    std::size_t n = 1 + depth * 2;
    if (n > sink_->size() - used_) room(n);
    char* at = sink_->data() + used_;
    at[0] = '\n';
    std::memset(at + 1, ' ', n - 1);
    used_ += n;
}

void writer::put(std::string_view s) {
    if (s.size() > sink_->size() - used_) room(s.size());
    std::memcpy(sink_->data() + used_, s.data(), s.size());
    used_ += s.size();
}

void writer::room(std::size_t n) {
    // A string kept from an earlier document has the room already: taken whole at once (each
    // resize writes zeros up to the new size).
    sink_->resize(std::max({sink_->size() * 2, used_ + n + 1024, sink_->capacity()}));
}

void writer::escaped(std::string_view s, bool attribute) {
    const auto& runs = attribute ? plain_attribute : plain_text;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t run = i;
        while (run < s.size() && runs[static_cast<unsigned char>(s[run])]) ++run;
        if (run > i) put(s.substr(i, run - i)), i = run;
        if (i == s.size()) break;
        std::size_t len = xml_char(s, i);
        if (len == 0 && options_.replace_invalid) {
            put("\xEF\xBF\xBD");
            ++i;
            continue;
        }
        if (len == 0)
            throw write_error(fmt::format("byte 0x{:02X} at offset {} of \"{}\" cannot be written in XML 1.0 (control character or invalid UTF-8)",
                                          static_cast<unsigned char>(s[i]), i, s.substr(0, 40)));
        char c = s[i];
        if (c == '&') put("&amp;");
        else if (c == '<') put("&lt;");
        else if (c == '>') put("&gt;");
        else if (c == '\r') put("&#13;");  // a literal CR would be normalised away by any reader
        else if (attribute && c == '"') put("&quot;");
        else if (attribute && c == '\n') put("&#10;");
        else if (attribute && c == '\t') put("&#9;");
        else put(s.substr(i, len));
        i += len;
    }
}

void writer::flush(bool all) {
    if (sink_ == text_) {  // written in place: the room past what is written goes at the end
        if (all) text_->resize(used_);
        return;
    }
    if (used_ == 0 || (!all && used_ < flush_at)) return;
    if (!iconv_) {
        if (text_) text_->append(buffer_.data(), used_);
        else out_->write(buffer_.data(), static_cast<std::streamsize>(used_));
    } else {
        // The buffer always ends on a character boundary (markup is ASCII, text is checked UTF-8).
        std::string converted(used_ * 2 + 16, '\0');
        char* in = buffer_.data();
        std::size_t in_left = used_;
        char* out = converted.data();
        std::size_t out_left = converted.size();
        if (iconv(static_cast<iconv_t>(iconv_), &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1))
            throw write_error(fmt::format("cannot convert to GB18030: {}", std::strerror(errno)));
        std::size_t n = converted.size() - out_left;
        if (text_) text_->append(converted.data(), n);
        else out_->write(converted.data(), static_cast<std::streamsize>(n));
    }
    used_ = 0;
    if (out_ && !*out_) throw write_error("write failed");
}

}  // namespace edigate::xml
