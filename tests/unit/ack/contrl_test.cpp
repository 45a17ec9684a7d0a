// contrl_test.cpp - the exact CONTRL written for interchanges with known defects.
#include <catch2/catch.hpp>

#include "ack_support.hpp"
#include "edigate/ack/codes.hpp"

using namespace edigate;
using test::contrl_of;

namespace {

const std::string clean =
    "UNA:+.? '\n"
    "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'\n"
    "UNH+M1+CODECO:D:96A:UN'\n"
    "BGM+34+X+9'\n"
    "UNT+3+M1'\n"
    "UNZ+1+REF1'\n";

// Header of every CONTRL below: from the recipient back to the sender.
const std::string head3 =
    "UNA:+.? '\n"
    "UNB+UNOA:3+RECEIVER:ZZZ+SENDER:ZZZ+261127:1200+ACK1'\n"
    "UNH+1+CONTRL:D:3:UN'\n";

}  // namespace

TEST_CASE("CONTRL identifiers per syntax version", "[ack][contrl]") {
    auto id = [](int v) {
        auto h = ack::contrl_identifier(v);
        return h.type + ":" + h.version + ":" + h.release + ":" + h.agency;
    };
    CHECK(id(1) == "CONTRL:2:2:UN");
    CHECK(id(2) == "CONTRL:2:2:UN");
    CHECK(id(3) == "CONTRL:D:3:UN");
    CHECK(id(4) == "CONTRL:4:1:UN");
    CHECK(id(0) == "CONTRL:D:3:UN");
}

TEST_CASE("CONTRL acknowledges a clean interchange and lists its message", "[ack][contrl]") {
    ack::write_result r;
    CHECK(contrl_of(clean, &r) == head3 +
                                      "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+7'\n"
                                      "UCM+M1+CODECO:D:96A:UN+7'\n"
                                      "UNT+4+1'\n"
                                      "UNZ+1+ACK1'\n");
    CHECK(r.written);
    CHECK(r.problems.empty());
    CHECK(r.charset == "UNOA");
}

TEST_CASE("CONTRL rejects a message whose UNT count is wrong, at the UCM", "[ack][contrl]") {
    std::string in = clean;
    in.replace(in.find("UNT+3"), 5, "UNT+4");
    CHECK(contrl_of(in) == head3 +
                               "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+7'\n"
                               "UCM+M1+CODECO:D:96A:UN+4+29+UNT+2'\n"
                               "UNT+4+1'\n"
                               "UNZ+1+ACK1'\n");
}

TEST_CASE("CONTRL points at a bad character with UCS and UCD", "[ack][contrl]") {
    std::string in = clean;
    in.replace(in.find("BGM+34+X+9"), 10, "BGM+34+X#Y+9");  // '#' is not in UNOA: segment 2, element 2
    CHECK(contrl_of(in) == head3 +
                               "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+7'\n"
                               "UCM+M1+CODECO:D:96A:UN+4'\n"
                               "UCS+2'\n"
                               "UCD+21+3:1'\n"
                               "UNT+6+1'\n"
                               "UNZ+1+ACK1'\n");
}

TEST_CASE("CONTRL rejects the interchange when UNB misses a mandatory element", "[ack][contrl]") {
    std::string in = clean;
    in.replace(in.find("+240101:1200"), 12, "+240101");  // S004/0019 time of preparation missing
    CHECK(contrl_of(in) == head3 +
                               "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+4+13+UNB+5:2'\n"
                               "UCM+M1+CODECO:D:96A:UN+4'\n"
                               "UNT+4+1'\n"
                               "UNZ+1+ACK1'\n");
}

TEST_CASE("CONTRL reports a missing UNT after the last segment processed", "[ack][contrl]") {
    std::string in =
        "UNA:+.? '\n"
        "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'\n"
        "UNH+M1+CODECO:D:96A:UN'\n"
        "BGM+34+X+9'\n"
        "UNH+M2+CODECO:D:96A:UN'\n"
        "BGM+34+Y+9'\n"
        "UNT+3+M2'\n"
        "UNZ+2+REF1'\n";
    CHECK(contrl_of(in) == head3 +
                               "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+7'\n"
                               "UCM+M1+CODECO:D:96A:UN+4+13+UNT'\n"
                               "UCM+M2+CODECO:D:96A:UN+7'\n"
                               "UNT+5+1'\n"
                               "UNZ+1+ACK1'\n");
}

TEST_CASE("CONTRL of syntax 4 uses CONTRL:4:1:UN, CCYYMMDD and the occurrence in S011", "[ack][contrl]") {
    std::string in =
        "UNA:+.?*'\n"
        "UNB+UNOC:4+SENDER:ZZZ+RECEIVER:ZZZ+20240101:1200+REF1'\n"
        "UNH+M1+CODECO:D:96A:UN'\n"
        "BGM+34+X+9'\n"
        "UNT+3+M1'\n"
        "UNZ+1+REF9'\n";
    CHECK(contrl_of(in) ==
          "UNA:+.?*'\n"
          "UNB+UNOC:4+RECEIVER:ZZZ+SENDER:ZZZ+20261127:1200+ACK1'\n"
          "UNH+1+CONTRL:4:1:UN'\n"
          "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+4+28+UNZ+3'\n"
          "UCM+M1+CODECO:D:96A:UN+4'\n"
          "UNT+4+1'\n"
          "UNZ+1+ACK1'\n");
}

TEST_CASE("CONTRL of syntax 2 is CONTRL:2:2:UN", "[ack][contrl]") {
    std::string in = clean;
    in.replace(in.find("UNOA:3"), 6, "UNOA:2");
    std::string out = contrl_of(in);
    CHECK(out.find("UNB+UNOA:2+RECEIVER:ZZZ+SENDER:ZZZ+261127:1200+ACK1'") != std::string::npos);
    CHECK(out.find("UNH+1+CONTRL:2:2:UN'") != std::string::npos);
}

TEST_CASE("CONTRL uses UCF for groups", "[ack][contrl]") {
    std::string in =
        "UNB+UNOA:3+SENDER+RECEIVER+240101:1200+REF1'\n"
        "UNG+CODECO+APPS+APPR+240101:1200+G1+UN+D:96A'\n"
        "UNH+M1+CODECO:D:96A:UN'\n"
        "BGM+34+X+9'\n"
        "UNT+3+M1'\n"
        "UNE+2+G1'\n"
        "UNZ+1+REF1'\n";
    CHECK(contrl_of(in) ==
          "UNA:+.? '\n"
          "UNB+UNOA:3+RECEIVER+SENDER+261127:1200+ACK1'\n"
          "UNH+1+CONTRL:D:3:UN'\n"
          "UCI+REF1+SENDER+RECEIVER+7'\n"
          "UCF+G1+APPS+APPR+4+29+UNE+2'\n"
          "UCM+M1+CODECO:D:96A:UN+4'\n"
          "UNT+5+1'\n"
          "UNZ+1+ACK1'\n");
}

TEST_CASE("a downgraded error does not reject", "[ack][contrl]") {
    std::string in = clean;
    in.replace(in.find("BGM+34+X+9"), 10, "BGM+34+x+9");  // lower case under UNOA: EDI-C002
    edifact::reader_options o;
    o.profile = "LENIENT";
    o.downgrade = {"EDI-C002"};
    CHECK(contrl_of(in, nullptr, o) == head3 +
                                           "UCI+REF1+SENDER:ZZZ+RECEIVER:ZZZ+7'\n"
                                           "UCM+M1+CODECO:D:96A:UN+7'\n"
                                           "UNT+4+1'\n"
                                           "UNZ+1+ACK1'\n");
    CHECK(contrl_of(in).find("UCM+M1+CODECO:D:96A:UN+4'\nUCS+2'\nUCD+21+3:1'") != std::string::npos);
}

TEST_CASE("no CONTRL without the UNB values it must copy", "[ack][contrl]") {
    ack::write_result r;
    CHECK(contrl_of("UNB+UNOD'UNH+1+X:D:96A:UN'UNT+2+1'UNZ+1'", &r).empty());
    CHECK_FALSE(r.written);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "EDI-A001");
    CHECK(r.problems[0].text.find("sender") != std::string::npos);
    CHECK(contrl_of("UNH+1+X:D:96A:UN'UNT+2+1'", &r).empty());
    CHECK(r.problems.at(0).code == "EDI-A001");
}

TEST_CASE("identifiers that do not fit the declared character set move the CONTRL to UNOB", "[ack][contrl]") {
    ack::write_result r;
    std::string in = clean;
    in.replace(in.find("REF1'\n"), 4, "ref1");
    in.replace(in.find("UNZ+1+REF1"), 10, "UNZ+1+ref1");
    std::string out = contrl_of(in, &r);
    CHECK(r.written);
    CHECK(r.charset == "UNOB");
    REQUIRE_FALSE(r.problems.empty());
    CHECK(r.problems[0].code == "EDI-A002");
    CHECK(out.find("UNB+UNOB:3+RECEIVER:ZZZ+SENDER:ZZZ+261127:1200+ACK1'") != std::string::npos);
    CHECK(out.find("UCI+ref1+SENDER:ZZZ+RECEIVER:ZZZ+4+21+UNB+6:1'") != std::string::npos);
}

TEST_CASE("CONTRL respects 99 UCD per UCS", "[ack][contrl]") {
    auto records = test::collect(clean);
    REQUIRE(records.size() == 1);
    auto& m = records[0].messages.at(0);
    for (std::uint16_t e = 1; e <= 120; ++e) {  // as a directory validator would report them
        core::diagnostic d;
        d.code = "EDI-D011";
        d.syntax_error = 39;
        d.where.interchange = 1;
        d.where.message = 1;
        d.where.segment = 2;
        d.where.tag = "BGM";
        d.where.element = e;
        m.findings.push_back(d);
        ++m.errors;
    }
    std::ostringstream out;
    auto r = ack::write_contrl(records[0], out, test::contrl_opts());
    std::string text = out.str();
    std::size_t ucd = 0;
    for (std::size_t p = text.find("UCD+"); p != std::string::npos; p = text.find("UCD+", p + 1)) ++ucd;
    CHECK(ucd == 99);
    CHECK(text.find("UCD+39+2'") != std::string::npos);
    CHECK(text.find("UCD+39+100'") != std::string::npos);
    CHECK(text.find("UCD+39+101'") == std::string::npos);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "EDI-A003");
}

TEST_CASE("the collector places findings by level and counts errors past its cap", "[ack][collector]") {
    std::string in =
        "UNB+UNOA:3+S+R+240101:1200+REF1'\n"
        "UNH+M1+CODECO:D:96A:UN'\n"
        "BGM+34+A#'\n"
        "DTM+B#'\n"
        "FTX+C#'\n"
        "UNT+5+M1'\n"
        "XYZ+1'\n"
        "UNZ+1+REF1'\n";
    ack::collector c(nullptr, 2);
    edifact::reader().read(in, c);
    REQUIRE(c.interchanges().size() == 1);
    const auto& ich = c.interchanges()[0];
    REQUIRE(ich.messages.size() == 1);
    CHECK(ich.messages[0].errors == 3);
    CHECK(ich.messages[0].findings.size() == 2);
    CHECK(ich.errors == 1);  // XYZ outside a message
    CHECK(ich.dropped == 2);
    CHECK(ich.total_errors() == 4);
}

TEST_CASE("no CONTRL when a value it must copy cannot be copied (too long, control characters)", "[ack][contrl]") {
    ack::write_result r;
    // syntax 1 defines no UCI: the version 3 UCI's 0020 an..14 applies
    CHECK(contrl_of("UNB+UNOA:1+S+R+240101:1200+ABCDEFGHIJKLMNOP'UNH+1+X:D:96A:UN'UNT+2+1'UNZ+1+ABCDEFGHIJKLMNOP'", &r).empty());
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "EDI-A001");
    CHECK(contrl_of("UNB+UNOA:3+S\nX+R+240101:1200+REF'UNH+1+X:D:96A:UN'UNT+2+1'UNZ+1+REF'", &r).empty());
    CHECK(r.problems.at(0).code == "EDI-A001");
}
