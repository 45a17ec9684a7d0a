// validation_test.cpp - every CONTRL and APERAK we write is itself a valid message of its directory.
#include <catch2/catch.hpp>

#include "../edifact/test_support.hpp"
#include "../directory/directory_support.hpp"
#include "ack_support.hpp"
#include "edigate/directory/validator.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

using test::installed;

/// Syntax findings of reading `text` plus directory findings of validating its messages; warnings included.
std::vector<core::diagnostic> check(const std::string& text, std::size_t* messages = nullptr) {
    struct validating : test::recorder {
        directory::validator v{installed()};
        void message_end(const edifact::message& m) override {
            auto verdict = v.validate(m, interchanges.back(), [this](core::diagnostic d) { findings.push_back(std::move(d)); });
            if (!verdict.definition) {
                core::diagnostic d;
                d.code = "TEST";
                d.text = "no definition for " + m.header.type + ":" + m.header.version + ":" + m.header.release;
                findings.push_back(d);
            }
            recorder::message_end(m);
        }
    } r;
    edifact::reader().read(text, r);
    if (messages) *messages = r.messages.size();
    return r.findings;
}

std::string describe(const std::vector<core::diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += d.code + " " + std::to_string(d.where.segment) + " " + d.where.tag + ": " + d.text + "\n";
    return out;
}

// Interchanges with known defects, in every syntax version and with groups.
const char* inputs[] = {
    "UNA:+.? 'UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M1'UNZ+1+REF1'",
    "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'UNH+M1+CODECO:D:96A:UN'BGM+34+X#+9'UNT+4+M1'UNZ+1+REF1'",
    "UNB+UNOA:3+SENDER:ZZZ+RECEIVER:ZZZ+240101+REF1'UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M9'UNZ+2+REF1'",
    "UNB+UNOA:3+SENDER+RECEIVER+240101:1200+ref1'UNH+M1+CODECO:D:96A:UN'BGM+34+x+9'UNT+3+M1'UNZ+1+ref1'",
    "UNB+UNOA:2+SENDER+RECEIVER+240101:1200+REF1'UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNZ+1+REF1'",
    "UNB+UNOB:1+SENDER+RECEIVER+240101:1200+REF1'UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M1'UNZ+1+REF1'",
    "UNA:+.?*'UNB+UNOY:4+SENDER:ZZZ:ROUTE+RECEIVER:ZZZ+20240101:1200+REF1++++++1'UNH+M1+CODECO:D:96A:UN'BGM+34+X*Y+9'"
    "UNT+3+M1'UNH+M2+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M2'UNZ+3+REF1'",
    "UNB+UNOA:3+SENDER+RECEIVER+240101:1200+REF1'UNG+CODECO+APPS+APPR+240101:1200+G1+UN+D:96A'"
    "UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M1'UNE+2+G1'UNG+CODECO+APPS+APPR+240101:1200+G2+UN+D:96A'"
    "UNH+M2+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M2'UNE+1+G2'UNZ+2+REF1'",
    "UNB+UNOA:3+SENDER+RECEIVER+240101:1200+REF1'XYZ+1'UNH+M1+CODECO:D:96A:UN'BGM+34+X+9'UNT+3+M1'UNZ+1+REF1'",
};

}  // namespace

TEST_CASE("every CONTRL we write validates as a CONTRL of its syntax version", "[ack][validation]") {
    int n = 0;
    for (const char* in : inputs) {
        INFO("input " << ++n << ": " << in);
        auto records = test::collect(in);
        REQUIRE(records.size() == 1);
        std::ostringstream out;
        auto r = ack::write_contrl(records[0], out, test::contrl_opts());
        REQUIRE(r.written);
        INFO("CONTRL:\n" << out.str());
        std::size_t messages = 0;
        auto findings = check(out.str(), &messages);
        CHECK(messages == 1);
        CHECK(describe(findings).empty());
    }
}

TEST_CASE("the check is not vacuous: a broken CONTRL and APERAK give errors", "[ack][validation]") {
    auto contrl = check("UNB+UNOA:3+R+S+261127:1200+A'UNH+1+CONTRL:D:3:UN'UCM+1+X:D:96A:UN+7'UCI+REF+S+R+7'UCD+12'UNT+5+1'UNZ+1+A'");
    std::string text = describe(contrl);
    CHECK(text.find("EDI-D003") != std::string::npos);  // UCI after UCM
    CHECK(text.find("EDI-D007") != std::string::npos);  // UCD without S011
    auto aperak = check("UNB+UNOA:3+R+S+261127:1200+A'UNH+1+APERAK:D:96A:UN'BGM+313+1+9+RE'ERC+X'UNT+4+1'UNZ+1+A'");
    CHECK(describe(aperak).find("EDI-D014") != std::string::npos);  // 1001 313 is not in the D.96A list
}

TEST_CASE("a segment the directory finds missing is reported after the last segment processed (0096)", "[ack][validation]") {
    // D.96A ORDERS: DTM (0030, mandatory) is missing between BGM (segment 2) and NAD (segment 3).
    std::string in = "UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+240101:1200+R1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'"
                     "NAD+BY+123::9'LIN+1++4000862141404:EN'UNS+S'UNT+6+M1'UNZ+1+R1'";
    struct validating : ack::collector {
        directory::validator v{installed()};
        edifact::interchange_header h;
        void interchange_begin(const edifact::interchange_header& x) override {
            h = x;
            collector::interchange_begin(x);
        }
        void message_end(const edifact::message& m) override {
            v.validate(m, h, [this](core::diagnostic d) { add(d); });
            collector::message_end(m);
        }
    } c;
    edifact::reader().read(in, c);
    REQUIRE(c.interchanges().size() == 1);
    std::ostringstream out;
    ack::write_contrl(c.interchanges()[0], out, test::contrl_opts());
    CHECK(out.str().find("UCM+M1+ORDERS:D:96A:UN+4'\nUCS+2+13'\nUNT") != std::string::npos);
    CHECK(describe(check(out.str())).empty());
}

TEST_CASE("a CONTRL with the most UCD and UCS it may carry still validates", "[ack][validation]") {
    auto records = test::collect(inputs[0]);
    auto& m = records.at(0).messages.at(0);
    for (std::uint32_t s = 1; s <= 1005; ++s)
        for (std::uint16_t e = 1; e <= (s == 2 ? 120 : 1); ++e) {
            core::diagnostic d;
            d.code = "EDI-D011";
            d.syntax_error = 39;
            d.where.interchange = 1;
            d.where.message = 1;
            d.where.segment = s;
            d.where.tag = "FTX";
            d.where.element = e;
            m.findings.push_back(d);
            ++m.errors;
        }
    std::ostringstream out;
    auto r = ack::write_contrl(records[0], out, test::contrl_opts());
    REQUIRE(r.written);
    CHECK(r.problems.size() == 2);
    CHECK(describe(check(out.str())).empty());
}

TEST_CASE("every APERAK we write validates against the APERAK of the original's directory", "[ack][validation]") {
    for (const char* release : {"95B", "96A", "01B", "16A", "21B"}) {
        INFO("directory D" << release);
        std::string in = std::string("UNA:+.? 'UNB+UNOC:3+SENDER:ZZZ+RECEIVER:ZZZ+240101:1200+REF1'UNH+M1+CUSCAR:D:") + release +
                         ":UN'BGM+85+X+9'UNT+3+M1'UNZ+1+REF1'";
        auto records = test::collect(in);
        auto& m = records.at(0).messages.at(0);
        for (int i = 0; i < 3; ++i) {
            core::diagnostic d;
            d.code = i ? "EDI-D014" : "EDI-D004";
            d.level = i == 2 ? core::severity::warning : core::severity::error;
            d.where.interchange = 1;
            d.where.message = 1;
            d.where.segment = 2;
            d.where.tag = "BGM";
            d.where.element = static_cast<std::uint16_t>(i);
            d.text = i ? std::string(420, 'z') + ": 'x' is not a code" : "mandatory segment DTM missing";
            m.findings.push_back(d);
        }
        m.errors = 2;
        ack::aperak_options o;
        o.control_reference = "ACK2";
        o.date = "261127";
        o.time = "1200";
        o.document_name_code = ack::document_codes_from(installed());
        std::ostringstream out;
        auto r = ack::write_aperak(records[0], out, o);
        REQUIRE(r.written);
        INFO("APERAK:\n" << out.str());
        CHECK(describe(check(out.str())).empty());
    }
}
