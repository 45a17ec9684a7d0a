// reader_test.cpp - envelopes, separators, syntax versions, charsets, recovery, streaming.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "test_support.hpp"

using namespace edigate;

TEST_CASE("UNA sets every separator, and UNA is optional", "[edifact]") {
    std::string text = "UNA|^,! ~UNB^UNOA|3^S^R^200101|1200^R1~UNH^1^ORDERS|D|96A|UN~FTX^AAA^^^A!^B!|C!!D~UNT^3^1~UNZ^1^R1~";
    auto r = test::read(text);
    CHECK(r.errors() == 0);
    REQUIRE(r.interchanges.size() == 1);
    CHECK(r.interchanges[0].has_una);
    CHECK(r.interchanges[0].delims.component == '|');
    CHECK(r.interchanges[0].delims.decimal == ',');
    REQUIRE(r.messages.size() == 1);
    const auto& ftx = r.messages[0].segments.at(1);
    CHECK(ftx.tag == "FTX");
    CHECK(ftx.value(4, 1) == "A^B|C!D");  // released element, component and release characters
}

TEST_CASE("syntax 4 repetition separator and reserved UNA position before 4", "[edifact]") {
    auto v4 = test::read("UNB+UNOC:4+S+R+20200101:1200+R1'UNH+1+PAXLST:D:05B:UN'ATT+2++M*F'UNT+3+1'UNZ+1+R1'");
    CHECK(v4.errors() == 0);
    REQUIRE(v4.messages.size() == 1);
    const auto& att = v4.messages[0].segments.at(1);
    CHECK(att.repetition_count(3) == 2);
    CHECK(att.value(3, 1, 2) == "F");
    // syntax 3 with '*' in the reserved UNA position: '*' is plain data
    auto v3 = test::read("UNA:+.?*'UNB+UNOC:3+S+R+200101:1200+R1'UNH+1+X:D:96A:UN'FTX+A*B'UNT+3+1'UNZ+1+R1'");
    CHECK(v3.errors() == 0);
    CHECK(v3.messages.at(0).segments.at(1).value(1) == "A*B");
}

TEST_CASE("groups, several interchanges and junk between them", "[edifact]") {
    std::string one = "UNB+UNOA:2+S+R+200101:1200+A'UNG+X+S+R+200101:1200+G+UN+D:96A'UNH+1+X:D:96A:UN'UNT+2+1'UNE+1+G'UNZ+1+A'";
    std::string two = "UNA:+.? 'UNB+UNOB:1+S+R+200101:1200+B'UNH+1+x:D:96A:UN'UNT+2+1'UNZ+1+B'";
    auto r = test::read(one + "\r\n" + one + "GARBAGE" + two);
    CHECK(r.interchanges.size() == 3);
    CHECK(r.groups.size() == 2);
    CHECK(r.messages.size() == 3);
    CHECK(r.count("EDI-S002") == 1);
    CHECK(r.errors() == 1);
    CHECK(r.messages[2].header.type == "x");  // lower case is fine under UNOB
}

TEST_CASE("recovery: a cut-off message does not hide the next one", "[edifact]") {
    std::string text = "UNB+UNOA:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'BGM+1'UNH+2+X:D:96A:UN'BGM+2'UNT+3+2'UNZ+2+A'";
    auto r = test::read(text);
    CHECK(r.count("EDI-E005") == 1);
    REQUIRE(r.messages.size() == 2);
    CHECK_FALSE(r.messages[0].has_trailer);
    CHECK(r.messages[1].has_trailer);
    CHECK(r.messages[1].errors == 0);
    // UNB inside an open interchange closes it and starts the next
    auto r2 = test::read("UNB+UNOA:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'UNT+2+1'UNB+UNOA:3+S+R+200101:1200+B'UNH+1+X:D:96A:UN'UNT+2+1'UNZ+1+B'");
    CHECK(r2.interchanges.size() == 2);
    CHECK(r2.count("EDI-E002") == 1);
    CHECK(r2.trailers.at(1).has_trailer);
}

TEST_CASE("charsets decode to UTF-8", "[edifact][charset]") {
    // ISO 8859-1: 0xE9 is é
    auto latin = test::read("UNB+UNOC:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'NAD+CZ+++Caf\xE9'UNT+3+1'UNZ+1+A'");
    CHECK(latin.errors() == 0);
    CHECK(latin.messages.at(0).segments.at(1).value(4) == "Caf\xC3\xA9");
    // ISO 8859-5 (UNOE): 0xB0 is CYRILLIC CAPITAL LETTER A (U+0410)
    auto cyr = test::read("UNB+UNOE:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'NAD+CZ+++\xB0'UNT+3+1'UNZ+1+A'");
    CHECK(cyr.errors() == 0);
    CHECK(cyr.messages.at(0).segments.at(1).value(4) == "\xD0\x90");
    // UNOY: UTF-8 Chinese as is
    std::string name = "\xE8\xBF\x9E\xE4\xBA\x91\xE6\xB8\xAF";  // 连云港
    auto y = test::read("UNB+UNOY:4+S+R+20200101:1200+A'UNH+1+X:D:96A:UN'NAD+CZ+++" + name + "'UNT+3+1'UNZ+1+A'");
    CHECK(y.errors() == 0);
    CHECK(y.messages.at(0).segments.at(1).value(4) == name);
}

TEST_CASE("a partner override decodes GB18030 sent under UNOC, and says so", "[edifact][charset]") {
    std::string gbk = "\xC1\xAC\xD4\xC6\xB8\xDB";  // 连云港 in GBK/GB18030
    std::string text = "UNB+UNOC:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'NAD+CZ+++" + gbk + "'UNT+3+1'UNZ+1+A'";
    auto plain = test::read(text);  // GBK bytes are also ISO 8859-1 letters: no error, but mojibake
    CHECK(plain.messages.at(0).segments.at(1).value(4) != "\xE8\xBF\x9E\xE4\xBA\x91\xE6\xB8\xAF");
    edifact::reader_options o;
    o.charset_override = edifact::charset::gb18030;
    auto r = test::read(text, o);
    CHECK(r.errors() == 0);
    CHECK(r.count("EDI-C005") == 1);
    CHECK(r.messages.at(0).segments.at(1).value(4) == "\xE8\xBF\x9E\xE4\xBA\x91\xE6\xB8\xAF");
}

TEST_CASE("a profile downgrades chosen codes and records it", "[edifact]") {
    std::string text = "UNB+UNOA:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'NAD+CZ+++Port of call'UNT+3+1'UNZ+1+A'";
    CHECK(test::read(text).count("EDI-C002") == 1);
    edifact::reader_options o;
    o.profile = "legacy-forwarder-v2";
    o.downgrade = {"EDI-C002"};
    auto r = test::read(text, o);
    CHECK(r.errors() == 0);
    REQUIRE(r.count("EDI-C002") == 1);
    CHECK(r.findings[0].level == core::severity::warning);
    CHECK(r.findings[0].downgraded_by == "legacy-forwarder-v2");
}

TEST_CASE("delimiter advice reads LF-terminated feeds", "[edifact]") {
    std::string text = "UNB+UNOA:1+S+R+200101:1200+A\nUNH+1+X:D:96A:UN\nBGM+1\nUNT+3+1\nUNZ+1+A\n";
    CHECK(test::read(text).errors() > 0);
    edifact::reader_options o;
    o.delimiter_advice = edifact::delimiters{':', '+', '.', '?', ' ', '\n'};
    auto r = test::read(text, o);
    CHECK(r.errors() == 0);
    CHECK(r.messages.size() == 1);
}

TEST_CASE("streaming: a long interchange in small chunks gives the same result", "[edifact][stream]") {
    std::string text = "UNB+UNOC:3+S+R+200101:1200+A'";
    for (int i = 1; i <= 500; ++i)
        text += "UNH+" + std::to_string(i) + "+X:D:96A:UN'FTX+AAA+++LONG ?'TEXT ?+ WITH ?:SEPARATORS " + std::string(i % 37, 'Z') +
                "'UNT+3+" + std::to_string(i) + "'";
    text += "UNZ+500+A'";
    edifact::reader_options small;
    small.chunk_bytes = 16;  // segments straddle every read
    small.keep_segments = true;
    auto a = test::read(text, small);
    auto b = test::read(text);
    CHECK(a.errors() == 0);
    CHECK(a.messages.size() == 500);
    CHECK(b.messages.size() == 500);
    CHECK(a.messages[499].segments.at(1).value(4) == b.messages[499].segments.at(1).value(4));
    CHECK(a.messages[41].segments.at(1).value(4).rfind("LONG 'TEXT + WITH :SEPARATORS", 0) == 0);
    // and through std::istream
    std::istringstream in(text);
    test::recorder c;
    edifact::reader().read(in, c);
    CHECK(c.messages.size() == 500);
}

TEST_CASE("never crashes on hostile bytes", "[edifact][robust]") {
    std::string weird;
    for (int i = 0; i < 4096; ++i) weird += static_cast<char>((i * 7919) & 0xFF);
    for (const std::string& s : std::vector<std::string>{weird, "UNA", "UNA:+", "UNB", "UNB+", "UNH'", "UNB+UNOA:3'UNH+1'UNH+2'UNZ'",
                                 std::string("UNB+UNOY:4+S+R+20200101:1200+A'UNH+1+X:D:96A:UN'FTX+\xF0\x9F'"),
                                 std::string(1, '\0'), "?'''+++:::"}) {
        auto r = test::read(s);
        CHECK_FALSE(r.findings.empty());
    }
}

TEST_CASE("the fast lane and the full path report the same findings on mutated input", "[edifact][stream]") {
    std::string base = "UNB+UNOA:3+S+R+200101:1200+A'\r\n";
    for (int i = 1; i <= 30; ++i)
        base += "UNH+" + std::to_string(i) + "+X:D:96A:UN'\r\nBGM+85+DOC" + std::to_string(i) +
                "'\r\nFTX+AAA+++RELEASED ?' AND ?+ AND ?" "?'\r\nLOC+11+CNLYG:139:6'\r\nUNT+5+" + std::to_string(i) + "'\r\n";
    base += "UNZ+30+A'\r\n";
    std::mt19937 rng(99);
    const std::string inserts = "'+:?abc\n#\x80\xC3 UN";
    for (int round = 0; round < 300; ++round) {
        std::string s = base;
        for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) {
            auto at = rng() % s.size();
            if (rng() % 2) s[at] = inserts[rng() % inserts.size()];
            else s.insert(at, 1, inserts[rng() % inserts.size()]);
        }
        edifact::reader_options fast, full;
        fast.keep_segments = false;
        full.keep_segments = true;
        fast.chunk_bytes = full.chunk_bytes = 64 + rng() % 200;
        auto a = test::read(s, fast);
        auto b = test::read(s, full);
        INFO("round " << round << "\n" << s);
        REQUIRE(a.findings.size() == b.findings.size());
        for (std::size_t i = 0; i < a.findings.size(); ++i) {
            CHECK(a.findings[i].code == b.findings[i].code);
            CHECK(a.findings[i].where == b.findings[i].where);
        }
        REQUIRE(a.messages.size() == b.messages.size());
        for (std::size_t i = 0; i < a.messages.size(); ++i) CHECK(a.messages[i].segment_count == b.messages[i].segment_count);
    }
}

TEST_CASE("positions past 65535 in one segment are left out, not misfiled", "[edifact][robust]") {
    // Positions are 16-bit; the grammar's counters wrap after 65535. This used to crash
    // (repetitions) or overwrite the tag (elements).
    auto body = [](const std::string& seg) { return "UNB+UNOC:4+S+R+20200101:1200+1'UNH+1+X:D:96A:UN'" + seg + "'UNT+3+1'UNZ+1+1'"; };
    auto reps = test::read(body("FTX+" + std::string(70000, '*') + "A+B"));
    REQUIRE(reps.messages.size() == 1);
    const auto& r = reps.messages[0].segments.at(1);
    CHECK(r.tag == "FTX");
    CHECK(r.repetition_count(1) == 65535);
    CHECK(r.value(2) == "B");
    auto elements = test::read(body("FTX" + std::string(70000, '+') + "A"));
    REQUIRE(elements.messages.size() == 1);
    const auto& e = elements.messages[0].segments.at(1);
    CHECK(e.tag == "FTX");
    CHECK(e.element_count() == 65535);
    auto components = test::read(body("FTX+A" + std::string(70000, ':') + "B+C"));
    REQUIRE(components.messages.size() == 1);
    const auto& c = components.messages[0].segments.at(1);
    CHECK(c.component_count(1) == 65535);
    CHECK(c.value(2) == "C");
}

TEST_CASE("kept segments are the same whichever path built them", "[edifact][stream]") {
    // Large reads let the keep_segments fast lane take the plain segments; 16-byte reads leave
    // most of them to the scanner and the full path. Both must hand on the same segments.
    std::string base = "UNB+UNOC:4+S+R+20200101:1200+A'\n";
    for (int i = 1; i <= 20; ++i)
        base += "UNH+" + std::to_string(i) + "+X:D:96A:UN'\nFTX+AAA+++CAF\xC9 ?+ 1?:2*B?*C+?" "?'\nLOC+11+CNLYG:139:6'\n"
                "ATT+2++M*F:X'\nUNT+5+" + std::to_string(i) + "'\n";
    base += "UNZ+20+A'\n";
    std::mt19937 rng(7);
    const std::string inserts = "'+:*?\xE9\x85\n a";
    for (int round = 0; round < 200; ++round) {
        std::string s = base;
        for (int k = 0, n = static_cast<int>(rng() % 4); k < n; ++k) {
            auto at = rng() % s.size();
            if (rng() % 2) s[at] = inserts[rng() % inserts.size()];
            else s.insert(at, 1, inserts[rng() % inserts.size()]);
        }
        edifact::reader_options large, small;
        small.chunk_bytes = 16;
        auto a = test::read(s, large);
        auto b = test::read(s, small);
        INFO("round " << round << "\n" << s);
        REQUIRE(a.messages.size() == b.messages.size());
        for (std::size_t m = 0; m < a.messages.size(); ++m) {
            const auto& x = a.messages[m].segments;
            const auto& y = b.messages[m].segments;
            REQUIRE(x.size() == y.size());
            for (std::size_t i = 0; i < x.size(); ++i) {
                CHECK(x[i].tag == y[i].tag);
                CHECK(x[i].byte == y[i].byte);
                CHECK(x[i].number == y[i].number);
                CHECK(x[i].length == y[i].length);
                REQUIRE(x[i].items().size() == y[i].items().size());
                for (std::size_t k = 0; k < x[i].items().size(); ++k) {
                    auto u = x[i].items()[k], v = y[i].items()[k];
                    CHECK(u.element == v.element);
                    CHECK(u.repetition == v.repetition);
                    CHECK(u.component == v.component);
                    CHECK(u.offset == v.offset);
                    CHECK(u.text == v.text);
                }
            }
        }
    }
}

TEST_CASE("a message past max_message_bytes is not kept, and is still checked to its UNT", "[edifact][stream]") {
    std::string text = "UNB+UNOA:3+S+R+200101:1200+A'UNH+1+X:D:96A:UN'";
    for (int i = 0; i < 2000; ++i) text += "FTX+AAA+++" + std::string(40, 'A' + i % 26) + "'";
    text += "UNT+9+1'UNH+2+X:D:96A:UN'BGM+85+DOC'UNT+3+2'UNZ+2+A'";  // message 1's UNT count is wrong
    for (std::size_t chunk : {std::size_t{16}, std::size_t{1} << 20}) {
        edifact::reader_options bounded;
        bounded.keep_segments = true;
        bounded.chunk_bytes = chunk;  // segments straddling reads, and the fast lane
        bounded.max_message_bytes = 20000;
        edifact::reader_options unbounded = bounded;
        unbounded.max_message_bytes = 0;
        auto a = test::read(text, bounded), b = test::read(text, unbounded);
        INFO("chunk " << chunk);
        REQUIRE(a.messages.size() == 2);
        CHECK(a.messages[0].oversized);
        CHECK(a.messages[0].segments.size() <= 1);  // none kept, but the place the last one was built in
        CHECK(a.messages[0].segment_count == 2002);
        CHECK_FALSE(a.messages[1].oversized);
        CHECK(a.messages[1].segments.size() == 3);
        CHECK(a.messages[1].segments[1].value(2) == "DOC");
        CHECK_FALSE(b.messages[0].oversized);
        CHECK(b.messages[0].segments.size() == 2002);
        // the same findings either way: the UNT count of message 1 among them
        REQUIRE(a.findings.size() == b.findings.size());
        for (std::size_t i = 0; i < a.findings.size(); ++i) CHECK(a.findings[i].text == b.findings[i].text);
        CHECK(a.count("EDI-E006") == 1);
    }
}
