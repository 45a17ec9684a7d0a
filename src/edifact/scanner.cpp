// scanner.cpp - SSE2 segment scanner with a scalar path for multi-byte text and other targets.
//
// Why SIMD: the envelope check of a 1 GB interchange touches every byte once; a byte-at-a-time
// loop runs at about a quarter of memory speed here. Each 16-byte block is compared against the
// terminator and the release character; bytes outside a cheap "surely fine" range are looked up in
// the charset table. Multi-byte text (UTF-8, GB18030) drops to the scalar loop for the rest of the
// segment, which keeps sequences whole so their trailing bytes are never taken for separators.
#include "detail/scanner.hpp"

#include <bit>

namespace edigate::edifact::detail {

namespace {
constexpr bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }
}  // namespace

scan_table make_scan_table(charset cs, const delimiters& d) {
    scan_table t;
    t.delims = d;
    auto& c = t.cls;
    for (int b = 0; b < 256; ++b) c[b] = byte_class::bad;
    auto allow = [&](int lo, int hi) {
        for (int b = lo; b <= hi; ++b) c[b] = byte_class::ok;
    };
    switch (cs) {
    case charset::unoa:
    case charset::unob:
        // ISO 9735-1 level A: A-Z 0-9 space . , - ( ) / = ' + : ? ! " % & * ; < >; level B adds a-z.
        t.strict_ascii = true;
        allow('A', 'Z');
        allow('0', '9');
        for (unsigned char x : std::string_view(" .,-()/='+:?!\"%&*;<>")) c[x] = byte_class::ok;
        for (int b = 'a'; b <= 'z'; ++b) c[b] = cs == charset::unob ? byte_class::ok : byte_class::lowercase;
        break;
    case charset::iata:
    case charset::iatb:
        allow(0x20, 0x7E);
        break;
    case charset::unox:
        allow(0x20, 0x7E);
        c[0x1B] = c[0x0E] = c[0x0F] = byte_class::ok;  // ISO 2022 escape, shift-out, shift-in
        break;
    case charset::unow:
    case charset::unoy:
        t.utf8 = true;
        allow(0x20, 0x7E);
        for (int b = 0x80; b <= 0xBF; ++b) c[b] = byte_class::trail_bad;
        for (int b = 0xC2; b <= 0xF4; ++b) c[b] = byte_class::lead;
        break;
    case charset::gb18030:
        t.gb18030 = true;
        allow(0x20, 0x7E);
        for (int b = 0x81; b <= 0xFE; ++b) c[b] = byte_class::lead;
        break;
    default:
        // ISO 8859-n: G0 printable ASCII and G1 0xA0-0xFF; C0 and C1 controls are not characters.
        allow(0x20, 0x7E);
        allow(0xA0, 0xFF);
        break;
    }
    c['\r'] = c['\n'] = byte_class::line_break;
    // Separators may be any character the UNA names (ISO 9735-1 allows it), so they are always fine.
    for (char s : {d.component, d.element, d.decimal, d.release, d.repetition, d.segment})
        if (s) c[static_cast<unsigned char>(s)] = byte_class::ok;
    return t;
}

int utf8_sequence(const unsigned char* p, const unsigned char* limit) noexcept {
    unsigned char b = p[0];
    int n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (b < 0xC2 || b > 0xF4) return 0;
    if (limit - p < n) {
        for (const unsigned char* q = p + 1; q < limit; ++q)
            if ((*q & 0xC0) != 0x80) return 0;
        return -1;
    }
    for (int i = 1; i < n; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (b == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (b == 0xED && p[1] > 0x9F) return 0;  // surrogates
    if (b == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (b == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    return n;
}

int gb18030_sequence(const unsigned char* p, const unsigned char* limit) noexcept {
    if (!in(p[0], 0x81, 0xFE)) return 0;
    if (limit - p < 2) return -1;
    if (in(p[1], 0x40, 0x7E) || in(p[1], 0x80, 0xFE)) return 2;
    if (!in(p[1], 0x30, 0x39)) return 0;
    if (limit - p < 4) return -1;
    return in(p[2], 0x81, 0xFE) && in(p[3], 0x30, 0x39) ? 4 : 0;
}

namespace {


inline void note_bad(scan_result& r, const char* q, byte_class cls, bool encoding) {
    if (!r.first_bad) {
        r.first_bad = q;
        r.bad_class = cls;
        r.bad_encoding = encoding;
    }
    ++r.bad_count;
}

// Byte-at-a-time scan from q; the reference behaviour the SIMD loop must match.
scan_result scan_scalar(const char* q, const char* limit, const scan_table& t, scan_result r) noexcept {
    const char term = t.delims.segment, rel = t.delims.release;
    while (q < limit) {
        char ch = *q;
        if (ch == term) {
            r.state = scan_result::status::complete;
            r.terminator = q;
            return r;
        }
        if (rel && ch == rel) {
            if (q + 1 >= limit) return r;  // need more: the released character is not here yet
            if (!t.delims.is_service(q[1])) {
                if (!r.bad_release) r.bad_release = q;
                ++q;  // the next character is ordinary data; look at it normally
                continue;
            }
            r.released = true;
            q += 2;
            continue;
        }
        auto cls = t.cls[static_cast<unsigned char>(ch)];
        if (cls == byte_class::ok) {
            ++q;
            continue;
        }
        if (cls == byte_class::lead) {
            auto* u = reinterpret_cast<const unsigned char*>(q);
            auto* ul = reinterpret_cast<const unsigned char*>(limit);
            int n = t.utf8 ? utf8_sequence(u, ul) : gb18030_sequence(u, ul);
            if (n < 0) return r;  // need more
            if (n > 0) {
                q += n;
                continue;
            }
            note_bad(r, q, byte_class::bad, true);
            ++q;
            continue;
        }
        note_bad(r, q, cls == byte_class::trail_bad ? byte_class::bad : cls, cls == byte_class::trail_bad);
        ++q;
    }
    return r;
}

}  // namespace

std::size_t skip_plain_segments(const char*& p, const char* limit, const scan_table& t, plain_segment_fn each, void* context) noexcept {
#if defined(__SSE2__)
    const char term = t.delims.segment, rel = t.delims.release;
    const char elem = t.delims.element, comp = t.delims.component;
    const block_classifier blocks(t);
    auto tag_char = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    // A segment can start here if its tag is plain and the whole tag is inside the buffer.
    auto plain_start = [&](const char* s) {
        return s + 4 <= limit && tag_char(s[0]) && tag_char(s[1]) && tag_char(s[2]) && !(s[0] == 'U' && s[1] == 'N') &&
               (s[3] == elem || s[3] == comp || s[3] == term);
    };
    std::size_t count = 0;
    const char* seg = p;
    if (!plain_start(seg)) return 0;
    const char* skip = seg;  // bytes before this are already accounted for
    for (const char* q = seg; q < limit; q += 16) {
        unsigned special, flagged;
        blocks.classify(q, limit, special, flagged);
        unsigned events = special | flagged;
        for (; events; events &= events - 1) {
            const char* x = q + std::countr_zero(events);
            if (x < skip) continue;
            if (special & (1u << (x - q))) {
                if (*x == term) {
                    // trailing separator (unless released) makes the segment not plain
                    if ((x[-1] == elem || x[-1] == comp) && !(rel && x - 2 >= seg && x[-2] == rel)) {
                        p = seg;
                        return count;
                    }
                    if (each && !each(context, seg, x)) {
                        p = seg;
                        return count;
                    }
                    ++count;
                    const char* next = x + 1;
                    while (next < limit && (*next == '\n' || *next == '\r') && *next != term) ++next;
                    seg = skip = next;
                    p = seg;
                    if (!plain_start(seg)) return count;
                    continue;
                }
                // release character: only before a separator, and the released byte is skipped
                if (x + 1 >= limit || !t.delims.is_service(x[1])) {
                    p = seg;
                    return count;
                }
                skip = x + 2;
                continue;
            }
            if (t.cls[static_cast<unsigned char>(*x)] != byte_class::ok) {
                p = seg;
                return count;
            }
        }
    }
    p = seg;
    return count;
#else
    (void)limit;
    (void)t;
    (void)p;
    (void)each;
    (void)context;
    return 0;
#endif
}

scan_result scan_segment_scalar(const char* p, const char* limit, const scan_table& t) noexcept {
    return scan_scalar(p, limit, t, scan_result{});
}

scan_result scan_segment(const char* p, const char* limit, const scan_table& t) noexcept {
    scan_result r;
#if defined(__SSE2__)
    const char term = t.delims.segment;
    const block_classifier blocks(t);
    const char* q = p;
    while (q < limit) {
        unsigned special, flagged;
        blocks.classify(q, limit, special, flagged);
        unsigned before = special ? (special & (0u - special)) - 1 : 0xFFFFu;
        for (unsigned f = flagged & before; f; f &= f - 1) {
            const char* x = q + std::countr_zero(f);
            auto cls = t.cls[static_cast<unsigned char>(*x)];
            if (cls == byte_class::ok) continue;
            if (cls == byte_class::lead || cls == byte_class::trail_bad) return scan_scalar(x, limit, t, r);
            note_bad(r, x, cls, false);
        }
        if (special) {
            const char* x = q + std::countr_zero(special);
            if (*x == term) {
                r.state = scan_result::status::complete;
                r.terminator = x;
                return r;
            }
            if (x + 1 >= limit) return r;
            if (!t.delims.is_service(x[1])) {
                if (!r.bad_release) r.bad_release = x;
                q = x + 1;
            } else {
                r.released = true;
                q = x + 2;
            }
            continue;
        }
        q += 16;
    }
    return r;
#else
    return scan_scalar(p, limit, t, r);
#endif
}

}  // namespace edigate::edifact::detail
