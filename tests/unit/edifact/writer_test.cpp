// writer_test.cpp - computed trailers, escaping, and the parse-write round trip property.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "edigate/edifact/writer.hpp"
#include "test_support.hpp"

using namespace edigate;
using edifact::make_segment;

namespace {

// Writes back what the reader handed on: the inverse of parsing, for round-trip tests.
struct rewriter : edifact::handler {
    std::ostringstream out;
    std::unique_ptr<edifact::writer> w;
    edifact::writer_options base;
    void interchange_begin(const edifact::interchange_header& h) override {
        auto o = base;
        o.delims = h.delims;
        o.syntax_version = h.syntax_version;
        o.encoding = h.declared_charset;
        o.una = h.has_una ? edifact::writer_options::una_mode::always : edifact::writer_options::una_mode::never;
        w = std::make_unique<edifact::writer>(out, o);
        w->begin_interchange(h.unb);
    }
    void group_begin(const edifact::group_header& g) override { w->begin_group(g.ung); }
    void message_end(const edifact::message& m) override {
        w->begin_message(m.segments.front());
        for (std::size_t i = 1; i + 1 < m.segments.size(); ++i) w->add(m.segments[i]);
        w->end_message();
    }
    void group_end(const edifact::group_trailer&) override { w->end_group(); }
    void interchange_end(const edifact::interchange_trailer&) override { w->end_interchange(); }
};

std::string round_trip(const std::string& text, const std::string& suffix = "") {
    rewriter rw;
    rw.base.segment_suffix = suffix;
    edifact::reader().read(text, rw);
    return rw.out.str();
}

}  // namespace

TEST_CASE("the writer computes UNT, UNE and UNZ and escapes separators", "[edifact][writer]") {
    std::ostringstream out;
    edifact::writer w(out, {edifact::charset::unoa, 3});
    w.begin_interchange(make_segment("UNB", {{}, {"SENDER"}, {"RECIP"}, {"200101", "1200"}, {"REF1"}}));
    w.begin_group(make_segment("UNG", {{"CUSCAR"}, {"S"}, {"R"}, {"200101", "1200"}, {"G1"}, {"UN"}, {"D", "96A"}}));
    w.begin_message(make_segment("UNH", {{"M1"}, {"CUSCAR", "D", "96A", "UN"}}));
    w.add(make_segment("FTX", {{"AAA"}, {}, {}, {"IT'S 1+1=2: A?B"}}));
    w.add(make_segment("BGM", {{"85", "", ""}, {"X"}, {}, {}}));
    w.end_message();
    w.end_group();
    w.end_interchange();
    CHECK(w.ok());
    CHECK(out.str() ==
          "UNB+UNOA:3+SENDER+RECIP+200101:1200+REF1'UNG+CUSCAR+S+R+200101:1200+G1+UN+D:96A'UNH+M1+CUSCAR:D:96A:UN'"
          "FTX+AAA+++IT?'S 1?+1=2?: A??B'BGM+85+X'UNT+4+M1'UNE+1+G1'UNZ+1+REF1'");
    auto r = test::read(out.str());
    CHECK(r.findings.empty());
}

TEST_CASE("the writer refuses what the charset cannot carry and misuse of the envelope", "[edifact][writer]") {
    std::ostringstream out;
    edifact::writer w(out, {edifact::charset::unoa, 3});
    w.begin_interchange(make_segment("UNB", {{}, {"S"}, {"R"}, {"200101", "1200"}, {"A"}}));
    w.begin_message(make_segment("UNH", {{"1"}, {"X", "D", "96A", "UN"}}));
    w.add(make_segment("NAD", {{"CZ"}, {}, {}, {"\xE8\xBF\x9E"}}));
    CHECK_FALSE(w.ok());
    CHECK(w.problems().at(0).where.element == 4);
    CHECK_THROWS_AS(w.add(make_segment("UNT", {{"3"}, {"1"}})), std::logic_error);
    CHECK_THROWS_AS(w.end_interchange(), std::logic_error);
}

TEST_CASE("UNA is written when the separators differ from the defaults", "[edifact][writer]") {
    std::ostringstream out;
    edifact::writer_options o{edifact::charset::unoc, 4};
    o.delims = edifact::delimiters{'|', '^', ',', '!', '~', '\n'};
    edifact::writer w(out, o);
    w.begin_interchange(make_segment("UNB", {{}, {"S"}, {"R"}, {"20200101", "1200"}, {"A"}}));
    w.begin_message(make_segment("UNH", {{"1"}, {"X", "D", "96A", "UN"}}));
    w.end_message();
    w.end_interchange();
    CHECK(out.str().rfind("UNA|^,!~\nUNB^UNOC|4^", 0) == 0);
}

TEST_CASE("parse then write is byte-identical for canonical input", "[edifact][writer][roundtrip]") {
    const std::string one_line = "UNB+UNOC:3+SENDER:14+RECIP:14+200101:1200+REF1++APP'UNH+1+ORDERS:D:96A:UN:EAN008'"
                                 "FTX+AAA+++CAF\xC9 ?'NOIR?' ?+ 2?:1 ?" "?'UNT+3+1'UNZ+1+REF1'";
    CHECK(round_trip(one_line) == one_line);
    const std::string una = "UNA:+,? 'UNB+UNOA:2+S+R+200101:1200+R'UNG+X+S+R+200101:1200+G+UN+D:96A'UNH+1+X:D:96A:UN'PRI+AAA:99,5'UNT+3+1'UNE+1+G'UNZ+1+R'";
    CHECK(round_trip(una) == una);
    std::string lines = "UNB+UNOY:4+S+R+20200101:1200+R'\nUNH+1+X:D:96A:UN'\nATT+2++M*F'\nUNT+3+1'\nUNZ+1+R'\n";
    CHECK(round_trip(lines, "\n") == lines);
}

TEST_CASE("round trip property: random separators, release-heavy values, syntax 1-4", "[edifact][writer][roundtrip]") {
    std::mt19937 rng(GENERATE(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u));
    const std::string level_b = ".?:+*'ABCXYZabcxyz0123456789 ,-/()=!\"%&;<>";
    for (int round = 0; round < 40; ++round) {
        int version = 1 + static_cast<int>(rng() % 4);
        // six distinct separators from a set of candidates; release always present
        std::string cand = ":+?'|^!~*#";
        std::shuffle(cand.begin(), cand.end(), rng);
        edifact::delimiters d{cand[0], cand[1], rng() % 2 ? '.' : ',', cand[2], version >= 4 ? cand[3] : ' ', cand[4]};
        std::string pool = level_b + d.una_string();  // UNOB text plus this round's separators
        edifact::writer_options o{edifact::charset::unob, version};
        o.delims = d;
        o.una = edifact::writer_options::una_mode::always;
        std::ostringstream out;
        edifact::writer w(out, o);
        std::string date = version >= 4 ? "20200101" : "200101";
        w.begin_interchange(make_segment("UNB", {{}, {"S"}, {"R"}, {date, "1200"}, {"REF"}}));
        std::vector<std::string> values;
        for (int m = 1; m <= 3; ++m) {
            w.begin_message(make_segment("UNH", {{std::to_string(m)}, {"X", "D", "96A", "UN"}}));
            for (int s = 0; s < 5; ++s) {
                std::string v;
                for (int k = 0, n = 1 + static_cast<int>(rng() % 12); k < n; ++k) v += pool[rng() % pool.size()];
                if (v.back() == ' ') v.back() = 'Z';  // keep values non-empty at the end
                values.push_back(v);
                w.add(make_segment("FTX", {{"AAA"}, {}, {}, {v, "TAIL"}}));
            }
            w.end_message();
        }
        w.end_interchange();
        REQUIRE(w.ok());
        std::string text = out.str();
        auto r = test::read(text);
        INFO("separators " << d.una_string() << " version " << version << "\n" << text);
        REQUIRE(r.errors() == 0);
        REQUIRE(r.messages.size() == 3);
        std::size_t k = 0;
        for (const auto& m : r.messages)
            for (std::size_t s = 1; s + 1 < m.segments.size(); ++s) CHECK(m.segments[s].value(4, 1) == values[k++]);
        CHECK(round_trip(text) == text);
    }
}
