// aperak_test.cpp - APERAK for directory findings: content, text fitting, cutting.
#include <catch2/catch.hpp>

#include "ack_support.hpp"

using namespace edigate;

namespace {

const std::string input =
    "UNA:+.? '\n"
    "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'\n"
    "UNH+M1+CUSCAR:D:96A:UN'\n"
    "BGM+35+X+9'\n"
    "UNT+3+M1'\n"
    "UNH+M2+CUSCAR:D:96A:UN'\n"
    "BGM+85+Y+9'\n"
    "UNT+3+M2'\n"
    "UNZ+2+REF1'\n";

core::diagnostic finding(std::string code, core::severity level, std::uint32_t message, std::uint32_t segment, std::string tag,
                         std::uint16_t element, std::string text) {
    core::diagnostic d;
    d.code = std::move(code);
    d.level = level;
    d.where.interchange = 1;
    d.where.message = message;
    d.where.segment = segment;
    d.where.tag = std::move(tag);
    d.where.element = element;
    d.text = std::move(text);
    return d;
}

// The input's records with directory findings added to message 1 (as the validator reports them).
std::vector<ack::interchange_record> with_findings() {
    ack::collector c;
    edifact::reader().read(input, c);
    auto records = std::move(c.interchanges());
    auto& m = records.at(0).messages.at(0);
    m.findings.push_back(finding("EDI-D014", core::severity::error, 1, 2, "BGM", 1, "'35' is not in code list 1001"));
    m.findings.push_back(finding("EDI-D004", core::severity::error, 1, 2, "BGM", 0, "mandatory segment DTM (0030) is missing"));
    m.errors += 2;
    return records;
}

ack::aperak_options aperak_opts() {
    ack::aperak_options o;
    o.control_reference = "ACK2";
    o.date = "261127";
    o.time = "1200";
    return o;
}

}  // namespace

TEST_CASE("APERAK for a message with directory findings", "[ack][aperak]") {
    auto records = with_findings();
    std::ostringstream out;
    auto r = ack::write_aperak(records[0], out, aperak_opts());
    CHECK(r.written);
    CHECK(r.messages == 1);
    CHECK(r.problems.empty());
    CHECK(out.str() ==
          "UNA:+.? '\n"
          "UNB+UNOA:3+RECEIVER:ZZZ+SENDER:ZZZ+261127:1200+ACK2'\n"
          "UNH+1+APERAK:D:96A:UN'\n"
          "BGM+313+ACK2-1+9+RE'\n"
          "DTM+137:202611271200:203'\n"
          "RFF+ACW:M1'\n"
          "ERC+EDI-D014::ZZZ'\n"
          "FTX+AAO+++SEGMENT 2 BGM, ELEMENT 1?: ?'35?' IS NOT IN CODE LIST 1001'\n"
          "ERC+EDI-D004::ZZZ'\n"
          "FTX+AAO+++SEGMENT 2 BGM?: MANDATORY SEGMENT DTM (0030) IS MISSING'\n"
          "UNT+9+1'\n"
          "UNZ+1+ACK2'\n");
}

TEST_CASE("APERAK: no application findings, no APERAK; syntax findings are CONTRL's", "[ack][aperak]") {
    std::string bad = input;
    bad.replace(bad.find("UNT+3+M1"), 8, "UNT+4+M1");
    auto records = test::collect(bad);
    std::ostringstream out;
    auto r = ack::write_aperak(records.at(0), out, aperak_opts());
    CHECK_FALSE(r.written);
    CHECK(r.problems.empty());
    CHECK(out.str().empty());
}

TEST_CASE("APERAK: C002 left out where the directory has no code, warnings only accept", "[ack][aperak]") {
    auto records = test::collect(input);
    auto& m = records.at(0).messages.at(1);
    m.findings.push_back(finding("EDI-D014", core::severity::warning, 2, 2, "BGM", 1, "downgraded"));
    auto o = aperak_opts();
    o.document_name_code = [](const edifact::message_header& h) { return h.release == "96A" ? std::string() : std::string("313"); };
    std::ostringstream out;
    auto r = ack::write_aperak(records[0], out, o);
    CHECK(r.written);
    CHECK(out.str().find("UNH+1+APERAK:D:96A:UN'\nBGM++ACK2-1+9+AP'\n") != std::string::npos);
    CHECK(out.str().find("RFF+ACW:M2'") != std::string::npos);
}

TEST_CASE("APERAK text: split in 70-character pieces, cut after 350 with a problem", "[ack][aperak]") {
    auto records = test::collect(input);
    auto& m = records.at(0).messages.at(0);
    std::string long_text(400, 'A');
    m.findings.push_back(finding("EDI-D011", core::severity::error, 1, 0, "", 0, long_text));
    m.findings.push_back(finding("EDI-D011", core::severity::error, 1, 0, "", 0, std::string(140, 'B')));
    std::ostringstream out;
    auto r = ack::write_aperak(records[0], out, aperak_opts());
    std::string a70(70, 'A'), b70(70, 'B');
    CHECK(out.str().find("FTX+AAO+++" + a70 + ":" + a70 + ":" + a70 + ":" + a70 + ":" + std::string(67, 'A') + "...'") !=
          std::string::npos);
    CHECK(out.str().find("FTX+AAO+++" + b70 + ":" + b70 + "'") != std::string::npos);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "EDI-A005");
}

TEST_CASE("APERAK text is fitted to the character set", "[ack][aperak]") {
    std::string unoc = input;
    unoc.replace(unoc.find("UNOA"), 4, "UNOC");
    auto records = test::collect(unoc);
    auto& m = records.at(0).messages.at(0);
    m.findings.push_back(finding("EDI-D011", core::severity::error, 1, 2, "BGM", 2, "'连云港' is too long; é stays"));
    m.findings.push_back(finding("EDI-D011", core::severity::error, 1, 3, "FTX", 4, "'A\nB' has a line feed"));
    std::ostringstream out;
    auto r = ack::write_aperak(records[0], out, aperak_opts());
    CHECK(r.written);
    // UNOC is ISO 8859-1: é is written as the byte 0xE9; the Chinese characters became '?', released as "??"
    CHECK(out.str().find("FTX+AAO+++segment 2 BGM, element 2?: ?'" "???????" "' is too long; \xE9 stays'") != std::string::npos);
    CHECK(out.str().find("FTX+AAO+++segment 3 FTX, element 4?: ?'A B?' has a line feed'") != std::string::npos);
}
