// segment_builder_test.cpp - the fast lanes give what the grammar and the decoder give.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "detail/scanner.hpp"
#include "detail/segment_builder.hpp"

using namespace edigate;
using edifact::charset;

namespace {

struct flat {
    std::size_t e, r, c;
    std::string text;
    std::uint32_t offset;
    bool operator==(const flat&) const = default;
};

std::vector<flat> flatten(const edifact::segment& s) {
    std::vector<flat> out;
    for (const auto& v : s.items()) out.push_back({v.element, v.repetition, v.component, std::string(v.text), v.offset});
    return out;
}

struct setup {
    charset cs;
    edifact::delimiters d;
};

std::vector<setup> setups() {
    auto una = [](const char* six) { return *edifact::detail::parse_una(std::string("UNA") + six); };
    return {
        {charset::unoa, edifact::default_delimiters(3)},
        {charset::unoc, edifact::default_delimiters(4)},
        {charset::unoy, edifact::default_delimiters(4)},
        {charset::unob, edifact::default_delimiters(3, true)},  // level B separators, no release character
        {charset::unoc, una("|^,! ~")},
        {charset::unod, edifact::default_delimiters(3)},        // iconv charset: no fast lane
        {charset::unoc, una(":+.?:'")},                         // component = repetition: no fast lane
        {charset::unoa, una(":+.? \n")},                        // LF terminator, no repetition separator
    };
}

}  // namespace

TEST_CASE("the fast lanes agree with the general path on random segments", "[edifact][segment]") {
    std::mt19937 rng(20261127);
    std::size_t plain = 0, declined = 0;
    for (const auto& [cs, d] : setups()) {
        edifact::detail::segment_builder builder(cs, d);
        std::string alphabet = "AZ09 .-";
        for (char c : {d.element, d.component, d.repetition}) alphabet.append(4, c);
        // now and then: a release character (releasing a separator or not), non-ASCII, NUL
        std::string rel(1, d.release ? d.release : 'Q');
        std::vector<std::string> extra = {rel, rel + d.element, rel + rel, "\xC3\xA9", "\xE9", std::string(1, '\0'), "*"};
        const std::vector<std::string> tags = {"FTX", "UNH", "A", "", "LO"};
        edifact::segment fast;
        for (int i = 0; i < 4000; ++i) {
            std::string raw = tags[rng() % tags.size()];
            std::size_t len = rng() % 40;
            for (std::size_t k = 0; k < len; ++k) {
                if (rng() % 50 == 0) raw += extra[rng() % extra.size()];
                else raw += alphabet[rng() % alphabet.size()];
            }
            fast.clear();
            std::string_view tag;
            edifact::segment general;
            std::string_view general_tag = builder.build_general(raw, general);
            if (builder.build_fast(raw, fast, tag)) {
                ++plain;
                INFO("segment '" << raw << "'");
                CHECK(tag == general_tag);
                CHECK(flatten(fast) == flatten(general));
            } else {
                ++declined;
                CHECK(fast.items().empty());  // declining leaves the segment as it was
            }
            edifact::segment built;
            CHECK(builder.build(raw, built) == general_tag);
            CHECK(flatten(built) == flatten(general));
        }
    }
    CHECK(plain > 5000);  // the lane is taken for most plain setups, and declines the rest
    CHECK(declined > 5000);
}

TEST_CASE("the fast lanes unescape and decode, and leave the rest to the grammar", "[edifact][segment]") {
    edifact::detail::segment_builder unoc(charset::unoc, edifact::default_delimiters(4));
    edifact::segment s;
    std::string_view tag;
    CHECK(unoc.build_fast("FTX+A:B*C++D", s, tag));  // plain
    CHECK(tag == "FTX");
    CHECK(s.value(1, 1, 2) == "C");
    CHECK(s.value(3) == "D");
    s.clear();
    CHECK(unoc.build_fast("FTX+A?+B:CAF\xC9+X?", s, tag));  // escaped: release characters, ISO 8859-1
    CHECK(s.value(1, 1) == "A+B");
    CHECK(s.value(1, 2) == "CAF\xC3\x89");
    CHECK(s.byte_of(1, 2) == 9);
    CHECK(s.value(2) == "X?");  // a release character with nothing to release stays
    s.clear();
    CHECK_FALSE(unoc.build_fast("FTX:1+A", s, tag));   // a tag with components
    CHECK_FALSE(unoc.build_fast("FT*X+A", s, tag));    // a repetition separator in the tag
    CHECK_FALSE(unoc.build_fast("F?TX+A", s, tag));    // a release character in the tag
    CHECK_FALSE(unoc.build_fast("FTX+" + std::string(70000, 'A'), s, tag));  // positions could pass 65535
    edifact::detail::segment_builder unoy(charset::unoy, edifact::default_delimiters(4));
    CHECK_FALSE(unoy.build_fast("FTX+A?+\xC3\xA9", s, tag));  // UTF-8 beyond ASCII
    CHECK(unoy.build_fast("FTX+A?+B", s, tag));
    s.clear();
    edifact::detail::segment_builder unod(charset::unod, edifact::default_delimiters(4));
    CHECK_FALSE(unod.build_fast("FTX+A", s, tag));  // iconv
    CHECK(s.items().empty());
    edifact::segment g;
    CHECK(unoy.build("FTX+A?+B:CAF\xC3\x89", g) == "FTX");
    CHECK(g.value(1, 1) == "A+B");
    CHECK(g.value(1, 2) == "CAF\xC3\x89");
}

TEST_CASE("the plain lane scans and splits like the scanner and the grammar", "[edifact][segment]") {
    std::mt19937 rng(27112026);
    std::size_t plain = 0, declined = 0;
    for (const auto& [cs, d] : setups()) {
        edifact::detail::segment_builder builder(cs, d);
        const auto table = edifact::detail::make_scan_table(cs, d);
        std::string alphabet = "AZ09 .-";
        for (char c : {d.element, d.component, d.repetition}) alphabet.append(4, c);
        std::string rel(1, d.release ? d.release : 'Q');
        // now and then: what the lane leaves to the normal path, or what ends the segment early
        std::vector<std::string> extra = {rel, rel + d.element, rel + d.segment, rel + d.component, rel + rel, "\xC3\xA9",
                                          "\xE9", "\r\n", "a", "#", std::string(1, d.segment)};
        const std::vector<std::string> tags = {"FTX", "LOC", "A1Z", "FTX", "LOC", "UNH", "UNS", "ftx", "AB", "", "N"};
        edifact::segment s;
        for (int i = 0; i < 3000; ++i) {
            std::string text = tags[rng() % tags.size()];
            if (rng() % 4) text += d.element;
            std::size_t len = rng() % 3 == 0 ? rng() % 100 : rng() % 20;
            for (std::size_t k = 0; k < len; ++k) {
                if (rng() % 60 == 0) text += extra[rng() % extra.size()];
                else text += alphabet[rng() % alphabet.size()];
            }
            if (rng() % 4) text += 'Z';  // mostly no trailing separator
            text += d.segment;
            text += "NXT+1";
            std::size_t cut = rng() % 8 == 0 ? rng() % text.size() : text.size();  // sometimes the input ends early
            text.append(64, '\0');                                                  // the padding the reader keeps
            const char* limit = text.data() + cut;
            s.clear();
            const char* t = builder.build_plain(text.data(), limit, s);
            if (!t) {
                ++declined;
                CHECK(s.items().empty());
                continue;
            }
            ++plain;
            auto scan = edifact::detail::scan_segment(text.data(), limit, table);
            std::string_view raw(text.data(), static_cast<std::size_t>(t - text.data()));
            INFO("segment '" << raw << "'");
            REQUIRE(scan.state == edifact::detail::scan_result::status::complete);
            CHECK(scan.terminator == t);
            CHECK(scan.first_bad == nullptr);  // nothing the reader would report
            CHECK(scan.bad_release == nullptr);
            CHECK_FALSE(raw.starts_with("UN"));
            bool trailing = (raw.back() == d.element || raw.back() == d.component) && raw[raw.size() - 2] != d.release;
            CHECK((raw.size() == 3 || !trailing));  // as the reader decides it
            edifact::segment general;
            CHECK(builder.build_general(raw, general) == raw.substr(0, 3));
            CHECK(flatten(s) == flatten(general));
        }
    }
    CHECK(plain > 2000);
    CHECK(declined > 2000);
}
