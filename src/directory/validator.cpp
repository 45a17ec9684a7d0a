// validator.cpp - message structure and data element checks against a directory.
//
// The structure check walks the segment table like a pushdown automaton: one frame per open
// segment group, each frame at one entry of its group with the number of times that entry has
// occurred. A segment is matched greedily in the innermost frame that can still take it (a repeat
// of the current entry, or a later entry, or the trigger of a later group), else in an enclosing
// frame; the mandatory entries skipped on the way are the missing ones. A segment no frame can
// take is reported and skipped, so one stray segment does not derail the rest of the message.
#include "edigate/directory/validator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>

#include "edigate/directory/codes.hpp"
#include "edigate/edifact/tree.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace edigate::directory {

namespace {

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// Byte classes for the value checks: a value's classes OR-ed together answer the usual cases
// (all digits; no digit; all ASCII) without a second look.
enum : std::uint8_t { cc_digit = 1, cc_high = 2, cc_other = 4 };
constexpr auto char_classes = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c >= '0' && c <= '9' ? cc_digit : c >= 0x80 ? cc_high : cc_other;
    return t;
}();

std::string describe_entry(const structure_entry& e) {
    return e.is_group() ? fmt::format("segment group {} (starting with {})", e.group, e.first_tag())
                        : fmt::format("segment {} ({})", e.tag, e.name);
}

struct frame {
    const std::vector<structure_entry>* children;
    const structure_entry* group;  ///< the segment group this frame is in, nullptr at the message level
    std::size_t index = 0;    ///< current entry
    std::uint32_t count = 0;  ///< occurrences of the current entry so far (0: not yet matched)
    std::uint32_t serial = 0; ///< which group occurrence this frame is, unique in the message
};

/// Where a segment is, for structure findings: its tag, byte offset and number.
struct spot {
    std::string_view tag;
    std::uint64_t byte;
    std::uint32_t number;
};

struct match {
    std::size_t level;
    std::size_t entry;
    bool repeat;
};

}  // namespace

class validator::run {
public:
    explicit run(const validation_options& opt) : opt_(opt) {}

    /// Starts a message: its definition, where it sits, where its findings go.
    void start(const directory& dir, const message_def& def, const edifact::message& m, const edifact::interchange_header& ich,
               emit_fn emit, const placement_fn* place, message_verdict& verdict) {
        dir_ = &dir;
        ich_ = &ich;
        emit_ = std::move(emit);
        place_ = place;
        verdict_ = &verdict;
        group_ = m.group;
        index_ = m.index;
        association_ = m.header.association;
        serial_ = 0;
        previous_number_ = 0;
        stack_.clear();
        stack_.push_back(frame{&def.body, nullptr, 0, 0});
        auto cs = ich.decoding;
        single_byte_ = cs != edifact::charset::unow && cs != edifact::charset::unox && cs != edifact::charset::unoy &&
                       cs != edifact::charset::gb18030;
        raw_ok_ = !place && (single_byte_ || cs == edifact::charset::unow || cs == edifact::charset::unoy);
    }

    void segment(const edifact::segment& s) {
        const structure_entry* e = structure(spot{s.tag, s.byte, s.number});
        core::node* into = nullptr;
        if (place_) {
            open_.clear();
            for (std::size_t i = 1; i < stack_.size(); ++i) open_.push_back(group_occurrence{stack_[i].group, stack_[i].serial});
            into = (*place_)(s, e, open_);
        }
        if (!is_service_tag(s.tag))
            if (const auto* def = e && e->definition ? e->definition : dir_->segment(s.tag))
                if (!(into && def == e->definition ? clean_into(s, *def, *into) : clean(s, def->checks)))
                    elements(s, *def);  // the detailed checks, which write the findings
        remember(spot{s.tag, s.byte, s.number});
    }

    /// A plain data segment, raw: checked here when nothing is wrong with it, else false and
    /// nothing changed (the caller builds it and calls segment()).
    bool plain(std::string_view raw, std::uint64_t byte, std::uint32_t number) {
        if (!raw_ok_ || raw.size() < 3) return false;
        const spot here{raw.substr(0, 3), byte, number};
        auto hit = find(here.tag);
        if (!hit) return false;
        const structure_entry* e = &entry(stack_[hit->level], hit->entry);
        if (e->is_group()) e = &e->children.front();
        const segment_def* def = e->definition ? e->definition : dir_->segment(here.tag);
        if (!def || !raw_clean(raw, def->checks)) return false;
        advance(*hit, here);
        remember(here);
        return true;
    }

    void finish(bool has_trailer) {
        if (!has_trailer || !previous_number_) return;  // the syntax engine already reported the cut-off message
        const spot last{std::string_view(last_tag_.data(), last_tag_size_), last_byte_, previous_number_};
        while (stack_.size() > 1) close_top(last, true);
        report_skipped(stack_[0], stack_[0].count ? stack_[0].index + 1 : stack_[0].index, stack_[0].children->size(), last, true);
    }

private:
    /// The last segment seen, for positions at the end of the message and of skipped entries.
    void remember(const spot& s) {
        last_tag_size_ = std::min(s.tag.size(), last_tag_.size());
        std::memcpy(last_tag_.data(), s.tag.data(), last_tag_size_);
        last_byte_ = s.byte;
        previous_number_ = s.number;
    }

    // ---- structure -------------------------------------------------------------------------

    static const structure_entry& entry(const frame& f, std::size_t i) { return (*f.children)[i]; }
    /// Mandatory entries of the frame's list before index i (i may be the list's size).
    static std::uint32_t mandatory_from(const frame& f, std::size_t i) {
        if (i < f.children->size()) return entry(f, i).mandatory_before;
        const auto& last = f.children->back();
        return last.mandatory_before + (last.mandatory ? 1 : 0);
    }

    /// "SG7/SG8" for a frame of the stack, empty at the message level (built only for findings).
    std::string path(const frame& f) const {
        std::string out;
        for (const frame* p = stack_.data(); p <= &f; ++p)
            if (p->group) out += fmt::format("{}SG{}", out.empty() ? "" : "/", p->group->group);
        return out;
    }

    std::optional<match> find(std::string_view tag) const {
        std::uint32_t key = tag_key(tag);
        if (key == 0) return std::nullopt;
        for (std::size_t level = stack_.size(); level-- > 0;) {
            const frame& f = stack_[level];
            if (f.count > 0 && entry(f, f.index).key == key && f.count < entry(f, f.index).max_repeat)
                return match{level, f.index, true};
            for (std::size_t k = f.count > 0 ? f.index + 1 : f.index; k < f.children->size(); ++k)
                if (entry(f, k).key == key) return match{level, k, false};
        }
        // Nothing can take it: a repeat beyond the maximum of the innermost entry that has this tag.
        for (std::size_t level = stack_.size(); level-- > 0;) {
            const frame& f = stack_[level];
            if (f.count > 0 && entry(f, f.index).key == key) return match{level, f.index, true};
        }
        return std::nullopt;
    }

    /// Tags acceptable at the current position, for "expected ..." texts.
    std::string expected_here() const {
        std::vector<std::string> tags;
        for (std::size_t level = stack_.size(); level-- > 0;) {
            const frame& f = stack_[level];
            std::size_t k = f.count > 0 ? f.index : f.index;
            bool blocked = false;
            for (; k < f.children->size() && !blocked; ++k) {
                const auto& e = entry(f, k);
                bool current = f.count > 0 && k == f.index;
                if (current && f.count >= e.max_repeat) continue;
                std::string prefix = path(f);
                std::string name = (prefix.empty() ? "" : prefix + "/") + (e.is_group() ? fmt::format("SG{}/", e.group) : "") + e.first_tag();
                if (std::find(tags.begin(), tags.end(), name) == tags.end()) tags.push_back(name);
                blocked = e.mandatory && !current && !(f.count > 0 && k < f.index);
            }
            if (blocked || tags.size() >= 8) break;
        }
        if (tags.empty()) return "nothing (the message should end)";
        std::string out;
        for (std::size_t i = 0; i < tags.size() && i < 8; ++i) out += (i ? ", " : "") + tags[i];
        return out;
    }

    std::string path_of(const frame& f, const structure_entry& e) const {
        std::string p = path(f);
        if (!p.empty()) p += '/';
        return e.is_group() ? p + fmt::format("SG{}/{}", e.group, e.first_tag()) : p + e.tag;
    }

    /// Mandatory entries [from, to) of frame f never seen: missing, noticed at segment `at`.
    void report_skipped(const frame& f, std::size_t from, std::size_t to, const spot& at, bool at_end) {
        if (from >= to || mandatory_from(f, from) == mandatory_from(f, to)) return;  // nothing mandatory skipped (the usual case)
        report_missing(f, from, to, at, at_end);
    }

    [[gnu::noinline]] void report_missing(const frame& f, std::size_t from, std::size_t to, const spot& at, bool at_end) {
        for (std::size_t k = from; k < to; ++k) {
            const auto& e = entry(f, k);
            if (!e.mandatory) continue;
            core::position where = pos(at);
            core::position expected = where;
            expected.tag = e.first_tag();
            expected.segment = previous_number_ ? previous_number_ : at.number;
            if (at_end) {
                expected.byte = at.byte;
                expected.segment = at.number;
            }
            std::string place = at_end ? fmt::format("before the end of {}", f.group ? path(f) : "the message")
                                       : fmt::format("before segment {} {}", at.number, at.tag);
            add(code::missing_segment, where,
                fmt::format("mandatory {} missing at {} (position {}) {}", describe_entry(e), path_of(f, e), e.position, place), expected);
        }
    }

    void close_top(const spot& at, bool at_end) {
        const frame& f = stack_.back();
        report_skipped(f, f.count ? f.index + 1 : f.index, f.children->size(), at, at_end);
        stack_.pop_back();
    }

    /// Moves through the segment table; returns the entry the segment matched, nullptr if none.
    const structure_entry* structure(const spot& s) {
        auto hit = find(s.tag);
        if (!hit) {
            if (is_service_tag(s.tag) || dir_->segment(s.tag))
                add(code::segment_not_allowed, pos(s),
                    fmt::format("segment {} is not allowed here; expected {}", s.tag, expected_here()));
            else
                add(code::unknown_segment, pos(s), fmt::format("segment {} is not defined in directory {}", s.tag, dir_->id()));
            return nullptr;
        }
        return advance(*hit, s);
    }

    /// Moves to where find() placed segment s; returns the entry it matched.
    const structure_entry* advance(const match& hit, const spot& s) {
        while (stack_.size() > hit.level + 1) close_top(s, false);
        frame& f = stack_.back();
        const auto& e = entry(f, hit.entry);
        if (hit.repeat) {
            ++f.count;
            if (f.count > e.max_repeat) {
                if (e.is_group())
                    add(code::group_repeated, pos(s),
                        fmt::format("{} occurs {} times at {}; at most {} allowed", describe_entry(e), f.count, path_of(f, e), e.max_repeat));
                else
                    add(code::segment_repeated, pos(s),
                        fmt::format("segment {} occurs {} times in a row at {}; at most {} allowed", e.tag, f.count, path_of(f, e), e.max_repeat));
            }
        } else {
            report_skipped(f, f.count ? f.index + 1 : f.index, hit.entry, s, false);
            f.index = hit.entry;
            f.count = 1;
        }
        if (e.is_group()) {
            stack_.push_back(frame{&e.children, &e, 0, 1, ++serial_});
            return &e.children.front();
        }
        return &e;
    }

    // ---- data elements: the fast pass ------------------------------------------------------
    //
    // Nearly every segment has no findings. clean() walks the segment's values once against the
    // flattened definition and says whether elements() would find nothing; it returns false as
    // soon as anything may be wrong (or is unusual), and then elements() runs and writes the
    // findings. So clean() may be stricter than elements(), never laxer: each test below mirrors
    // one in elements(), composite() or value().

    bool clean(const edifact::segment& s, const segment_checks& sc) const {
        const std::size_t defined = sc.elements.size();
        if (!sc.fits_masks || s.element_count() > defined) return false;
        auto items = s.items();
        const std::size_t n = items.size();
        std::uint64_t present = 0;  // bit e-1: element e has a non-empty value
        for (std::size_t i = 0; i < n;) {
            // items come in (element, repetition, component) order, none past `defined`
            const std::size_t e = items[i].element;
            const element_check& ec = sc.elements[e - 1];
            std::size_t end = i;
            bool any = false;
            while (end < n && items[end].element == e) any = any || !items[end].text.empty(), ++end;
            if (!any) {  // as elements(): an element of empty values is absent, and nothing else is checked
                i = end;
                continue;
            }
            present |= std::uint64_t{1} << (e - 1);
            if (items[end - 1].repetition > ec.repeat) return false;
            while (i < end) {
                std::size_t r = items[i].repetition, stop = i;
                while (stop < end && items[stop].repetition == r) ++stop;
                if (!repetition_clean(items, i, stop, ec, &sc.values[ec.first])) return false;
                i = stop;
            }
        }
        return (sc.mandatory_elements & ~present) == 0;
    }

    /// clean() of one repetition of an element that has a value: its values are items [i, stop).
    bool repetition_clean(const edifact::segment::item_view& items, std::size_t i, std::size_t stop, const element_check& ec,
                          const value_check* vc) const {
        if (!ec.composite) return stop == i + 1 && items[i].component == 1 && value_clean(items[i].text, vc[0], false);
        if (ec.count == 0) return true;
        if (items[stop - 1].component > ec.count) return false;
        if (ec.has_roles) {
            if (ec.count > max_fast_components) return false;
            // ec.count of them cleared, not all: value-initialising the array was a `rep stos`
            // over 256 bytes per composite, a sixth of clean()'s time
            struct piece {
                const char* data;
                std::size_t size;
            } pieces[max_fast_components];
            std::fill(pieces, pieces + ec.count, piece{nullptr, 0});
            for (std::size_t k = i; k < stop; ++k) pieces[items[k].component - 1] = {items[k].text.data(), items[k].text.size()};
            auto comps = [&](std::size_t c) { return std::string_view(pieces[c].data, pieces[c].size); };
            return composite_clean(vc, ec, comps, [&](std::size_t c, bool external) { return value_clean(comps(c), vc[c], external); });
        }
        std::uint64_t got = 0;  // bit c-1: component c has a value
        for (std::size_t k = i; k < stop; ++k) {
            auto v = items[k].text;
            if (v.empty()) continue;
            std::size_t c = items[k].component - 1;
            got |= std::uint64_t{1} << c;
            if (!value_clean(v, vc[c], false)) return false;
        }
        return (ec.mandatory_components & ~got) == 0;
    }

    /// clean(), filling `n` with the segment named by its definition on the way (the node a
    /// message tree has at this place; what a previous message left there is refilled): one pass
    /// over the values does both. Positions without a value keep their node, empty.
    bool clean_into(const edifact::segment& s, const segment_def& def, core::node& n) const {
        const segment_checks& sc = def.checks;
        n.name = def.symbol.empty() ? core::symbol(s.tag) : def.symbol;
        n.byte = s.byte;
        const auto items = s.items();
        const std::size_t count = s.element_count(), total = items.size();
        bool ok = sc.fits_masks && count <= sc.elements.size();
        std::uint64_t present = 0;  // as in clean()
        std::size_t elements = 0;
        std::size_t i = 0;
        for (std::size_t e = 1; e <= count; ++e) {
            // Names from the compact checks (element_check, value_check), not from element_use:
            // what is read per node stays in a few cache lines.
            const element_check* ec = e <= sc.elements.size() ? &sc.elements[e - 1] : nullptr;
            const core::symbol& name = ec ? ec->symbol : core::symbol(edifact::position_name('e', e));
            std::size_t end = i;  // the values of element e: [i, end)
            bool any = false;
            while (end < total && items[end].element == e) any = any || !items[end].text.empty(), ++end;
            bool check = ok && any;  // as clean(): an element of empty values is absent, nothing else is checked
            if (check) {
                present |= std::uint64_t{1} << (e - 1);
                if (items[end - 1].repetition > ec->repeat) ok = check = false;
            }
            std::size_t reps = end > i ? items[end - 1].repetition : 1;
            for (std::size_t r = 1; r <= reps; ++r) {
                auto& en = n.refill_child(elements);
                en.name = name;
                if (r > 1) en.set_attribute("repeat", std::to_string(r));
                std::size_t stop = i;  // the values of repetition r: [i, stop)
                while (stop < end && items[stop].repetition == r) ++stop;
                if (stop == i) {  // empty position
                    en.trim(0);
                    continue;
                }
                if (check && !repetition_clean(items, i, stop, *ec, &sc.values[ec->first])) ok = check = false;
                std::size_t comps = items[stop - 1].component;
                en.byte = items[i].component == 1 ? s.byte + items[i].offset : s.byte_of(e, 1, r);
                if (comps == 1 && !(ec && ec->composite)) {
                    en.value.assign(items[i].text);
                    en.trim(0);
                    i = stop;
                    continue;
                }
                std::size_t components = 0;
                for (std::size_t c = 1; c <= comps; ++c) {
                    bool here = i < stop && items[i].component == c;
                    auto& cn = en.refill_child(components);
                    if (ec && ec->composite && c <= ec->count) cn.name = sc.values[ec->first + c - 1].symbol;
                    else cn.name = core::symbol(edifact::position_name('c', c));
                    if (here) cn.value.assign(items[i].text);
                    cn.trim(0);
                    cn.byte = here ? s.byte + items[i].offset : s.byte_of(e, c, r);
                    i += here;
                }
                en.trim(components);
            }
            i = end;
        }
        n.trim(elements);
        return ok && (sc.mandatory_elements & ~present) == 0;
    }

    /// composite() without findings for a composite whose components have roles (1131, 3055,
    /// 2380, 2379), for one repetition: comp(c) is component c (0-based; absent ones empty),
    /// fine(c, external) checks its value, without code lists when external.
    template <class Comp, class Fine>
    bool composite_clean(const value_check* vc, const element_check& ec, Comp&& comp, Fine&& fine) const {
        bool external = false;
        std::size_t at_2380 = 0, at_2379 = 0;  // 1-based, 0 = absent
        using role = component_use::role;
        for (std::size_t c = 0; c < ec.count; ++c) {
            auto kind = vc[c].kind;
            if (kind == role::none || comp(c).empty()) continue;
            if (kind == role::list_qualifier || (kind == role::agency && comp(c) != "6")) external = true;
            if (kind == role::date_value) at_2380 = c + 1;
            if (kind == role::date_format) at_2379 = c + 1;
        }
        for (std::size_t c = 0; c < ec.count; ++c) {
            if (comp(c).empty()) {
                if (vc[c].mandatory) return false;
                continue;
            }
            if (!fine(c, external)) return false;
        }
        return !(at_2380 && at_2379) || date_time_fits(comp(at_2380 - 1), comp(at_2379 - 1));
    }

    static constexpr std::size_t max_fast_components = 16;

    /// value() without findings.
    bool value_clean(std::string_view v, const value_check& r, bool external_codes) const {
        if (v.empty()) return true;
        std::size_t length;
        if (r.type == repr::kind::n) {
            unsigned seen = 0;
            for (char ch : v) seen |= char_classes[static_cast<unsigned char>(ch)];
            if (seen == cc_digit) {
                length = v.size();
            } else {
                // as value(): digits, a leading minus sign and one decimal mark, nothing else
                length = 0;
                char mark = 0;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    char ch = v[i];
                    if (ch >= '0' && ch <= '9') ++length;
                    else if (ch == '-' && i == 0) continue;
                    else if ((ch == '.' || ch == ',') && !mark) mark = ch;
                    else return false;
                }
                if (mark && ich_->syntax_version < 4 && mark != ich_->delims.decimal) return false;
            }
        } else {
            if (r.type == repr::kind::a && std::any_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return false;
            // value() counts characters (bytes that do not continue a UTF-8 sequence), never more
            // than bytes: for a variable length (an..35) with at most max bytes, the first byte
            // starting a character is enough to know the count fits.
            const std::size_t bytes = v.size();
            bool surely_fits = (!r.max || bytes <= r.max) && (r.min == 0 || (r.min == 1 && (v[0] & 0xC0) != 0x80));
            length = surely_fits ? 0 : bytes <= r.max && bytes >= std::size_t{r.min} * 4 ? r.min : utf8_length(v);
            if (!surely_fits && ((r.max && length > r.max) || length < r.min)) return false;
            return !opt_.code_lists || external_codes || !r.codes || r.codes->contains(v);
        }
        if ((r.max && length > r.max) || length < r.min) return false;
        return !opt_.code_lists || external_codes || !r.codes || r.codes->contains(v);
    }

    // ---- data elements: the fast pass on raw bytes -------------------------------------------
    //
    // raw_clean() is clean() for a plain segment as read, not built: the same tests on the same
    // values, and like clean() it may be stricter, never laxer. Separators, digits, bytes >= 0x80
    // and release characters are found 16 bytes at a time into bit masks (a word per 64 bytes),
    // from which each value's digits and length are read. A value whose text differs from its
    // bytes in a way that matters (a released character in a number, a code or a date), a value
    // over 64 bytes or a segment over max_raw_bytes goes to the builder instead. The reader's
    // buffer lets the loads run up to 15 bytes past the segment (handler::plain_segment
    // promises it).

    static constexpr std::size_t max_raw_bytes = 512, max_raw_words = max_raw_bytes / 64;

    struct raw_masks {  ///< of the segment raw_clean() is checking, a word per 64 bytes
        std::uint64_t dig[max_raw_words], high[max_raw_words];
        std::uint64_t removed[max_raw_words];  ///< release characters (set only when `released`)
        bool released;
    };

    /// The bits of masks m for bytes [a, b), b - a <= 64, shifted down to bit 0.
    static std::uint64_t range(const std::uint64_t* m, std::size_t a, std::size_t b) noexcept {
        std::size_t w = a >> 6, off = a & 63, len = b - a;
        std::uint64_t x = m[w] >> off;
        if (off && off + len > 64) x |= m[w + 1] << (64 - off);
        return len < 64 ? x & ((std::uint64_t{1} << len) - 1) : x;
    }

    bool raw_clean(std::string_view raw, const segment_checks& sc) {
#if defined(__SSE2__)
        const std::size_t n = raw.size();
        const std::size_t defined = sc.elements.size();
        if (!sc.fits_masks || n > max_raw_bytes) return false;
        if (n == 3) return sc.mandatory_elements == 0;
        const auto& d = ich_->delims;
        if (raw[3] != d.element) return false;
        // per 64 bytes: separators of any kind, component and repetition separators (m: digits,
        // bytes >= 0x80, release characters that release the next byte)
        std::uint64_t sep[max_raw_words], co[max_raw_words], rp[max_raw_words], rel[max_raw_words];
        auto& m = raw_masks_;
        m.released = false;
        const bool reps = d.has_repetition();
        const __m128i ev = _mm_set1_epi8(d.element), cv = _mm_set1_epi8(d.component), rv = _mm_set1_epi8(reps ? d.repetition : d.element),
                      relv = _mm_set1_epi8(d.release ? d.release : d.element), below0 = _mm_set1_epi8('0' - 1),
                      above9 = _mm_set1_epi8('9' + 1), zero = _mm_setzero_si128();
        const std::size_t words = (n + 63) / 64;
        for (std::size_t w = 0; w < words; ++w) {
            std::uint64_t se = 0, c = 0, r = 0, dg = 0, h = 0, rl = 0;
            for (std::size_t b = 0; b < 64 && w * 64 + b < n; b += 16) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(raw.data() + w * 64 + b));
                auto bitsof = [b](__m128i x) { return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(x))) << b; };
                const __m128i is_c = _mm_cmpeq_epi8(v, cv), is_r = _mm_cmpeq_epi8(v, rv);
                se |= bitsof(_mm_or_si128(_mm_cmpeq_epi8(v, ev), _mm_or_si128(is_c, is_r)));
                c |= bitsof(is_c);
                r |= bitsof(is_r);
                dg |= bitsof(_mm_and_si128(_mm_cmpgt_epi8(v, below0), _mm_cmplt_epi8(v, above9)));
                h |= bitsof(_mm_cmplt_epi8(v, zero));
                rl |= bitsof(_mm_cmpeq_epi8(v, relv));
            }
            const std::size_t left = n - w * 64;
            const std::uint64_t keep = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
            sep[w] = se & keep;
            co[w] = c & keep;
            rp[w] = reps ? r & keep : 0;
            m.dig[w] = dg & keep;
            m.high[w] = h & keep;
            rel[w] = d.release ? rl & keep : 0;
            m.released |= rel[w] != 0;
        }
        if (m.released) {
            // A release character releases the next byte (the reader made sure it is a service
            // character), unless it is released itself: "??" is one '?'. What it releases is text,
            // not a separator; the release character itself is not part of the text.
            std::uint64_t carry = 0;  // released bit 0 of this word, from the last byte of the one before
            for (std::size_t w = 0; w < words; ++w) {
                std::uint64_t released = carry, removed = 0;
                carry = 0;
                for (std::uint64_t x = rel[w]; x; x &= x - 1) {
                    const auto k = static_cast<unsigned>(std::countr_zero(x));
                    if ((released >> k) & 1) continue;
                    removed |= std::uint64_t{1} << k;
                    if (k == 63) carry = 1;
                    else released |= std::uint64_t{1} << (k + 1);
                }
                m.removed[w] = removed;
                sep[w] &= ~released;
                co[w] &= ~released;
                rp[w] &= ~released;
            }
        }
        sep[0] &= ~std::uint64_t{0xF};  // the tag and the separator that opens element 1

        std::size_t e = 1, r = 1, c = 1, start = 4;
        std::uint64_t present = 0, got = 0;  // elements with a value; components with a value in this repetition
        auto& comps = raw_comps_;  // of a composite with roles, this repetition's [a, b) (cleared at its first value)
        const element_check* ec = nullptr;
        // one value, bytes [a, b), at (e, r, c)
        auto value = [&](std::size_t a, std::size_t b) __attribute__((always_inline)) {
            if (e > defined || c > 64 || b - a > 64) return false;
            ec = &sc.elements[e - 1];
            if (r > ec->repeat) return false;
            if (a == b) return true;
            const bool first = got == 0;
            present |= std::uint64_t{1} << (e - 1);
            got |= std::uint64_t{1} << (c - 1);
            const value_check* vc = &sc.values[ec->first];
            if (!ec->composite) return c == 1 && check(raw, a, b, vc[0], m);
            if (ec->count == 0) return true;
            if (c > ec->count) return false;
            if (ec->has_roles) {
                // their texts are compared as they are: not with a release character in them
                if (ec->count > max_fast_components || (m.released && range(m.removed, a, b))) return false;
                if (first) std::fill(comps.begin(), comps.begin() + ec->count, span{});
                comps[c - 1] = span{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)};
                return true;
            }
            return check(raw, a, b, vc[c - 1], m);
        };
        // the end of a repetition; `more`: another repetition of the element follows
        auto repetition_end = [&](bool more) __attribute__((always_inline)) {
            if (got == 0) return !more && r == 1;  // an empty element (an empty repetition among others: the builder decides)
            if (ec->composite && ec->count > 0) {
                if (ec->has_roles) {
                    const value_check* vc = &sc.values[ec->first];
                    auto comp = [&](std::size_t k) { return std::string_view(raw.data() + comps[k].a, comps[k].b - comps[k].a); };
                    auto fine = [&](std::size_t k, bool external) { return check(raw, comps[k].a, comps[k].b, vc[k], m, external); };
                    if (!composite_clean(vc, *ec, comp, fine)) return false;
                } else if (ec->mandatory_components & ~got) {
                    return false;
                }
            }
            got = 0;
            return true;
        };
        for (std::size_t w = 0; w < words; ++w) {
            for (std::uint64_t x = sep[w]; x; x &= x - 1) {
                const auto k = static_cast<unsigned>(std::countr_zero(x));
                const std::size_t at = w * 64 + k;
                if (!value(start, at)) return false;
                start = at + 1;
                if ((co[w] >> k) & 1) {
                    if (!ec->composite) return false;
                    ++c;
                    continue;
                }
                const bool more = ((rp[w] >> k) & 1) != 0;
                if (!repetition_end(more)) return false;
                r = more ? r + 1 : 1;
                e += more ? 0 : 1;
                c = 1;
            }
        }
        if (!value(start, n) || !repetition_end(false)) return false;
        return (sc.mandatory_elements & ~present) == 0;
#else
        (void)raw;
        (void)sc;
        return false;
#endif
    }

    /// value_clean() for bytes [a, b) of a raw segment (at most 64), read from its masks.
    bool check(std::string_view raw, std::size_t a, std::size_t b, const value_check& r, const raw_masks& m,
               bool external_codes = false) const {
        const std::size_t bytes = b - a;
        const std::string_view v(raw.data() + a, bytes);
        const std::uint64_t all = bytes < 64 ? (std::uint64_t{1} << bytes) - 1 : ~std::uint64_t{0};
        std::size_t length = bytes;
        if (m.released) {
            // release characters are not text: with them, only free text is checked here
            if (const std::uint64_t removed = range(m.removed, a, b)) {
                if (r.type == repr::kind::n || (opt_.code_lists && !external_codes && r.codes) || (!single_byte_ && range(m.high, a, b)))
                    return false;
                length -= static_cast<std::size_t>(std::popcount(removed));
            }
        }
        if (r.type == repr::kind::n) {
            // as value_clean(): digits, a leading minus sign and one decimal mark, which count not
            std::uint64_t other = ~range(m.dig, a, b) & all;
            if (other & 1 && raw[a] == '-') other &= other - 1, --length;
            if (other) {
                if (other & (other - 1)) return false;
                const char mark = raw[a + static_cast<std::size_t>(std::countr_zero(other))];
                if ((mark != '.' && mark != ',') || (ich_->syntax_version < 4 && mark != ich_->delims.decimal)) return false;
                --length;
            }
        } else {
            if (r.type == repr::kind::a && range(m.dig, a, b)) return false;
            if (!single_byte_ && range(m.high, a, b)) return value_clean(v, r, external_codes);  // UTF-8: count characters
        }
        if ((r.max && length > r.max) || length < r.min) return false;
        return !opt_.code_lists || external_codes || !r.codes || r.codes->contains(v);
    }

    // ---- data elements: the detailed checks --------------------------------------------------

    /// Walks the segment's values once, in order (element, repetition, component), against the
    /// segment's definition.
    void elements(const edifact::segment& s, const segment_def& def) {
        std::size_t present = s.element_count();
        if (present > def.elements.size()) {
            add(code::too_many_constituents, pos(s, def.elements.size() + 1),
                fmt::format("{} has {} data elements; directory {} defines {}", s.tag, present, dir_->id(), def.elements.size()));
        }
        auto items = s.items();
        std::size_t i = 0, n = static_cast<std::size_t>(items.size());
        for (std::size_t d = 0; d < def.elements.size(); ++d) {
            const auto& eu = def.elements[d];
            std::size_t e = d + 1;
            while (i < n && items[i].element < e) ++i;
            std::size_t end = i;
            bool any = false;
            while (end < n && items[end].element == e) any = any || !items[end].text.empty(), ++end;
            if (!any) {
                if (eu.mandatory)
                    add(code::missing_element, pos(s, e),
                        fmt::format("mandatory {} {} ({}) missing in {}", eu.composite ? "composite" : "data element", eu.code, eu.name, s.tag));
                i = end;
                continue;
            }
            std::size_t reps = items[end - 1].repetition;
            if (reps > eu.repeat)
                add(code::element_repeated, pos(s, e, 0, static_cast<std::uint16_t>(eu.repeat + 1)),
                    fmt::format("{} {} repeated {} times; at most {} allowed", s.tag, eu.code, reps, eu.repeat));
            while (i < end) {
                std::size_t r = items[i].repetition, stop = i;
                while (stop < end && items[stop].repetition == r) ++stop;
                auto rep = static_cast<std::uint16_t>(reps > 1 ? r : 0);
                std::size_t ncomp = items[stop - 1].component;
                if (eu.composite) {
                    // this repetition's components by position (1-based), absent ones empty
                    comps_.assign(std::min<std::size_t>(ncomp, 256) + 1, std::string_view());
                    for (std::size_t k = i; k < stop; ++k)
                        if (items[k].component <= 256) comps_[items[k].component] = items[k].text;
                    composite(s, eu, e, rep, ncomp);
                } else {
                    if (ncomp > 1)
                        add(code::too_many_constituents, pos(s, e, 2, rep),
                            fmt::format("{} {} is a simple data element but has {} components", s.tag, eu.code, ncomp));
                    value(s, items[i].component == 1 ? items[i].text : std::string_view(), eu.code, eu.name, eu.format, eu.codes, e, 0,
                          rep, false);
                }
                i = stop;
            }
        }
    }

    /// One repetition of a composite; its components are in comps_ (1-based).
    void composite(const edifact::segment& s, const element_use& eu, std::size_t e, std::uint16_t rep, std::size_t ncomp) {
        if (ncomp > eu.components.size() && !eu.components.empty())
            add(code::too_many_constituents, pos(s, e, eu.components.size() + 1, rep),
                fmt::format("{} {} has {} components; directory {} defines {}", s.tag, eu.code, ncomp, dir_->id(), eu.components.size()));
        auto comp = [&](std::size_t c) { return c < comps_.size() ? comps_[c] : std::string_view(); };
        // A code list qualifier (1131) or a non-UN agency (3055) in the composite means its codes come from another list.
        bool external = false;
        std::size_t at_2380 = 0, at_2379 = 0;
        using role = component_use::role;
        for (std::size_t c = 1; c <= eu.components.size(); ++c) {
            auto kind = eu.components[c - 1].kind;
            if (kind == role::none || comp(c).empty()) continue;
            if (kind == role::list_qualifier || (kind == role::agency && comp(c) != "6")) external = true;
            if (kind == role::date_value) at_2380 = c;
            if (kind == role::date_format) at_2379 = c;
        }
        for (std::size_t c = 1; c <= eu.components.size(); ++c) {
            const auto& cu = eu.components[c - 1];
            auto v = comp(c);
            if (v.empty()) {
                if (cu.mandatory)
                    add(code::missing_element, pos(s, e, c, rep), fmt::format("mandatory component {} ({}) of {} {} missing", cu.code, cu.name, s.tag, eu.code));
                continue;
            }
            value(s, v, cu.code, cu.name, cu.format, cu.codes, e, c, rep, external);
        }
        // C507 and friends: a date/time/period with its format code.
        if (at_2380 && at_2379) date_time(s, comp(at_2380), comp(at_2379), pos(s, e, at_2380, rep));
    }

    /// Checks a 2380 date/time/period against the pattern its 2379 code's name spells (UNCL 2379:
    /// "102 CCYYMMDD", "203 CCYYMMDDHHMM", "719 CCYYMMDDHHMM-CCYYMMDDHHMM"): digits where the
    /// pattern has letters, '-' where it has '-', and months, days, hours, minutes and seconds in range.
    void date_time(const edifact::segment& s, std::string_view value, std::string_view format, const core::position& where) {
        if (date_time_fits(value, format)) return;
        std::string pattern = dir_->codes("2379")->codes().find(std::string(format))->second;
        if (value.find('-') == std::string_view::npos) std::erase(pattern, '-');
        add(code::bad_date_time, where,
            fmt::format("'{}' in {} 2380 does not fit format {} ({}) named by 2379", value, s.tag, format, pattern));
    }

    /// Whether a 2380 value fits its 2379 format, or the format is not one that is checked.
    bool date_time_fits(std::string_view value, std::string_view format) const {
        const auto* formats = dir_->date_format(format);
        if (!formats) return true;  // not a code of 2379, or Z, Q, P...: not checked
        // periods are usually written without the '-'
        std::string_view pattern = value.find('-') == std::string_view::npos ? formats->without_dash : formats->with_dash;
        bool ok = value.size() == pattern.size();
        char previous_run = 0;
        for (std::size_t i = 0; ok && i < pattern.size();) {
            char p = pattern[i];
            std::size_t n = 1;
            while (i + n < pattern.size() && pattern[i + n] == p) ++n;
            if (p == '-') {
                ok = value.substr(i, n) == pattern.substr(i, n);
            } else {
                int v = 0;
                for (std::size_t k = i; k < i + n; ++k) {
                    if (value[k] < '0' || value[k] > '9') ok = false;
                    v = v * 10 + (value[k] - '0');
                }
                if (ok && n == 2) {
                    if (p == 'M' && previous_run != 'H') ok = v >= 1 && v <= 12;  // month
                    else if (p == 'M') ok = v <= 59;                              // minutes
                    else if (p == 'D') ok = v >= 1 && v <= 31;
                    else if (p == 'H') ok = v <= 24;
                    else if (p == 'S') ok = v <= 59;
                    else if (p == 'W') ok = v >= 1 && v <= 53;
                }
                previous_run = p;
            }
            i += n;
        }
        return ok;
    }

    void value(const edifact::segment& s, std::string_view v, const std::string& code_id, const std::string& name, const repr& r,
               const code_list* list, std::size_t e, std::size_t c, std::uint16_t rep, bool external_codes) {
        if (v.empty()) return;
        // Hot path: positions and texts are only built for findings.
        auto where = [&] { return pos(s, e, c, rep); };
        auto label_text = [&] { return fmt::format("{} {} ({}, {})", s.tag, code_id, name, r.text); };
        std::size_t length = 0;
        if (r.type == repr::kind::n) {
            bool bad = false;
            char mark = 0;
            for (std::size_t i = 0; i < v.size(); ++i) {
                char ch = v[i];
                if (ch >= '0' && ch <= '9') ++length;
                else if (ch == '-' && i == 0) continue;
                else if ((ch == '.' || ch == ',') && !mark) mark = ch;
                else bad = true;
            }
            if (bad) {
                add(code::bad_character, where(), fmt::format("'{}' in {} is not numeric (digits, a leading minus sign and one decimal mark)", v, label_text()));
                return;
            }
            if (mark && ich_->syntax_version < 4 && mark != ich_->delims.decimal)
                add(code::decimal_mark, where(),
                    fmt::format("'{}' in {} uses '{}' as decimal mark; this syntax {} interchange declares '{}'", v, label_text(), mark,
                                ich_->syntax_version, ich_->delims.decimal));
        } else {
            // Characters, not bytes; bytes bound them, so count only when the bytes leave doubt.
            length = v.size() <= r.max && v.size() >= std::size_t{r.min} * 4 ? r.min : utf8_length(v);
            if (r.type == repr::kind::a && std::any_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
                add(code::bad_character, where(), fmt::format("'{}' in {} has digits; the representation is alphabetic", v, label_text()));
        }
        bool fits = true;
        if (r.max && length > r.max)
            fits = false, add(code::too_long, where(), fmt::format("'{}' in {} has {} characters; at most {} allowed", v, label_text(), length, r.max));
        else if (length < r.min)
            fits = false, add(code::too_short, where(), fmt::format("'{}' in {} has {} characters; at least {} required", v, label_text(), length, r.min));
        if (opt_.code_lists && !external_codes && fits)
            if (list && !list->contains(v)) {
                // A subset (UNH S009/0057, e.g. EAN010, SMDG20) may add codes of its own: say so, as a warning.
                const auto& assoc = association_;
                add(code::not_in_code_list, where(),
                    assoc.empty() ? fmt::format("'{}' in {} is not a code of list {} in directory {}", v, label_text(), code_id, dir_->id())
                                  : fmt::format("'{}' in {} is not a code of list {} in directory {}; subset {} may define it", v,
                                                label_text(), code_id, dir_->id(), assoc),
                    std::nullopt, !assoc.empty());
            }
    }

    // ---- findings ----------------------------------------------------------------------------

    core::position pos(const spot& s) const {
        core::position p;
        p.byte = s.byte;
        p.interchange = ich_->index;
        p.group = group_;
        p.message = index_;
        p.segment = s.number;
        p.tag = std::string(s.tag);
        return p;
    }

    core::position pos(const edifact::segment& s, std::size_t e = 0, std::size_t c = 0, std::uint16_t rep = 0) const {
        core::position p;
        p.byte = e ? s.byte_of(e, c ? c : 1, rep ? rep : 1) : s.byte;
        p.interchange = ich_->index;
        p.group = group_;
        p.message = index_;
        p.segment = s.number;
        p.tag = s.tag;
        p.element = static_cast<std::uint16_t>(e);
        p.component = static_cast<std::uint16_t>(c);
        p.repetition = rep;
        return p;
    }

    void add(code c, core::position where, std::string text, std::optional<core::position> expected = std::nullopt, bool as_warning = false) {
        const auto& ci = info(c);
        core::diagnostic d{std::string(ci.name), as_warning ? core::severity::warning : ci.level, std::move(where), std::move(text),
                           ci.syntax_error, std::move(expected), {}};
        if (d.level == core::severity::error &&
            std::find(opt_.downgrade.begin(), opt_.downgrade.end(), d.code) != opt_.downgrade.end()) {
            d.level = core::severity::warning;
            d.downgraded_by = opt_.profile.empty() ? "partner profile" : opt_.profile;
        }
        (d.level == core::severity::error ? verdict_->errors : verdict_->warnings)++;
        emit_(std::move(d));
    }

    const validation_options& opt_;
    const directory* dir_ = nullptr;
    const edifact::interchange_header* ich_ = nullptr;
    emit_fn emit_;
    const placement_fn* place_ = nullptr;
    message_verdict* verdict_ = nullptr;
    std::uint32_t group_ = 0, index_ = 0;
    std::string association_;
    bool single_byte_ = false;  ///< the charset has one byte per character (raw lengths are bytes)
    bool raw_ok_ = false;       ///< plain() may check raw segments (one byte per character or UTF-8, no placements)
    std::vector<group_occurrence> open_;
    std::vector<std::string_view> comps_;  ///< scratch: components of the repetition being checked
    struct span {
        std::uint32_t a = 0, b = 0;
    };
    raw_masks raw_masks_;  ///< scratch of raw_clean()
    std::array<span, max_fast_components> raw_comps_;  ///< scratch of raw_clean()
    std::uint32_t serial_ = 0;
    std::vector<frame> stack_;
    // the last segment seen (its number is 0 before the first)
    std::uint32_t previous_number_ = 0;
    std::uint64_t last_byte_ = 0;
    std::array<char, 40> last_tag_{};
    std::size_t last_tag_size_ = 0;
};


validator::validator(catalog& dirs, validation_options options)
    : dirs_(dirs), options_(std::move(options)), run_(std::make_unique<run>(options_)) {}

validator::~validator() = default;

message_verdict validator::validate(const edifact::message& m, const edifact::interchange_header& ich, const emit_fn& emit,
                                    const placement_fn* place) {
    begin(m, ich, emit, place);
    for (const auto& s : m.segments) segment(s);
    return end(m);
}

void validator::segment(const edifact::segment& s) {
    if (running_) run_->segment(s);
}

bool validator::plain(std::string_view raw, std::uint64_t byte, std::uint32_t number) {
    return !running_ || run_->plain(raw, byte, number);
}

message_verdict validator::end(const edifact::message& m) {
    if (running_) run_->finish(m.has_trailer);
    running_ = false;
    return verdict_;
}

void validator::begin(const edifact::message& m, const edifact::interchange_header& ich, emit_fn emit, const placement_fn* place) {
    running_ = false;
    verdict_ = message_verdict{};
    auto& verdict = verdict_;
    const auto& h = m.header;
    auto unh_finding = [&](code c, std::string text) {
        core::position p;
        p.byte = m.byte;
        p.interchange = ich.index;
        p.group = m.group;
        p.message = m.index;
        p.segment = 1;
        p.tag = "UNH";
        p.element = 2;
        const auto& ci = info(c);
        ++verdict.warnings;
        emit(core::diagnostic{std::string(ci.name), ci.level, p, std::move(text), ci.syntax_error, std::nullopt, {}});
    };
    if (h.type.empty()) return;  // UNH without S009: the syntax engine reported it
    // Consecutive messages are nearly always of one type: reuse the last lookup when it was clean.
    auto& c = last_;
    if (c.def && c.type == h.type && c.version == h.version && c.release == h.release && c.agency == h.agency &&
        c.syntax_version == ich.syntax_version) {
        verdict.definition = c.def;
        verdict.directory = c.id;
        run_->start(*c.dir, *c.def, m, ich, std::move(emit), place, verdict);
        running_ = true;
        return;
    }
    verdict.directory = directory_id(h.version, h.release);
    std::string id = fmt::format("{}:{}:{}:{}", h.type, h.version, h.release, h.agency);
    if (h.agency != "UN") {
        unh_finding(code::no_definition, fmt::format("{}: only UN directories are installed (agency '{}'); syntax and envelope checks only", id, h.agency));
        return;
    }
    // CONTRL is a service message of the syntax (ISO 9735), not of a UN directory.
    const directory* dir = h.type == "CONTRL" ? &dirs_.service(ich.syntax_version) : dirs_.find(verdict.directory);
    if (h.type == "CONTRL") verdict.directory = dir->id();
    if (!dir && h.version != "D" && dirs_.find("D" + h.release)) {
        dir = dirs_.find("D" + h.release);
        unh_finding(code::version_mismatch, fmt::format("{}: message version '{}' should be 'D' for UN directory {}; validated against {}", id,
                                                        h.version, h.release, dir->id()));
        verdict.directory = dir->id();
    }
    if (!dir) {
        auto ids = dirs_.installed();
        std::string list;
        for (const auto& i : ids) list += (list.empty() ? "" : " ") + i;
        unh_finding(code::no_definition, fmt::format("{}: directory {} is not installed (installed: {}); syntax and envelope checks only", id,
                                  verdict.directory, list.empty() ? "none" : list));
        return;
    }
    const message_def* def = dir->message(h.type);
    if (!def) {
        unh_finding(code::no_definition, fmt::format("{}: directory {} has no message {} ({} message types installed); syntax and envelope checks only",
                                  id, dir->id(), h.type, dir->message_types().size()));
        return;
    }
    verdict.definition = def;
    if (verdict.warnings == 0)
        last_ = lookup{h.type, h.version, h.release, h.agency, ich.syntax_version, dir, def, verdict.directory};
    run_->start(*dir, *def, m, ich, std::move(emit), place, verdict);
    running_ = true;
}

}  // namespace edigate::directory
