// reader.cpp - the interchange state machine over the segment scanner.
//
// States: outside an interchange (expect UNA, UNB, or UNH for message-level input; anything else
// is junk) and inside one (service segments drive the envelope, everything else is message
// content). Recovery: a UNH while a message is open closes it as cut off; UNB or UNA inside an
// interchange closes it as missing UNZ and starts over; the end of input closes whatever is open.
// Memory: one read buffer (grows only up to max_segment_bytes + chunk) plus the current message.
// With keep_segments, the segments of earlier messages are kept to be refilled (as many as the
// longest message had); one that held a segment over 1 KiB is freed rather than refilled.
#include "edigate/edifact/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

#include "detail/grammar.hpp"
#include "detail/scanner.hpp"
#include "detail/segment_builder.hpp"
#include "detail/service_tables.hpp"
#include "edigate/edifact/codes.hpp"

namespace edigate::edifact {

namespace {

using core::position;

// ---------------------------------------------------------------- sources

struct source {
    virtual ~source() = default;
    virtual std::size_t fill(char* dst, std::size_t n) = 0;  ///< 0 = end of input
    /// The input's size when known (0: unknown): a small input gets a small buffer, not a zeroed
    /// chunk of a megabyte (the gateway reads thousands of small files).
    virtual std::uint64_t size_hint() const { return 0; }
    std::string error;                                        ///< set when reading failed
};

struct fd_source final : source {
    int fd;
    explicit fd_source(int f) : fd(f) {}
    std::uint64_t size_hint() const override {
        struct stat st {};
        return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
    }
    std::size_t fill(char* dst, std::size_t n) override {
        for (;;) {
            ssize_t got = ::read(fd, dst, n);
            if (got >= 0) return static_cast<std::size_t>(got);
            if (errno == EINTR) continue;
            error = std::strerror(errno);
            return 0;
        }
    }
};

struct stream_source final : source {
    std::istream& in;
    explicit stream_source(std::istream& s) : in(s) {}
    std::size_t fill(char* dst, std::size_t n) override {
        return static_cast<std::size_t>(in.rdbuf()->sgetn(dst, static_cast<std::streamsize>(n)));
    }
};

struct buffer_source final : source {
    std::string_view data;
    explicit buffer_source(std::string_view d) : data(d) {}
    std::uint64_t size_hint() const override { return data.size(); }
    std::size_t fill(char* dst, std::size_t n) override {
        n = std::min(n, data.size());
        std::memcpy(dst, data.data(), n);
        data.remove_prefix(n);
        return n;
    }
};

// ---------------------------------------------------------------- helpers

constexpr std::size_t padding = 64;  // scanner reads up to 15 bytes past the limit

bool is_tag_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::string printable(std::string_view s, std::size_t max = 24) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
        else out += fmt::format("\\x{:02X}", c);
    }
    if (s.size() > max) out += "...";
    return out;
}

std::string describe_byte(const char* p, bool utf8_hint) {
    auto c = static_cast<unsigned char>(*p);
    if (c == '\r') return "carriage return (0x0D)";
    if (c == '\n') return "line feed (0x0A)";
    if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
    return fmt::format("byte 0x{:02X}{}", c, utf8_hint ? " (the text looks like UTF-8)" : "");
}

// A segment tag as text for reports: as written when printable ASCII, escaped otherwise.
std::string safe_tag(std::string_view t) {
    for (char c : t)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return printable(t, 8);
    return std::string(t.substr(0, 16));
}

bool valid_utf8(const char* p, const char* e) {
    auto* u = reinterpret_cast<const unsigned char*>(p);
    auto* ue = reinterpret_cast<const unsigned char*>(e);
    while (u < ue) {
        if (*u < 0x80) { ++u; continue; }
        int n = detail::utf8_sequence(u, ue);
        if (n <= 0) return n < 0;  // cut off at the end counts as valid
        u += n;
    }
    return true;
}

bool parse_uint(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// ---------------------------------------------------------------- engine

class engine {
public:
    engine(const reader_options& o, handler& h, source& s) : opt_(o), h_(h), src_(s) {
        // One byte more than a known size, so that the end of input is seen without a second buffer.
        std::uint64_t hint = s.size_hint();
        std::size_t first = hint ? static_cast<std::size_t>(std::min<std::uint64_t>(o.chunk_bytes, std::max<std::uint64_t>(hint + 1, 4096)))
                                 : o.chunk_bytes;
        buf_.resize(first + padding);
    }

    read_stats run();

private:
    // ---- buffer
    std::size_t avail() const { return end_ - beg_; }
    const char* cur() const { return buf_.data() + beg_; }
    std::uint64_t offset_of(const char* p) const { return base_ + static_cast<std::uint64_t>(p - buf_.data()); }
    std::uint64_t offset() const { return base_ + beg_; }
    bool more();                       // read more input keeping [beg_, end_); false at end of input
    bool ensure(std::size_t n) {       // at least n bytes available unless the input ends first
        while (avail() < n)
            if (!more()) return false;
        return true;
    }

    // ---- states
    void outside();
    void inside();
    void skip_whitespace();
    void skip_junk();
    void begin_interchange(bool has_unb);
    void end_interchange(bool by_unz);
    void close_message(bool by_unt);
    void close_group(bool by_une);
    void finish();

    // ---- segments
    enum class scan_outcome { ok, eof_cut, too_long };
    scan_outcome next_segment(std::string_view& raw, detail::scan_result& scan);
    void make_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number, segment& s);
    // The next of msg_.segments, cleared: one of the previous message's when there is one. One
    // that held a segment over 1 KiB is freed rather than reused: so the reused ones only ever
    // grow to what a short segment needs, and stay a small multiple of the largest message's
    // segment count.
    segment& next_kept() {
        if (opt_.max_message_bytes && offset() - msg_.byte > opt_.max_message_bytes) drop_kept();
        if (kept_ < msg_.segments.size() && msg_.segments[kept_].length <= 1024) {
            segment& s = msg_.segments[kept_++];
            s.clear();
            return s;
        }
        return next_kept_slow();
    }
    segment& next_kept_slow();
    void drop_kept();
    void report_scan(const detail::scan_result& r, std::string_view raw, std::uint64_t byte, const segment* seg);
    void check_service(const segment& s);
    void check_value(const segment& s, std::size_t e, std::size_t c, const detail::value_format& f, const std::string& id);
    void on_segment(std::string_view raw, std::uint64_t byte, const detail::scan_result& scan);

    // ---- findings
    position at(std::uint64_t byte, const std::string& tag, std::uint32_t number, std::uint16_t e = 0,
                std::uint16_t c = 0, std::uint16_t r = 0) const;
    position at(const segment& s, std::size_t e = 0, std::size_t c = 0, std::size_t r = 0) const {
        return at(e ? s.byte_of(e, c ? c : 1, r ? r : 1) : s.byte, s.tag, s.number, static_cast<std::uint16_t>(e),
                  static_cast<std::uint16_t>(c), static_cast<std::uint16_t>(r));
    }
    void emit(code c, position where, std::string text, std::optional<position> expected = std::nullopt);

    const reader_options& opt_;
    handler& h_;
    source& src_;
    std::vector<char> buf_;
    std::size_t beg_ = 0, end_ = 0;
    std::uint64_t base_ = 0;
    bool eof_ = false;

    read_stats stats_;
    bool in_interchange_ = false;
    bool seen_anything_ = false;
    std::optional<delimiters> pending_una_;
    std::uint64_t pending_una_byte_ = 0;
    interchange_header ich_;
    interchange_trailer ich_end_;
    detail::scan_table table_;
    detail::segment_builder builder_;  // made with the same charset and separators as table_
    std::uint32_t ich_segments_ = 0;   // segments seen in this interchange (UNB = 1)
    int uses_groups_ = -1;             // -1 unknown, 0 messages outside groups, 1 groups
    bool in_group_ = false;
    group_header group_;
    std::uint32_t group_messages_ = 0;
    bool in_message_ = false;
    message msg_;
    bool outside_run_ = false;         // inside a run of segments outside any message
    bool whitespace_reported_ = false;
    std::vector<detail::raw_piece> pieces_;
    // With keep_segments, msg_.segments still holds the previous message's segments after it was
    // handed on, and the next message refills them in place (kept_ counts those refilled so far):
    // once they are large enough, building a segment allocates nothing. Spares are what a longer
    // message left over when a shorter one was handed on.
    std::size_t kept_ = 0;
    std::vector<segment> spare_;
    segment work_;                     // service segments and segments with findings are built here
    std::uint64_t refused_ = ~std::uint64_t{0};  // byte of the plain segment the handler last refused (stream_segments)
};

bool engine::more() {
    if (eof_) return false;
    if (beg_ > 0) {
        std::memmove(buf_.data(), buf_.data() + beg_, avail());
        base_ += beg_;
        end_ -= beg_;
        beg_ = 0;
    }
    std::size_t cap = buf_.size() - padding;
    if (end_ == cap) {  // one segment fills the buffer: grow, up to the segment limit
        if (cap >= opt_.max_segment_bytes + opt_.chunk_bytes) return false;
        buf_.resize(std::min(cap * 2, opt_.max_segment_bytes + opt_.chunk_bytes) + padding);
        cap = buf_.size() - padding;
    }
    std::size_t got = src_.fill(buf_.data() + end_, cap - end_);
    if (got == 0) {
        eof_ = true;
        return false;
    }
    end_ += got;
    stats_.bytes += got;
    h_.progress(stats_.bytes);
    return true;
}

position engine::at(std::uint64_t byte, const std::string& tag, std::uint32_t number, std::uint16_t e,
                    std::uint16_t c, std::uint16_t r) const {
    position p;
    p.byte = byte;
    p.interchange = in_interchange_ ? ich_.index : 0;
    p.group = in_group_ ? group_.index : 0;
    p.message = in_message_ ? msg_.index : 0;
    p.segment = number;
    p.tag = tag;
    p.element = e;
    p.component = c;
    p.repetition = r;
    return p;
}

void engine::emit(code c, position where, std::string text, std::optional<position> expected) {
    const auto& ci = info(c);
    core::diagnostic d;
    d.code = std::string(ci.name);
    d.level = ci.level;
    d.where = std::move(where);
    d.text = std::move(text);
    d.syntax_error = ci.syntax_error;
    d.expected_at = std::move(expected);
    if (d.level == core::severity::error &&
        std::find(opt_.downgrade.begin(), opt_.downgrade.end(), d.code) != opt_.downgrade.end()) {
        d.level = core::severity::warning;
        d.downgraded_by = opt_.profile.empty() ? "partner profile" : opt_.profile;
    }
    if (d.level == core::severity::error) {
        ++stats_.errors;
        if (in_message_) ++msg_.errors;
        if (in_interchange_) ++ich_end_.errors;
    } else if (d.level == core::severity::warning) {
        ++stats_.warnings;
    }
    h_.finding(d);
}

read_stats engine::run() {
    more();
    if (ensure(3) && std::memcmp(cur(), "\xEF\xBB\xBF", 3) == 0) {
        emit(code::byte_order_mark, at(0, "", 0), "UTF-8 byte order mark before the first segment, skipped");
        beg_ += 3;
    }
    for (;;) {
        skip_whitespace();
        if (!ensure(1)) break;
        if (in_interchange_) inside();
        else outside();
    }
    finish();
    if (!seen_anything_) emit(code::no_data, at(0, "", 0), "no EDIFACT segment found; expected UNA, UNB or UNH");
    if (!src_.error.empty()) throw std::runtime_error(src_.error);
    return stats_;
}

void engine::skip_whitespace() {
    bool spaces = false;
    std::uint64_t first = 0;
    for (;;) {
        if (!ensure(1)) break;
        char c = *cur();
        if (c == '\r' || c == '\n') {
            if (in_interchange_ && table_.delims.segment == c) break;  // LF as terminator (delimiter advice)
            ++beg_;
        } else if (c == ' ' || c == '\t') {
            if (!spaces) first = offset();
            spaces = true;
            ++beg_;
        } else {
            break;
        }
    }
    if (spaces && in_interchange_ && !whitespace_reported_) {
        whitespace_reported_ = true;
        emit(code::whitespace_between, at(first, "", 0),
             "spaces or tabs between segments (indentation); tolerated, reported once per interchange");
    }
}

void engine::outside() {
    ensure(9);
    std::string_view head(cur(), std::min<std::size_t>(avail(), 3));
    if (head == "UNA") {
        seen_anything_ = true;
        std::uint64_t byte = offset();
        if (pending_una_)
            emit(code::una_without_unb, at(pending_una_byte_, "UNA", 0), "UNA is followed by another UNA instead of UNB");
        auto una = avail() >= 9 ? detail::parse_una(std::string_view(cur(), 9)) : std::nullopt;
        std::string problem;
        if (!una) {
            problem = "the input ends inside the UNA";
        } else {
            std::string seps{una->component, una->element, una->release ? una->release : '\0', una->segment};
            if (una->has_repetition()) seps += una->repetition;
            std::string sorted = seps;
            std::sort(sorted.begin(), sorted.end());
            if (una->decimal != '.' && una->decimal != ',')
                problem = fmt::format("decimal mark '{}' is neither '.' nor ','", printable(std::string_view(&una->decimal, 1)));
            else if (std::adjacent_find(sorted.begin(), sorted.end(), [](char a, char b) { return a == b && a != '\0'; }) != sorted.end())
                problem = fmt::format("the same character is used for two service functions in '{}'", printable(std::string_view(cur() + 3, 6)));
            else if (std::any_of(seps.begin(), seps.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
                problem = fmt::format("a letter or digit cannot be a separator in '{}'", printable(std::string_view(cur() + 3, 6)));
        }
        if (!problem.empty()) {
            emit(code::bad_una, at(byte, "UNA", 1), fmt::format("unusable UNA: {}; expected UNA followed by six distinct service characters", problem));
            una.reset();
        }
        pending_una_ = una ? una : std::optional<delimiters>(default_delimiters(3));
        pending_una_byte_ = byte;
        beg_ += std::min<std::size_t>(9, avail());
        return;
    }
    if (head == "UNB") {
        seen_anything_ = true;
        begin_interchange(true);
        return;
    }
    if (head == "UNH") {
        seen_anything_ = true;
        begin_interchange(false);
        return;
    }
    skip_junk();
}

void engine::skip_junk() {
    std::uint64_t start = offset();
    std::string preview(cur(), std::min<std::size_t>(avail(), 24));
    std::uint64_t skipped = 0;
    for (;;) {
        // Look for the next line/segment start that begins an envelope.
        const char* p = cur();
        const char* e = buf_.data() + end_;
        const char* hit = nullptr;
        for (const char* q = p + 1; q + 2 < e; ++q) {
            if (q[0] == 'U' && q[1] == 'N' && (q[2] == 'A' || q[2] == 'B' || q[2] == 'H')) {
                hit = q;
                break;
            }
        }
        if (hit) {
            skipped += static_cast<std::uint64_t>(hit - p);
            beg_ += static_cast<std::size_t>(hit - p);
            break;
        }
        std::size_t keep = std::min<std::size_t>(avail(), 2);  // "UN" may straddle the refill
        skipped += avail() - keep;
        beg_ = end_ - keep;
        if (!more()) {
            skipped += avail();
            beg_ = end_;
            break;
        }
    }
    std::string where = stats_.interchanges == 0 ? "before the first interchange"
                                                 : fmt::format("after interchange {}", stats_.interchanges);
    auto p = at(start, "", 0);
    if (pending_una_) {
        emit(code::una_without_unb, at(pending_una_byte_, "UNA", 0), "UNA is not followed by UNB");
        pending_una_.reset();
    }
    emit(code::junk, p, fmt::format("{} bytes that are not EDIFACT {} ('{}'); expected UNA, UNB or the end of the file",
                                    skipped, where, printable(preview)));
}

engine::scan_outcome engine::next_segment(std::string_view& raw, detail::scan_result& r) {
    for (;;) {
        r = detail::scan_segment(cur(), buf_.data() + end_, table_);
        if (r.state == detail::scan_result::status::complete) {
            raw = std::string_view(cur(), static_cast<std::size_t>(r.terminator - cur()));
            return scan_outcome::ok;
        }
        if (avail() > opt_.max_segment_bytes) return scan_outcome::too_long;
        if (!more()) {
            if (eof_ && avail() <= opt_.max_segment_bytes) {
                raw = std::string_view(cur(), avail());
                return scan_outcome::eof_cut;
            }
            return scan_outcome::too_long;
        }
    }
}

void engine::make_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number, segment& s) {
    s.clear();
    s.byte = byte;
    s.number = number;
    s.length = static_cast<std::uint32_t>(raw.size());
    s.tag = safe_tag(builder_.build(raw, s));
}

// Past reader_options::max_message_bytes: what the message kept is let go, memory and all, and
// each later segment of it is built in the one place left (a message as long as its input, a
// vessel's manifest of hundreds of MB, would otherwise be kept whole, and then become trees
// some fifty times its size).
void engine::drop_kept() {
    if (!msg_.oversized) {
        msg_.oversized = true;
        std::vector<segment>().swap(msg_.segments);
        std::vector<segment>().swap(spare_);
    }
    kept_ = 0;
}

segment& engine::next_kept_slow() {
    if (kept_ < msg_.segments.size()) {
        segment& s = msg_.segments[kept_++];
        s = segment{};
        return s;
    }
    ++kept_;
    if (spare_.empty()) return msg_.segments.emplace_back();
    segment& s = msg_.segments.emplace_back(std::move(spare_.back()));
    spare_.pop_back();
    if (s.length > 1024) s = segment{};
    else s.clear();
    return s;
}

void engine::report_scan(const detail::scan_result& r, std::string_view raw, std::uint64_t byte, const segment* seg) {
    auto locate = [&](const char* p) {
        auto off = static_cast<std::uint32_t>(p - raw.data());
        std::uint16_t e = 0, c = 0, rep = 0;
        detail::split_segment(raw, table_.delims, pieces_);
        for (const auto& pc : pieces_)
            if (pc.begin <= off && off <= pc.end && pc.element) {
                e = pc.element;
                c = pc.component;
                rep = table_.delims.has_repetition() ? pc.repetition : 0;
            }
        std::string tag = seg ? seg->tag : safe_tag(raw.substr(0, std::min<std::size_t>(3, raw.size())));
        std::uint32_t number = seg ? seg->number : 0;
        return at(byte + off, tag, number, e, c, rep);
    };
    if (r.first_bad) {
        auto where = locate(r.first_bad);
        std::string more = r.bad_count > 1 ? fmt::format(" ({} such bytes in this segment)", r.bad_count) : "";
        std::string_view id = identifier(ich_.decoding);
        if (r.bad_class == detail::byte_class::line_break) {
            emit(code::line_break_in_segment, where,
                 fmt::format("{} inside segment {}{}; line breaks are only tolerated between segments", describe_byte(r.first_bad, false), where.tag, more));
        } else if (r.bad_class == detail::byte_class::lowercase) {
            emit(code::lowercase_in_level_a, where,
                 fmt::format("lower-case {} under {}{}; level A allows upper-case letters only", describe_byte(r.first_bad, false), id, more));
        } else if (r.bad_encoding) {
            emit(code::invalid_encoding, where, fmt::format("{} is not valid {}{}", describe_byte(r.first_bad, false), encoding_name(ich_.decoding), more));
        } else {
            bool utf8_hint = static_cast<unsigned char>(*r.first_bad) >= 0x80 && ich_.decoding != charset::unow &&
                             ich_.decoding != charset::unoy && valid_utf8(raw.data(), raw.data() + raw.size());
            emit(code::bad_character, where,
                 fmt::format("{} is outside the {} repertoire{}{}", describe_byte(r.first_bad, utf8_hint), id, more,
                             utf8_hint ? "; declare UNOW/UNOY or set a partner charset override" : ""));
        }
    }
    if (r.bad_release) {
        auto where = locate(r.bad_release);
        char next = r.bad_release + 1 < raw.data() + raw.size() ? r.bad_release[1] : ' ';
        emit(code::bad_release, where,
             fmt::format("release character '{}' before {}; it may only precede a separator or itself "
                         "(write the '{}' unreleased, or release the separator that was meant)",
                         table_.delims.release, describe_byte(&next, false), table_.delims.release));
    }
}

void engine::check_value(const segment& s, std::size_t e, std::size_t c, const detail::value_format& f, const std::string& id) {
    std::string_view v = s.value(e, c ? c : 1);
    if (v.empty()) return;
    std::size_t len = 0;
    bool bad = false;
    for (char ch : v) {
        bool digit = ch >= '0' && ch <= '9';
        if (f.numeric && !f.alpha) {
            if (ch == '-' || ch == table_.delims.decimal || ch == '.' || ch == ',') continue;  // sign and decimal mark do not count
            if (!digit) bad = true;
        } else if (f.alpha && !f.numeric) {
            if (digit) bad = true;
        }
        ++len;
    }
    if (!f.numeric || f.alpha) len = v.size();
    auto where = at(s, e, c ? c : 0);
    if (bad)
        emit(code::bad_representation, where,
             fmt::format("{} element {} '{}' does not fit representation {}", s.tag, id, v, f.text));
    if (f.max && len > f.max)
        emit(code::value_too_long, where, fmt::format("{} element {} '{}' has {} characters; at most {} allowed ({})", s.tag, id, v, len, f.max, f.text));
    else if (len < f.min)
        emit(code::value_too_short, where, fmt::format("{} element {} '{}' has {} characters; {} required ({})", s.tag, id, v, len, f.min, f.text));
}

void engine::check_service(const segment& s) {
    // Syntax 1 defines S009 version and release as numeric, but the directories named in real
    // syntax-1 interchanges ("D", "96A") are alphanumeric from 1990 on: check UNH as syntax 2 does.
    int version = s.tag == "UNH" && ich_.syntax_version == 1 ? 2 : ich_.syntax_version;
    const auto* def = detail::service_segment(s.tag, version);
    if (!def) return;
    std::string ver = ich_.syntax_version ? fmt::format("syntax version {}", ich_.syntax_version)
                                          : "syntax version 4 (assumed: the version number is unreadable)";
    for (std::size_t i = 0; i < def->elements.size(); ++i) {
        const auto& ed = def->elements[i];
        std::size_t e = i + 1;
        bool present = false;
        for (std::size_t r = 1; r <= s.repetition_count(e); ++r)
            for (std::size_t c = 1; c <= s.component_count(e, r); ++c) present = present || s.has(e, c, r);
        if (!present) {
            if (ed.mandatory)
                emit(code::missing_element, at(s, e, 0),
                     fmt::format("{} element {} ({}) is missing; it is mandatory in {}", s.tag, ed.id, ed.name, ver),
                     at(s, e, 0));
            continue;
        }
        if (s.repetition_count(e) > ed.repeat)
            emit(code::repetition_not_allowed, at(s, e, 0, 2),
                 fmt::format("{} element {} is repeated {} times; it occurs at most {} time(s)", s.tag, ed.id, s.repetition_count(e), ed.repeat));
        if (!ed.composite) {
            if (s.component_count(e) > 1)
                emit(code::too_many_elements, at(s, e, 2),
                     fmt::format("{} element {} ({}) is a simple data element but has {} components", s.tag, ed.id, ed.name, s.component_count(e)));
            check_value(s, e, 0, ed.format, ed.id);
            continue;
        }
        if (s.component_count(e) > ed.components.size())
            emit(code::too_many_elements, at(s, e, ed.components.size() + 1),
                 fmt::format("{} composite {} has {} components; {} defines {}", s.tag, ed.id, s.component_count(e), ver, ed.components.size()));
        for (std::size_t c = 0; c < ed.components.size(); ++c) {
            const auto& cd = ed.components[c];
            if (!s.has(e, c + 1)) {
                if (cd.mandatory)
                    emit(code::missing_element, at(s, e, c + 1),
                         fmt::format("{} {}/{} ({}) is missing; it is mandatory in {}", s.tag, ed.id, cd.id, cd.name, ver),
                         at(s, e, c + 1));
                continue;
            }
            check_value(s, e, c + 1, cd.format, ed.id + "/" + cd.id);
        }
    }
    if (s.element_count() > def->elements.size())
        emit(code::too_many_elements, at(s, def->elements.size() + 1, 0),
             fmt::format("{} has {} data elements; {} defines {}", s.tag, s.element_count(), ver, def->elements.size()));
}

void engine::begin_interchange(bool has_unb) {
    ++stats_.interchanges;
    ich_ = interchange_header{};
    ich_end_ = interchange_trailer{};
    ich_.index = stats_.interchanges;
    ich_end_.index = ich_.index;
    ich_.has_unb = has_unb;
    ich_.has_una = pending_una_.has_value();
    ich_.byte = pending_una_ ? pending_una_byte_ : offset();
    in_interchange_ = true;
    ich_segments_ = 0;
    uses_groups_ = -1;
    whitespace_reported_ = false;
    bool level_b = !pending_una_ && avail() > 3 && cur()[3] == '\x1D';
    delimiters d = opt_.delimiter_advice ? *opt_.delimiter_advice : pending_una_ ? *pending_una_ : default_delimiters(3, level_b);
    bool explicit_delims = opt_.delimiter_advice || pending_una_;
    pending_una_.reset();

    if (!has_unb) {
        // Message-level input (UNH..UNT without UNB): no syntax identifier to go by, so UTF-8 when
        // the start of the input is valid UTF-8, ISO 8859-1 otherwise.
        ich_.syntax_version = 0;
        ich_.declared_charset = valid_utf8(cur(), buf_.data() + end_) ? charset::unoy : charset::unoc;
        ich_.decoding = opt_.charset_override ? *opt_.charset_override : ich_.declared_charset;
        ich_.delims = d;
        table_ = detail::make_scan_table(ich_.decoding, d);
        builder_ = detail::segment_builder(ich_.decoding, d);
        emit(code::no_interchange_header, at(offset(), "UNH", 1),
             "message without interchange header UNB; read as message-level input, envelope checks limited to UNH/UNT");
        h_.interchange_begin(ich_);
        return;
    }

    // Read UNB with a permissive table first: its syntax identifier decides the real one.
    table_ = detail::make_scan_table(charset::unoc, d);
    builder_ = detail::segment_builder(charset::unoc, d);
    std::uint64_t byte = offset();
    std::string_view raw;
    detail::scan_result scan;
    auto outcome = next_segment(raw, scan);
    if (outcome == scan_outcome::too_long) {
        emit(code::segment_too_long, at(byte, "UNB", 1), fmt::format("no segment terminator '{}' within {} bytes after UNB", printable(std::string_view(&d.segment, 1)), opt_.max_segment_bytes));
        beg_ = end_;
        return;
    }
    segment unb;
    make_segment(raw, byte, ++ich_segments_, unb);
    ich_.syntax_identifier = unb.value(1, 1);
    std::uint64_t version = 0;
    parse_uint(unb.value(1, 2), version);
    ich_.syntax_version = version >= 1 && version <= 4 ? static_cast<int>(version) : 0;
    if (ich_.syntax_version == 4 && !explicit_delims && !level_b) {
        d.repetition = '*';  // syntax 4 default repetition separator; re-split UNB with it
        table_ = detail::make_scan_table(charset::unoc, d);
        builder_ = detail::segment_builder(charset::unoc, d);
        make_segment(raw, byte, ich_segments_, unb);
    }
    if (explicit_delims && !opt_.delimiter_advice && ich_.syntax_version && ich_.syntax_version < 4 && d.has_repetition()) {
        d.repetition = ' ';  // the UNA position is reserved before syntax 4 and carries no meaning
    }
    auto cs = charset_from_identifier(ich_.syntax_identifier);
    ich_.declared_charset = cs.value_or(charset::unoc);
    ich_.decoding = opt_.charset_override ? *opt_.charset_override : ich_.declared_charset;
    ich_.delims = d;
    table_ = detail::make_scan_table(ich_.decoding, d);
    builder_ = detail::segment_builder(ich_.decoding, d);
    make_segment(raw, byte, ich_segments_, unb);
    ich_.unb = unb;

    ich_.sender = unb.value(2, 1);
    ich_.sender_qualifier = unb.value(2, 2);
    ich_.recipient = unb.value(3, 1);
    ich_.recipient_qualifier = unb.value(3, 2);
    ich_.date = unb.value(4, 1);
    ich_.time = unb.value(4, 2);
    ich_.control_reference = unb.value(5);
    ich_.application_reference = unb.value(7);
    ich_.test_indicator = unb.value(11) == "1";

    if (unb.tag != "UNB")
        emit(code::bad_tag, at(unb), fmt::format("segment tag '{}' where UNB was expected", printable(unb.tag)));
    if (!cs && !ich_.syntax_identifier.empty())
        emit(code::unknown_syntax_id, at(unb, 1, 1),
             fmt::format("syntax identifier '{}' is not supported; expected UNOA..UNOL, UNOW, UNOX, UNOY (or IATA/IATB); "
                         "text is read as ISO 8859-1", printable(ich_.syntax_identifier)));
    if (!unb.value(1, 2).empty() && !ich_.syntax_version)
        emit(code::unsupported_version, at(unb, 1, 2),
             fmt::format("syntax version number '{}' is not supported; expected 1, 2, 3 or 4", printable(unb.value(1, 2))));
    if (opt_.charset_override && *opt_.charset_override != ich_.declared_charset)
        emit(code::charset_override, at(unb, 1, 1),
             fmt::format("UNB declares {} but partner settings decode this interchange as {}", ich_.syntax_identifier,
                         encoding_name(*opt_.charset_override)));
    scan = detail::scan_segment(raw.data(), raw.data() + raw.size(), table_);
    report_scan(scan, raw, byte, &unb);
    if (ich_.syntax_identifier.size() == 4) check_service(unb);
    // Date and time of preparation: YYMMDD (syntax 1-3) or CCYYMMDD (4), HHMM.
    const std::string& date = ich_.date;
    if ((date.size() == 6 || date.size() == 8) && std::all_of(date.begin(), date.end(), ::isdigit)) {
        int month = std::stoi(date.substr(date.size() - 4, 2)), day = std::stoi(date.substr(date.size() - 2));
        if (month < 1 || month > 12 || day < 1 || day > 31)
            emit(code::bad_date_time, at(unb, 4, 1), fmt::format("UNB date '{}' is not a calendar date", date));
    }
    const std::string& time = ich_.time;
    if (time.size() == 4 && std::all_of(time.begin(), time.end(), ::isdigit) &&
        (std::stoi(time.substr(0, 2)) > 23 || std::stoi(time.substr(2)) > 59))
        emit(code::bad_date_time, at(unb, 4, 2), fmt::format("UNB time '{}' is not a time of day (HHMM)", time));
    if (outcome == scan_outcome::eof_cut)
        emit(code::unterminated_segment, at(unb), "the input ends inside UNB (no segment terminator)");
    ++stats_.segments;
    beg_ += raw.size() + (outcome == scan_outcome::ok ? 1 : 0);
    h_.interchange_begin(ich_);
}

void engine::inside() {
    if (in_message_ && opt_.keep_segments) {
        // Fast lane with keep_segments: a run of plain data segments (see build_plain), each
        // scanned and built in one sweep into a reused segment, doing what on_segment would do
        // for it (count, number, build, keep) and nothing else, as there is nothing to report.
        bool any = false;
        for (;;) {
            segment& s = next_kept();
            const char* t = builder_.build_plain(cur(), buf_.data() + end_, s);
            if (!t) {
                --kept_;
                break;
            }
            any = true;
            for (int i = 0; i < 3; ++i) s.tag.push_back(cur()[i]);  // inline, where assign() calls out
            s.byte = offset();
            s.number = ++msg_.segment_count;
            s.length = static_cast<std::uint32_t>(t - cur());
            if (opt_.stream_segments) h_.segment(s);
            ++ich_segments_;
            ++stats_.segments;
            beg_ = static_cast<std::size_t>(t + 1 - buf_.data());
            // line breaks between segments, as skip_whitespace takes them
            while (beg_ < end_ && (buf_[beg_] == '\n' || buf_[beg_] == '\r') && buf_[beg_] != table_.delims.segment) ++beg_;
        }
        if (any) return;
    }
    if (in_message_ && !opt_.keep_segments && offset() != refused_) {
        const char* p = cur();
        // Streaming: each plain segment goes to the handler raw, numbered as it is taken; one it
        // refuses is built next, below, not offered again.
        auto offer = [](void* self, const char* begin, const char* terminator) {
            auto& e = *static_cast<engine*>(self);
            std::uint64_t byte = e.base_ + static_cast<std::uint64_t>(begin - e.buf_.data());
            if (!e.h_.plain_segment(std::string_view(begin, static_cast<std::size_t>(terminator - begin)), byte, e.msg_.segment_count + 1)) {
                e.refused_ = byte;
                return false;
            }
            ++e.msg_.segment_count;
            return true;
        };
        std::size_t n = opt_.stream_segments ? detail::skip_plain_segments(p, buf_.data() + end_, table_, offer, this)
                                             : detail::skip_plain_segments(p, buf_.data() + end_, table_);
        if (n) {
            if (!opt_.stream_segments) msg_.segment_count += static_cast<std::uint32_t>(n);
            ich_segments_ += static_cast<std::uint32_t>(n);
            stats_.segments += n;
            beg_ += static_cast<std::size_t>(p - cur());
            return;
        }
    }
    std::uint64_t byte = offset();
    std::string_view raw;
    detail::scan_result scan;
    auto outcome = next_segment(raw, scan);
    if (outcome == scan_outcome::too_long) {
        emit(code::segment_too_long, at(byte, safe_tag(std::string_view(cur(), std::min<std::size_t>(3, avail()))), 0),
             fmt::format("no segment terminator '{}' within {} bytes; the rest of the interchange is skipped",
                         printable(std::string_view(&table_.delims.segment, 1)), opt_.max_segment_bytes));
        // Discard up to the next terminator, chunk by chunk, so memory stays bounded.
        for (;;) {
            const char* t = static_cast<const char*>(std::memchr(cur(), table_.delims.segment, avail()));
            if (t) {
                beg_ += static_cast<std::size_t>(t - cur()) + 1;
                break;
            }
            beg_ = end_;
            if (!more()) break;
        }
        if (in_message_) close_message(false);
        return;
    }
    // UNA/UNB inside an interchange: this one lacks its UNZ; start over outside.
    if (raw.size() >= 3 && raw[0] == 'U' && raw[1] == 'N' && (raw[2] == 'A' || raw[2] == 'B') &&
        (raw[2] == 'A' || raw.size() == 3 || !is_tag_char(raw[3]))) {
        if (ich_.has_unb)
            emit(code::missing_unz, at(byte, safe_tag(raw.substr(0, 3)), 0),
                 fmt::format("interchange {} ('{}') is not closed by UNZ before the next {}", ich_.index, ich_.control_reference, raw.substr(0, 3)));
        end_interchange(false);
        return;  // the cursor still points at UNA/UNB
    }
    on_segment(raw, byte, scan);
    if (outcome == scan_outcome::eof_cut) {
        std::string tag = safe_tag(raw.substr(0, std::min<std::size_t>(3, raw.size())));
        emit(code::unterminated_segment, at(byte, tag, in_message_ ? msg_.segment_count : ich_segments_),
             fmt::format("the input ends inside segment {} ('{}'); expected the segment terminator '{}'", tag,
                         printable(raw.substr(0, 40)), printable(std::string_view(&table_.delims.segment, 1))));
        beg_ = end_;
    } else {
        beg_ += raw.size() + 1;
    }
}

void engine::on_segment(std::string_view raw, std::uint64_t byte, const detail::scan_result& scan) {
    ++stats_.segments;
    ++ich_segments_;
    std::size_t tag_len = 0;
    while (tag_len < raw.size() && raw[tag_len] != table_.delims.element && raw[tag_len] != table_.delims.component) ++tag_len;
    std::string_view tag = raw.substr(0, tag_len);
    bool tag_ok = tag_len == 3 && is_tag_char(tag[0]) && is_tag_char(tag[1]) && is_tag_char(tag[2]);
    bool service = tag_ok && tag[0] == 'U' && tag[1] == 'N';
    char last = raw.empty() ? '\0' : raw.back();
    bool trailing = (last == table_.delims.element || last == table_.delims.component) &&
                    !(raw.size() >= 2 && table_.delims.release && raw[raw.size() - 2] == table_.delims.release);
    // Hot path: an ordinary, clean data segment inside a message is only counted, or built into a
    // reused segment when segments are kept.
    if (in_message_ && !service && tag_ok && !trailing && !scan.first_bad && !scan.bad_release) {
        ++msg_.segment_count;
        if (opt_.keep_segments) make_segment(raw, byte, msg_.segment_count, next_kept());
        if (opt_.stream_segments) {
            segment& built = opt_.keep_segments ? msg_.segments[kept_ - 1] : work_;
            if (!opt_.keep_segments) make_segment(raw, byte, msg_.segment_count, built);
            h_.segment(built);
        }
        return;
    }
    // Only service tags are compared below: a data tag reads as empty there, so each compare
    // stops at the length (the compares were a tenth of the time with keep_segments).
    std::string_view stag = service ? tag : std::string_view();
    std::uint32_t number = in_message_ ? msg_.segment_count + 1 : ich_segments_;
    if (stag == "UNH") number = 1;

    // Envelope transitions that must happen before this segment is attributed.
    if (stag == "UNH" || stag == "UNG" || stag == "UNE" || stag == "UNZ") {
        if (in_message_) {
            emit(code::missing_unt, at(byte, std::string(tag), msg_.segment_count + 1),
                 fmt::format("message {} ('{}') is not closed by UNT before {}", msg_.index, msg_.header.reference, tag),
                 at(byte, "UNT", msg_.segment_count + 1));
            close_message(false);
        }
        if ((stag == "UNG" || stag == "UNZ") && in_group_) {
            emit(code::missing_une, at(byte, std::string(tag), ich_segments_),
                 fmt::format("group {} ('{}') is not closed by UNE before {}", group_.index, group_.reference, tag));
            close_group(false);
        }
        number = stag == "UNH" ? 1 : ich_segments_;
    }

    bool need_segment = service || opt_.keep_segments || opt_.stream_segments;
    segment& seg = work_;
    seg.clear();
    if (need_segment || scan.first_bad || scan.bad_release) {
        if (stag == "UNH") {
            // position the new message before building positions for its findings
            ++stats_.messages;
            in_message_ = true;
            std::vector<segment> segments = std::move(msg_.segments);  // to be refilled in place
            msg_ = message{};
            msg_.segments = std::move(segments);
            kept_ = 0;
            msg_.index = ++ich_end_.messages;
            msg_.group = in_group_ ? group_.index : 0;
            msg_.byte = byte;
        }
        make_segment(raw, byte, number, seg);
        report_scan(scan, raw, byte, &seg);
    } else {
        seg.tag = safe_tag(tag);
        seg.byte = byte;
        seg.number = number;
    }

    if (!tag_ok)
        emit(code::bad_tag, at(byte, safe_tag(tag), number),
             fmt::format("segment tag '{}' is not three upper-case letters or digits", printable(tag)));
    if (trailing)
        emit(code::trailing_separator, at(byte + raw.size() - 1, seg.tag, number),
             fmt::format("segment {} ends with a separator '{}'; trailing separators should be omitted", seg.tag, last));

    if (stag == "UNH") {
        msg_.segment_count = 1;
        msg_.header.reference = seg.value(1);
        msg_.header.type = seg.value(2, 1);
        msg_.header.version = seg.value(2, 2);
        msg_.header.release = seg.value(2, 3);
        msg_.header.agency = seg.value(2, 4);
        msg_.header.association = seg.value(2, 5);
        if (ich_.has_unb) {
            if (uses_groups_ == 1 && !in_group_)
                emit(code::groups_and_messages_mixed, at(seg), "message outside a functional group in an interchange that uses UNG groups");
            if (uses_groups_ == -1) uses_groups_ = in_group_ ? 1 : 0;
        }
        if (in_group_) ++group_messages_;
        check_service(seg);
        if (opt_.keep_segments) next_kept() = seg;
        outside_run_ = false;
        h_.message_begin(msg_);
        if (opt_.stream_segments) h_.segment(seg);
        return;
    }
    if (stag == "UNT") {
        if (!in_message_) {
            emit(code::unexpected_service_segment, at(seg), "UNT without a message to close (no UNH before it)");
            return;
        }
        ++msg_.segment_count;
        check_service(seg);
        std::uint64_t declared = 0;
        if (parse_uint(seg.value(1), declared)) {
            msg_.declared_count = static_cast<std::uint32_t>(declared);
            if (declared != msg_.segment_count)
                emit(code::unt_count, at(seg, 1),
                     fmt::format("UNT says the message has {} segments; {} counted from UNH to UNT inclusive", seg.value(1), msg_.segment_count));
        }
        if (seg.value(2) != msg_.header.reference)
            emit(code::unt_reference, at(seg, 2),
                 fmt::format("UNT message reference '{}' differs from UNH '{}'", seg.value(2), msg_.header.reference));
        if (opt_.keep_segments) next_kept() = seg;
        if (opt_.stream_segments) h_.segment(seg);
        close_message(true);
        return;
    }
    if (in_message_) {
        ++msg_.segment_count;
        if (stag == "UNS") check_service(seg);
        else if (service && stag != "UNS" && stag != "UNO" && stag != "UNP" && stag != "UNQ")
            emit(code::unexpected_service_segment, at(seg), fmt::format("service segment {} cannot occur inside a message", tag));
        if (opt_.keep_segments) next_kept() = seg;
        if (opt_.stream_segments) h_.segment(seg);
        return;
    }
    if (stag == "UNG") {
        if (uses_groups_ == 0)
            emit(code::groups_and_messages_mixed, at(seg), "functional group after messages outside groups in the same interchange");
        uses_groups_ = 1;
        in_group_ = true;
        group_ = group_header{};
        group_.index = ++ich_end_.groups;
        group_.byte = byte;
        group_.message_group_id = seg.value(1);
        group_.application_sender = seg.value(2);
        group_.application_recipient = seg.value(3);
        group_.reference = seg.value(5);
        check_service(seg);
        group_.ung = seg;
        group_messages_ = 0;
        h_.group_begin(group_);
        outside_run_ = false;
        return;
    }
    if (stag == "UNE") {
        if (!in_group_) {
            emit(code::unexpected_service_segment, at(seg), "UNE without a group to close (no UNG before it)");
            return;
        }
        check_service(seg);
        std::uint64_t declared = 0;
        if (parse_uint(seg.value(1), declared) && declared != group_messages_)
            emit(code::une_count, at(seg, 1), fmt::format("UNE says the group has {} messages; {} counted", seg.value(1), group_messages_));
        if (seg.value(2) != group_.reference)
            emit(code::une_reference, at(seg, 2), fmt::format("UNE group reference '{}' differs from UNG '{}'", seg.value(2), group_.reference));
        close_group(true);
        return;
    }
    if (stag == "UNZ") {
        if (!ich_.has_unb) {
            emit(code::unexpected_service_segment, at(seg), "UNZ without UNB");
            end_interchange(false);
            return;
        }
        check_service(seg);
        std::uint64_t declared = 0;
        bool groups = uses_groups_ == 1;
        std::uint32_t counted = groups ? ich_end_.groups : ich_end_.messages;
        if (parse_uint(seg.value(1), declared) && declared != counted)
            emit(code::unz_count, at(seg, 1),
                 fmt::format("UNZ says the interchange has {} {}; {} counted", seg.value(1), groups ? "groups" : "messages", counted));
        if (seg.value(2) != ich_.control_reference)
            emit(code::unz_reference, at(seg, 2),
                 fmt::format("UNZ control reference '{}' differs from UNB '{}'", seg.value(2), ich_.control_reference));
        end_interchange(true);
        return;
    }
    if (service && (stag == "UNB" || stag == "UNS" || stag == "UNT")) {
        emit(code::unexpected_service_segment, at(seg), fmt::format("{} outside a message", tag));
        return;
    }
    if (!outside_run_) {
        emit(code::segment_outside_message, at(seg),
             fmt::format("segment {} is outside a message; expected UNH{} or UNZ", tag, in_group_ ? ", UNE" : ", UNG"));
        outside_run_ = true;
    }
}

void engine::close_message(bool by_unt) {
    msg_.has_trailer = by_unt;
    msg_.end_byte = offset();
    // hand on exactly this message's segments; the ones beyond wait as spares
    for (std::size_t i = kept_; i < msg_.segments.size(); ++i) spare_.push_back(std::move(msg_.segments[i]));
    msg_.segments.resize(kept_);
    h_.message_end(msg_);
    in_message_ = false;
    kept_ = 0;
}

void engine::close_group(bool by_une) {
    if (group_messages_ == 0)
        emit(code::empty_envelope, at(group_.byte, "UNG", group_.ung.number), fmt::format("group {} ('{}') contains no message", group_.index, group_.reference));
    group_trailer t{group_.index, group_messages_, by_une};
    in_group_ = false;
    h_.group_end(t);
}

void engine::end_interchange(bool by_unz) {
    if (in_message_) close_message(false);
    if (in_group_) close_group(false);
    if (ich_.has_unb && ich_end_.messages == 0)
        emit(code::empty_envelope, at(ich_.byte, "UNB", 1), fmt::format("interchange '{}' contains no message", ich_.control_reference));
    ich_end_.has_trailer = by_unz;
    ich_end_.end_byte = offset();
    h_.interchange_end(ich_end_);
    in_interchange_ = false;
}

void engine::finish() {
    if (pending_una_) {
        emit(code::una_without_unb, at(pending_una_byte_, "UNA", 0), "UNA at the end of the input, not followed by UNB");
        pending_una_.reset();
    }
    if (!in_interchange_) return;
    if (in_message_) {
        emit(code::missing_unt, at(offset(), "", 0),
             fmt::format("the input ends inside message {} ('{}'); expected UNT", msg_.index, msg_.header.reference),
             at(offset(), "UNT", msg_.segment_count + 1));
        close_message(false);
    }
    if (in_group_) {
        emit(code::missing_une, at(offset(), "", 0), fmt::format("the input ends inside group {} ('{}'); expected UNE", group_.index, group_.reference));
        close_group(false);
    }
    if (ich_.has_unb)
        emit(code::missing_unz, at(offset(), "", 0),
             fmt::format("the input ends inside interchange {} ('{}'); expected UNZ", ich_.index, ich_.control_reference));
    end_interchange(false);
}

}  // namespace

reader::reader(reader_options options) : options_(std::move(options)) {}

read_stats reader::read(std::istream& in, handler& h) {
    stream_source s(in);
    return engine(options_, h, s).run();
}

read_stats reader::read(std::string_view data, handler& h) {
    buffer_source s(data);
    return engine(options_, h, s).run();
}

read_stats reader::read_file(const std::filesystem::path& path, handler& h, bool* ok) {
    if (ok) *ok = true;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (ok) *ok = false;
        core::diagnostic d;
        d.code = "EDI-IO01";
        d.text = fmt::format("cannot open {}: {}", path.string(), std::strerror(errno));
        h.finding(d);
        return {};
    }
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    fd_source s(fd);
    read_stats st;
    try {
        st = engine(options_, h, s).run();
    } catch (const std::runtime_error& e) {
        if (ok) *ok = false;
        core::diagnostic d;
        d.code = "EDI-IO02";
        d.text = fmt::format("cannot read {}: {}", path.string(), e.what());
        h.finding(d);
    }
    ::close(fd);
    return st;
}

}  // namespace edigate::edifact
