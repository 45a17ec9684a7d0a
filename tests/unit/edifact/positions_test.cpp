// positions_test.cpp - one row per diagnostic code, pinning code, byte offset, segment, element.
//
// Every code in the table of codes.cpp must have a row here (checked at the end), so a new code
// cannot ship without a test of where it points.
#include <catch2/catch.hpp>

#include <set>

#include "edigate/edifact/codes.hpp"
#include "test_support.hpp"

using namespace edigate;

namespace {

const std::string unb = "UNB+UNOA:3+SENDER+RECIP+200101:1200+REF1'";
const std::string msg = "UNH+M1+CUSCAR:D:96A:UN'BGM+85+X'UNT+3+M1'";
const std::string unz = "UNZ+1+REF1'";
const std::string good = unb + msg + unz;

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

struct row {
    std::string code;
    std::string input;
    std::string marker;           // expected byte = input.find(marker); "<end>" = input.size()
    std::uint32_t segment;        // expected segment number
    std::string tag;
    std::uint16_t element, component, repetition = 0;
    edifact::reader_options options = {};
};

std::vector<row> rows() {
    std::string grouped = unb + "UNG+CUSCAR+S+R+200101:1200+G1+UN+D:96A'" + msg + "UNE+1+G1'" + unz;
    edifact::reader_options tiny;
    tiny.max_segment_bytes = 64;
    tiny.chunk_bytes = 64;
    edifact::reader_options gb;
    gb.charset_override = edifact::charset::gb18030;
    return {
        {"EDI-S001", "", "<end>", 0, "", 0, 0},
        {"EDI-S002", good + "TRAILING", "TRAILING", 0, "", 0, 0},
        {"EDI-S003", "UNA:+.?:'" + good, "UNA", 1, "UNA", 0, 0},
        {"EDI-S004", replace(good, "BGM", "bG1"), "bG1", 2, "bG1", 0, 0},
        {"EDI-S005", unb + "UNH+M1+CUSCAR:D:96A:UN'BGM+85+X", "BGM", 2, "BGM", 0, 0},
        {"EDI-S006", replace(good, "BGM+85+X", "BGM+85+X?Y"), "?Y", 2, "BGM", 2, 1},
        {"EDI-S007", replace(good, "BGM+85+X", "BGM+85+X\nY"), "\nY", 2, "BGM", 2, 1},
        {"EDI-S008", replace(good, "BGM+85+X", "BGM+85+X+"), "+'UNT", 2, "BGM", 0, 0},
        {"EDI-S009", replace(good, "BGM+85+X", "BGM+85+" + std::string(200, 'X')), "BGM", 0, "BGM", 0, 0, 0, tiny},
        {"EDI-S010", replace(good, "'UNH", "'  UNH"), "  UNH", 0, "", 0, 0},
        {"EDI-S011", "\xEF\xBB\xBF" + good, "\xEF\xBB\xBF", 0, "", 0, 0},
        {"EDI-C001", replace(good, "BGM+85+X", "BGM+85+X#"), "#", 2, "BGM", 2, 1},
        {"EDI-C002", replace(good, "BGM+85+X", "BGM+85:y"), "y'", 2, "BGM", 1, 2},
        {"EDI-C003", replace(replace(good, "UNOA", "UNOY"), "BGM+85+X", "BGM+85+X\xC3("), "\xC3(", 2, "BGM", 2, 1},
        {"EDI-C004", replace(good, "UNOA", "XXXX"), "XXXX", 1, "UNB", 1, 1},
        {"EDI-C005", good, "UNOA", 1, "UNB", 1, 1, 0, gb},
        {"EDI-E001", msg, "UNH", 1, "UNH", 0, 0},
        {"EDI-E002", unb + msg, "<end>", 0, "", 0, 0},
        {"EDI-E003", replace(good, "UNZ+1", "UNZ+2"), "2+REF1'", 5, "UNZ", 1, 0},
        {"EDI-E004", replace(good, "UNZ+1+REF1", "UNZ+1+REF2"), "REF2", 5, "UNZ", 2, 0},
        {"EDI-E005", unb + "UNH+M1+CUSCAR:D:96A:UN'BGM+85+X'" + unz, "UNZ", 3, "UNZ", 0, 0},
        {"EDI-E006", replace(good, "UNT+3", "UNT+4"), "4+M1", 3, "UNT", 1, 0},
        {"EDI-E007", replace(good, "UNT+3+M1", "UNT+3+M2"), "M2", 3, "UNT", 2, 0},
        {"EDI-E008", replace(grouped, "UNE+1", "UNE+2"), "2+G1", 6, "UNE", 1, 0},
        {"EDI-E009", replace(grouped, "UNE+1+G1", "UNE+1+G2"), "G2", 6, "UNE", 2, 0},
        {"EDI-E010", replace(grouped, "UNE+1+G1'", ""), "UNZ", 6, "UNZ", 0, 0},
        {"EDI-E011", replace(good, "UNH", "DTM+137:20200101:102'UNH"), "DTM", 2, "DTM", 0, 0},
        {"EDI-E012", unb + msg + "UNG+CUSCAR+S+R+200101:1200+G1+UN+D:96A'" + msg + "UNE+1+G1'" + unz, "UNG", 5, "UNG", 0, 0},
        {"EDI-E013", unb + "UNZ+0+REF1'", "UNB", 1, "UNB", 0, 0},
        {"EDI-E014", unb + "UNT+2+M1'" + msg + unz, "UNT", 2, "UNT", 0, 0},
        {"EDI-E015", "UNA:+.? 'HELLO", "UNA", 0, "UNA", 0, 0},
        {"EDI-V001", replace(good, "+REF1'UNH", "'UNH"), "'UNH", 1, "UNB", 5, 0},
        {"EDI-V002", replace(good, "CUSCAR:D:96A:UN", "CUSCAR:D:96A:UN:A:B:C"), "B:C", 1, "UNH", 2, 6},
        {"EDI-V003", replace(good, "200101:1200", "20200101:1200"), "20200101", 1, "UNB", 4, 1},
        {"EDI-V004", replace(good, "UNOA:3", "UNOA:4"), "200101", 1, "UNB", 4, 1},
        {"EDI-V005", replace(good, "UNT+3", "UNT+X"), "X+M1", 3, "UNT", 1, 0},
        {"EDI-V006", replace(good, "UNOA:3", "UNOA:5"), "5+SENDER", 1, "UNB", 1, 2},
        {"EDI-V007", replace(good, "200101:1200", "201301:1200"), "201301", 1, "UNB", 4, 1},
        {"EDI-V008", replace(replace(good, "UNOA:3", "UNOA:4"), "SENDER", "SENDER*OTHER"), "OTHER", 1, "UNB", 2, 0, 2},
    };
}

}  // namespace

TEST_CASE("every diagnostic code points at the right place", "[edifact][positions]") {
    std::set<std::string> covered;
    for (const auto& r : rows()) {
        INFO("code " << r.code << ", input: " << r.input);
        auto rec = test::read(r.input, r.options);
        const core::diagnostic* hit = nullptr;
        for (const auto& f : rec.findings)
            if (f.code == r.code) {
                hit = &f;
                break;
            }
        REQUIRE(hit != nullptr);
        covered.insert(r.code);
        auto expected_byte = r.marker == "<end>" ? r.input.size() : r.input.find(r.marker);
        REQUIRE(expected_byte != std::string::npos);
        CHECK(hit->where.byte == expected_byte);
        CHECK(hit->where.segment == r.segment);
        CHECK(hit->where.tag == r.tag);
        CHECK(hit->where.element == r.element);
        CHECK(hit->where.component == r.component);
        CHECK(hit->where.repetition == r.repetition);
        for (const auto& c : edifact::all_codes())
            if (c.name == r.code) CHECK(hit->syntax_error == c.syntax_error);
        CHECK_FALSE(hit->text.empty());
    }
    for (const auto& c : edifact::all_codes()) {
        INFO("code without a position row: " << c.name);
        CHECK(covered.count(std::string(c.name)) == 1);
    }
}

TEST_CASE("the unmodified base interchange is clean", "[edifact][positions]") {
    auto rec = test::read(good);
    CHECK(rec.findings.empty());
    REQUIRE(rec.messages.size() == 1);
    CHECK(rec.messages[0].segment_count == 3);
}
