// grammar.cpp - Spirit X3 rules for UNA and the inside of a segment (see detail/grammar.hpp).
#include "detail/grammar.hpp"

#include <boost/spirit/home/x3.hpp>

namespace edigate::edifact::detail {

namespace x3 = boost::spirit::x3;

namespace {

struct delims_tag;
struct state_tag;

struct split_state {
    const char* base;
    std::vector<raw_piece>* out;
    std::uint16_t element = 0, repetition = 0, component = 0;
};

// data-run: consumes text up to the next unreleased separator. A release character takes the
// following byte with it whatever it is; whether that byte needed releasing is the scanner's call.
struct data_run_parser : x3::parser<data_run_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;

    template <class It, class Ctx, class RCtx, class Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
        const delimiters& d = x3::get<delims_tag>(ctx);
        const char rep = d.has_repetition() ? d.repetition : d.element;
        It q = first;
        while (q != last) {
            char c = *q;
            if (c == d.element || c == d.component || c == rep) break;
            if (d.release && c == d.release && q + 1 != last) ++q;
            ++q;
        }
        first = q;
        return true;
    }
};

// One runtime separator, chosen by member pointer; the repetition separator only exists from syntax 4.
template <char delimiters::*Which>
struct separator_parser : x3::parser<separator_parser<Which>> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;

    template <class It, class Ctx, class RCtx, class Attr>
    bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
        const delimiters& d = x3::get<delims_tag>(ctx);
        if (Which == &delimiters::repetition && !d.has_repetition()) return false;
        if (first == last || *first != d.*Which) return false;
        ++first;
        return true;
    }
};

const data_run_parser data_run{};
const separator_parser<&delimiters::element> element_sep{};
const separator_parser<&delimiters::component> component_sep{};
const separator_parser<&delimiters::repetition> repetition_sep{};

auto state(auto& ctx) -> split_state& { return x3::get<state_tag>(ctx).get(); }

const auto on_component = [](auto& ctx) {
    auto& s = state(ctx);
    const auto& range = x3::_attr(ctx);
    ++s.component;
    s.out->push_back({static_cast<std::uint32_t>(&*range.begin() - s.base),
                      static_cast<std::uint32_t>(&*range.begin() - s.base + (range.end() - range.begin())),
                      s.element, s.repetition, s.component});
};
const auto on_repetition = [](auto& ctx) {
    auto& s = state(ctx);
    ++s.repetition;
    s.component = 0;
};
const auto on_element = [](auto& ctx) {
    auto& s = state(ctx);
    ++s.element;
    s.repetition = 0;
};
const auto on_tag = [](auto& ctx) {
    auto& s = state(ctx);
    s.element = 0;
    s.repetition = 1;
    s.component = 0;
};

const auto component = x3::raw[data_run][on_component];
const auto repetition = x3::eps[on_repetition] >> (component % component_sep);
const auto element = repetition % repetition_sep;
const auto tag = x3::eps[on_tag] >> x3::raw[data_run][on_component] >> *(component_sep >> x3::raw[data_run]);
const auto segment_rule = tag >> *(element_sep >> x3::eps[on_element] >> element) >> x3::eoi;

const auto una_rule = x3::lit("UNA") >> x3::repeat(6)[x3::char_];

}  // namespace

void split_segment(std::string_view seg, const delimiters& d, std::vector<raw_piece>& out) {
    out.clear();
    split_state st{seg.data(), &out};
    const char* first = seg.data();
    const char* last = seg.data() + seg.size();
    auto parser = x3::with<delims_tag>(d)[x3::with<state_tag>(std::ref(st))[segment_rule]];
    // Cannot fail: every byte sequence is a tag plus runs. A false return would be a grammar bug.
    (void)x3::parse(first, last, parser);
}

std::optional<delimiters> parse_una(std::string_view text) {
    std::vector<char> chars;
    const char* first = text.data();
    if (!x3::parse(first, text.data() + text.size(), una_rule, chars) || chars.size() != 6) return std::nullopt;
    delimiters d;
    d.component = chars[0];
    d.element = chars[1];
    d.decimal = chars[2];
    d.release = chars[3] == ' ' ? '\0' : chars[3];
    d.repetition = chars[4];
    d.segment = chars[5];
    return d;
}

}  // namespace edigate::edifact::detail
