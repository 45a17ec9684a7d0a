// segment_builder.cpp - the general path and the two lanes (see detail/segment_builder.hpp).
#include "detail/segment_builder.hpp"

#include <bit>

namespace edigate::edifact::detail {

segment_builder::segment_builder(charset cs, const delimiters& d) : d_(d), table_(make_scan_table(cs, d)), decoder_(cs, d) {
#if defined(__SSE2__)
    blocks_ = block_classifier(table_);
    element_v_ = _mm_set1_epi8(d.element);
    component_v_ = _mm_set1_epi8(d.component);
    repetition_v_ = _mm_set1_epi8(d.has_repetition() ? d.repetition : d.element);
#endif
    // ASCII decodes as itself in exactly the charsets the decoder converts without iconv.
    bool ascii_identity = cs == charset::unoa || cs == charset::unob || cs == charset::iata || cs == charset::iatb ||
                          cs == charset::unoc || cs == charset::unow || cs == charset::unoy;
    if (cs == charset::unoc) high_ = high_byte::latin1;
    else if (cs == charset::unoa || cs == charset::unob || cs == charset::iata || cs == charset::iatb) high_ = high_byte::question_mark;
    // With two service functions on one character the grammar's order of preference decides, and
    // a separator >= 0x80 would look like text to the lanes: leave those to the general path.
    char rep = d.has_repetition() ? d.repetition : '\0';
    auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80; };
    bool distinct = d.element != d.component && d.element != rep && d.component != rep &&
                    (!d.release || (d.release != d.element && d.release != d.component && d.release != rep));
    lanes_ok_ = ascii_identity && distinct && ascii(d.element) && ascii(d.component) && ascii(rep) && ascii(d.release);
    for (int b = 0; b < 256; ++b) class_[b] = b < 0x80 ? data : other;
    if (d.release) class_[static_cast<unsigned char>(d.release)] = other;
    class_[static_cast<unsigned char>(d.element)] = element;
    class_[static_cast<unsigned char>(d.component)] = component;
    if (rep) class_[static_cast<unsigned char>(rep)] = repetition;
}

std::string_view segment_builder::build(std::string_view raw, segment& s) {
    std::string_view tag;
    if (build_fast(raw, s, tag)) return tag;
    return build_general(raw, s);
}

bool segment_builder::build_fast(std::string_view raw, segment& s, std::string_view& tag) const {
    // Past 65535 bytes a position could pass 65535; the general path knows what to do then.
    if (!lanes_ok_ || raw.size() > 0xFFFF) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    const std::size_t n = raw.size();
    std::size_t i = 0;
    while (i < n && class_[p[i]] == data) ++i;
    if (i < n && class_[p[i]] != element) return false;  // a tag with components, releases or non-ASCII
    auto& entries = s.entries_;
    auto& out = s.buffer_;
    const std::size_t first_entry = entries.size(), first_byte = out.size();
    out.resize(first_byte + 2 * n);  // at most two bytes out for one in
    char* const w0 = out.data();
    char* w = w0 + first_byte;
    std::uint16_t e = 1, r = 1, c = 1;
    std::size_t start = i + 1;                       // where the current value begins in raw
    auto begin = static_cast<std::uint32_t>(w - w0);  // and in the buffer
    for (std::size_t j = i + 1; j <= n && i < n; ++j) {
        std::uint8_t cls = j < n ? class_[p[j]] : std::uint8_t{element};  // the end of raw closes the last value
        if (cls == data) {
            *w++ = static_cast<char>(p[j]);
            continue;
        }
        if (cls == other) {
            // As the decoder does: a release character takes the next byte whatever it is, and is
            // kept as data when nothing follows; bytes >= 0x80 become UTF-8 (ISO 8859-1) or '?'.
            if (d_.release && p[j] == static_cast<unsigned char>(d_.release) && j + 1 < n) ++j;
            unsigned char ch = p[j];
            if (ch < 0x80) {
                *w++ = static_cast<char>(ch);
            } else if (high_ == high_byte::latin1) {
                *w++ = static_cast<char>(0xC0 | (ch >> 6));
                *w++ = static_cast<char>(0x80 | (ch & 0x3F));
            } else if (high_ == high_byte::question_mark) {
                *w++ = '?';
            } else {
                entries.resize(first_entry);
                out.resize(first_byte);
                return false;
            }
            continue;
        }
        auto end = static_cast<std::uint32_t>(w - w0);
        entries.push_back({begin, end - begin, static_cast<std::uint32_t>(start), e, static_cast<std::uint32_t>(r) << 16 | c});
        if (cls == element) {
            ++e;
            r = c = 1;
        } else if (cls == component) {
            ++c;
        } else {
            ++r;
            c = 1;
        }
        start = j + 1;
        begin = end;
    }
    out.resize(static_cast<std::size_t>(w - w0));
    tag = raw.substr(0, i);
    return true;
}

const char* segment_builder::build_plain(const char* p, const char* limit, segment& s) const {
#if defined(__SSE2__)
    static constexpr auto tag_chars = [] {
        std::array<bool, 256> a{};
        for (int ch = 0; ch < 256; ++ch) a[ch] = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        return a;
    }();
    auto tag_char = [](char ch) { return tag_chars[static_cast<unsigned char>(ch)]; };
    if (!lanes_ok_ || limit - p < 4 || !(tag_char(p[0]) & tag_char(p[1]) & tag_char(p[2])) || (p[0] == 'U' && p[1] == 'N') ||
        (p[3] != d_.element && p[3] != d_.segment))
        return nullptr;
    const auto& t = table_;
    // One 16-byte block from b: bit i of each mask is byte b + i; nothing at or past limit.
    auto block = [&](const char* b, std::uint32_t& special, std::uint32_t& flagged, std::uint32_t& el, std::uint32_t& co,
                     std::uint32_t& seps) {
        if (b >= limit) {
            special = flagged = el = co = seps = 0;
            return;
        }
        unsigned sp, fl;
        blocks_.classify(b, limit, sp, fl);
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
        const __m128i ev = _mm_cmpeq_epi8(v, element_v_), cv = _mm_cmpeq_epi8(v, component_v_);
        unsigned keep = b + 16 <= limit ? 0xFFFFu : (1u << (limit - b)) - 1;
        special = sp;
        flagged = fl;
        el = static_cast<unsigned>(_mm_movemask_epi8(ev)) & keep;
        co = static_cast<unsigned>(_mm_movemask_epi8(cv)) & keep;
        seps = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(ev, cv), _mm_cmpeq_epi8(v, repetition_v_)))) & keep;
    };
    auto& entries = s.entries_;
    const std::size_t first_entry = entries.size();
    const auto base = static_cast<std::uint32_t>(s.buffer_.size());
    auto give_up = [&] {
        entries.resize(first_entry);
        return nullptr;
    };
    std::uint32_t e = 1, rc = 0x10001;  // element; repetition << 16 | component
    std::uint32_t start = 4;            // where the current value begins, from p
    // Where the text differs from the raw bytes: a release character is left out, a byte
    // >= 0x80 under UNOC (ISO 8859-1) becomes two bytes of UTF-8. `grown` is how much longer the
    // text is than the raw bytes so far (negative: shorter), `start_grown` the same at `start`.
    std::uint32_t edits[16], edit_count = 0;  // raw positions, in order
    std::int32_t grown = 0, start_grown = 0;
    auto value_to = [&](std::uint32_t end) {
        entries.push_back({static_cast<std::uint32_t>(static_cast<std::int32_t>(base + start) + start_grown),
                           static_cast<std::uint32_t>(static_cast<std::int32_t>(end - start) + grown - start_grown), start, e,
                           rc});
    };
    // 32 bytes a turn: most segments end in the first, which keeps the unpredictable branches few
    const char* q = p + 3;
    while (q < limit && q - p <= 0xFFFF) {
        std::uint32_t special, flagged, is_elem, is_comp, seps, special_hi, flagged_hi, elem_hi, comp_hi, seps_hi;
        block(q, special, flagged, is_elem, is_comp, seps);
        block(q + 16, special_hi, flagged_hi, elem_hi, comp_hi, seps_hi);
        special |= special_hi << 16;
        flagged |= flagged_hi << 16;
        is_elem |= elem_hi << 16;
        is_comp |= comp_hi << 16;
        seps |= seps_hi << 16;
        std::uint32_t before = special ? (special & (0u - special)) - 1 : ~0u;  // bytes before the first special one
        std::uint32_t highs = 0;  // the bytes >= 0x80 of this turn
        for (std::uint32_t f = flagged & before; f; f &= f - 1) {
            auto k = static_cast<unsigned>(std::countr_zero(f));
            auto ch = static_cast<unsigned char>(q[k]);
            if (t.cls[ch] != byte_class::ok || (ch >= 0x80 && (high_ != high_byte::latin1 || edit_count == 16)))
                return give_up();
            if (ch >= 0x80) {
                edits[edit_count++] = static_cast<std::uint32_t>(q - p) + k;
                highs |= 1u << k;
            }
        }
        if (q == p + 3) seps &= ~1u;  // the separator after the tag opens element 1
        const auto at = static_cast<std::uint32_t>(q - p);
        for (std::uint32_t m = (seps | highs) & before; m; m &= m - 1) {
            auto k = static_cast<unsigned>(std::countr_zero(m));
            if ((highs >> k) & 1) {  // rare: text grows by a byte here
                ++grown;
                continue;
            }
            value_to(at + k);
            // Next repetition (kind 0), component (1) or element (2), without branches:
            // separators come in no predictable order.
            static constexpr std::uint32_t keep_bits[3] = {0xFFFF0000, 0xFFFFFFFF, 0}, plus[3] = {0x10001, 1, 0x10001};
            std::uint32_t el = (is_elem >> k) & 1, kind = 2 * el + ((is_comp >> k) & 1);
            e += el;
            rc = (rc & keep_bits[kind]) + plus[kind];
            start = at + k + 1;
            start_grown = grown;
        }
        if (!special) {
            q += 32;
            continue;
        }
        const char* x = q + std::countr_zero(special);
        auto n = static_cast<std::uint32_t>(x - p);
        if (*x != d_.segment) {
            // a release character: it releases the next byte, which must be a service character
            // (else the scanner reports it), and the sweep goes on after that byte
            if (x + 1 >= limit || !d_.is_service(x[1]) || edit_count == 16) return give_up();
            edits[edit_count++] = n;
            --grown;
            q = x + 2;
            continue;
        }
        // a trailing separator is reported: the reader's rule, a separator not right after a release character
        if (n > 0xFFFF || (n > 3 && (x[-1] == d_.element || x[-1] == d_.component) && !(d_.release && x[-2] == d_.release)))
            return give_up();
        if (n > 3) value_to(n);
        std::uint32_t from = 0;  // the text: the raw bytes with the edits
        for (std::uint32_t i = 0; i < edit_count; ++i) {
            s.buffer_.insert(s.buffer_.end(), p + from, p + edits[i]);
            if (auto ch = static_cast<unsigned char>(p[edits[i]]); ch >= 0x80) {
                s.buffer_.push_back(static_cast<char>(0xC0 | (ch >> 6)));
                s.buffer_.push_back(static_cast<char>(0x80 | (ch & 0x3F)));
            }
            from = edits[i] + 1;
        }
        s.buffer_.insert(s.buffer_.end(), p + from, p + n);
        return x;
    }
    return give_up();
#else
    (void)p;
    (void)limit;
    (void)s;
    return nullptr;
#endif
}

std::string_view segment_builder::build_general(std::string_view raw, segment& s) {
    split_segment(raw, d_, pieces_);
    // Element 0 is the tag. Positions are 16-bit and wrap after 65535 elements, repetitions or
    // components: a piece that is not after the previous one is such a wrap, and is left out
    // rather than misfiled (these segments are far beyond any directory's limits).
    std::uint16_t e = 0, r = 0, c = 0;
    for (const auto& p : pieces_) {
        if (p.element == 0 || p.element < e || (p.element == e && (p.repetition < r || (p.repetition == r && p.component <= c))))
            continue;
        e = p.element;
        r = p.repetition;
        c = p.component;
        std::string_view text = raw.substr(p.begin, p.end - p.begin);
        scratch_.clear();
        decoder_.decode(text, scratch_);
        s.add_with(e, r, c, p.begin, [&](std::vector<char>& out) { out.insert(out.end(), scratch_.begin(), scratch_.end()); });
    }
    return raw.substr(pieces_[0].begin, pieces_[0].end - pieces_[0].begin);
}

}  // namespace edigate::edifact::detail
