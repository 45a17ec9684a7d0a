// acknowledgement_test.cpp - partners' CONTRL and APERAK understood; our CONTRL read back.
#include <catch2/catch.hpp>

#include "../edifact/test_support.hpp"
#include "ack_support.hpp"
#include "edigate/ack/acknowledgement.hpp"

using namespace edigate;

namespace {

// The messages of an interchange, read with their segments.
std::vector<edifact::message> messages(std::string_view text) {
    auto r = test::read(text);
    return r.messages;
}

ack::acknowledgement read_one(std::string_view text) {
    auto ms = messages(text);
    REQUIRE(ms.size() == 1);
    auto a = ack::read_acknowledgement(ms[0]);
    REQUIRE(a.ok());
    return a.value();
}

}  // namespace

TEST_CASE("a partner's CONTRL accepting our interchange", "[ack][inbound]") {
    auto a = read_one(
        "UNA:+.? '"
        "UNB+UNOC:3+TERMINAL:ZZZ+LINE:ZZZ+260917:0901+ACK77'"
        "UNH+1+CONTRL:D:3:UN'"
        "UCI+ICR1+LINE:ZZZ+TERMINAL:ZZZ+7'"
        "UCM+BAP1+BAPLIE:D:95B:UN+7'"
        "UCM+BAP2+BAPLIE:D:95B:UN+7'"
        "UNT+5+1'"
        "UNZ+1+ACK77'");
    CHECK(a.type == ack::acknowledgement::kind::contrl);
    CHECK(a.identifier == "CONTRL:D:3:UN");
    CHECK(a.interchange_reference == "ICR1");
    CHECK(a.sender == "LINE");
    CHECK(a.recipient == "TERMINAL");
    CHECK(a.overall == ack::verdict::accepted);
    REQUIRE(a.messages.size() == 2);
    CHECK(a.messages[1].reference == "BAP2");
    CHECK(a.messages[1].type == "BAPLIE");
    CHECK(a.messages[1].action == ack::verdict::accepted);
    CHECK(a.problems.empty());
}

TEST_CASE("a partner's APERAK rejecting our message with two errors", "[ack][inbound]") {
    auto a = read_one(
        "UNA:+.? '"
        "UNB+UNOC:3+CUSTOMS:ZZZ+AGENT:ZZZ+260917:0915+AP1'"
        "UNH+A1+APERAK:D:96A:UN'"
        "BGM+313+ERR-4711+9+RE'"
        "DTM+137:202609170915:203'"
        "RFF+ACW:CUSCAR0001'"
        "ERC+E101::ZZZ'"
        "FTX+AAO+++VESSEL IMO NUMBER 9314625 FAILS THE CHECK DIGIT'"
        "ERC+E207::ZZZ'"
        "FTX+AAO+++CONTAINER LHCU4026199 DECLARED TWICE IN BILL LHCL2403170027, SEE SEGMENT 34'"
        "UNT+9+A1'"
        "UNZ+1+AP1'");
    CHECK(a.type == ack::acknowledgement::kind::aperak);
    CHECK(a.overall == ack::verdict::rejected);
    CHECK(a.document_code == "313");
    REQUIRE(a.messages.size() == 1);
    CHECK(a.messages[0].reference == "CUSCAR0001");
    CHECK(a.messages[0].action == ack::verdict::rejected);
    REQUIRE(a.messages[0].errors.size() == 2);
    CHECK(a.messages[0].errors[0].code == "E101:ZZZ");
    CHECK(a.messages[0].errors[0].text == "VESSEL IMO NUMBER 9314625 FAILS THE CHECK DIGIT");
    CHECK(a.messages[0].errors[1].code == "E207:ZZZ");
    CHECK(a.messages[0].errors[1].text == "CONTAINER LHCU4026199 DECLARED TWICE IN BILL LHCL2403170027, SEE SEGMENT 34");
    CHECK(a.problems.empty());
}

TEST_CASE("CONTRL verdicts: receipt only, rejected, partially accepted, with positions", "[ack][inbound]") {
    auto receipt = read_one("UNB+UNOA:3+R+S+260917:0901+A1'UNH+1+CONTRL:D:3:UN'UCI+ICR1+S+R+8'UNT+3+1'UNZ+1+A1'");
    CHECK(receipt.overall == ack::verdict::received);

    auto rejected = read_one("UNB+UNOA:3+R+S+260917:0901+A1'UNH+1+CONTRL:D:3:UN'UCI+ICR1+S+R+4+28+UNZ+3'UNT+3+1'UNZ+1+A1'");
    CHECK(rejected.overall == ack::verdict::rejected);
    REQUIRE(rejected.errors.size() == 1);
    CHECK(rejected.errors[0].syntax_error == 28);
    CHECK(rejected.errors[0].service_segment == "UNZ");
    CHECK(rejected.errors[0].element == 2);
    CHECK(rejected.errors[0].text == "references do not match");

    auto partial = read_one(
        "UNB+UNOA:4+R+S+20260917:0901+A1'UNH+1+CONTRL:4:1:UN'UCI+ICR1+S+R+7'"
        "UCM+M1+IFTSTA:D:96A:UN+7'UCM+M2+IFTSTA:D:96A:UN+4'UCS+5+13'UCS+7'UCD+37+3:2:2'UNT+8+1'UNZ+1+A1'");
    CHECK(partial.overall == ack::verdict::partially_accepted);
    REQUIRE(partial.messages.size() == 2);
    const auto& errs = partial.messages[1].errors;
    REQUIRE(errs.size() == 2);
    CHECK(errs[0].segment == 5);
    CHECK(errs[0].syntax_error == 13);
    CHECK(errs[0].element == 0);
    CHECK(errs[1].segment == 7);
    CHECK(errs[1].syntax_error == 37);
    CHECK(errs[1].element == 2);
    CHECK(errs[1].component == 2);
    CHECK(errs[1].repetition == 2);
}

TEST_CASE("not an acknowledgement, and content not understood, are diagnostics", "[ack][inbound]") {
    auto ms = messages("UNB+UNOA:3+R+S+260917:0901+A1'UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNZ+1+A1'");
    REQUIRE(ms.size() == 1);
    auto a = ack::read_acknowledgement(ms[0]);
    REQUIRE_FALSE(a.ok());
    CHECK(a.errors().at(0).code == "EDI-A010");

    auto odd = read_one("UNB+UNOA:3+R+S+260917:0901+A1'UNH+1+CONTRL:D:3:UN'UCS+X'UCI+ICR1+S+R+9'BGM+1'UCM+M1+X:D:96A:UN+4'UCD+12'UNT+7+1'UNZ+1+A1'");
    CHECK(odd.overall == ack::verdict::unknown);
    std::vector<std::string> codes;
    for (const auto& p : odd.problems) codes.push_back(p.code);
    CHECK(codes == std::vector<std::string>{"EDI-A011", "EDI-A011", "EDI-A011", "EDI-A011"});
    CHECK(odd.messages.size() == 1);
}

TEST_CASE("round trip: the CONTRL we write is read back with the same verdicts", "[ack][inbound]") {
    std::string in =
        "UNA:+.? '"
        "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'"
        "UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M1'"
        "UNH+M2+CODECO:D:96A:UN'BGM+34+X#+9'DTM+7:20240101:102'UNT+4+M2'"
        "UNH+M3+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M9'"
        "UNZ+3+REF1'";
    auto records = test::collect(in);
    REQUIRE(records.size() == 1);
    std::ostringstream out;
    auto w = ack::write_contrl(records[0], out, test::contrl_opts());
    REQUIRE(w.written);
    auto back = messages(out.str());
    REQUIRE(back.size() == 1);
    auto a = ack::read_acknowledgement(back[0]);
    REQUIRE(a.ok());
    const auto& got = a.value();
    CHECK(got.problems.empty());
    CHECK(got.interchange_reference == "REF1");
    CHECK(got.sender == "SENDER");
    CHECK(got.overall == ack::verdict::partially_accepted);
    REQUIRE(got.messages.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& m = records[0].messages[i];
        CHECK(got.messages[i].reference == m.header.reference);
        CHECK((got.messages[i].action == ack::verdict::rejected) == m.rejected());
    }
    // M2: the bad character in segment 2, element 2; M3: the UNT reference at UCM level
    REQUIRE(got.messages[1].errors.size() == 1);
    CHECK(got.messages[1].errors[0].segment == 2);
    CHECK(got.messages[1].errors[0].element == 2);
    CHECK(got.messages[1].errors[0].syntax_error == 21);
    REQUIRE(got.messages[2].errors.size() == 1);
    CHECK(got.messages[2].errors[0].service_segment == "UNT");
    CHECK(got.messages[2].errors[0].element == 2);
    CHECK(got.messages[2].errors[0].syntax_error == 28);
}

TEST_CASE("round trip: our APERAK is read back as rejected with its findings", "[ack][inbound]") {
    auto records = test::collect(
        "UNB+UNOC:3+SENDER+RECEIVER+240101:1200+REF1'UNH+M1+CUSCAR:D:96A:UN'BGM+35+X+9'UNT+3+M1'UNZ+1+REF1'");
    core::diagnostic d;
    d.code = "EDI-D014";
    d.where.interchange = 1;
    d.where.message = 1;
    d.where.segment = 2;
    d.where.tag = "BGM";
    d.where.element = 1;
    d.text = std::string(100, 'x') + " is not in code list 1001";
    records[0].messages[0].findings.push_back(d);
    records[0].messages[0].errors = 1;
    ack::aperak_options o;
    o.control_reference = "ACK2";
    o.date = "261127";
    o.time = "1200";
    std::ostringstream out;
    REQUIRE(ack::write_aperak(records[0], out, o).written);
    auto a = read_one(out.str());
    CHECK(a.overall == ack::verdict::rejected);
    REQUIRE(a.messages.size() == 1);
    CHECK(a.messages[0].reference == "M1");
    REQUIRE(a.messages[0].errors.size() == 1);
    CHECK(a.messages[0].errors[0].code == "EDI-D014:ZZZ");
    CHECK(a.messages[0].errors[0].text == "segment 2 BGM, element 1: " + d.text);
}
