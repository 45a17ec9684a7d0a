// directory_test.cpp - the importer on the installed UNECE files, and the validator on known defects.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "../core/tree_difference.hpp"
#include "../edifact/test_support.hpp"
#include "directory_support.hpp"
#include "edigate/directory/catalog.hpp"
#include "edigate/directory/tree.hpp"
#include "edigate/directory/validator.hpp"
#include "edigate/edifact/tree.hpp"
#include "edigate/edifact/writer.hpp"

namespace fs = std::filesystem;
using namespace edigate;
using directory::repr;

namespace {

using test::installed;

/// Reads `text` with segments kept and validates every message; returns syntax and directory findings.
test::recorder check(std::string_view text, directory::validation_options o = {}) {
    struct validating : test::recorder {
        directory::validator v;
        explicit validating(directory::validation_options opt) : v(installed(), std::move(opt)) {}
        void message_end(const edifact::message& m) override {
            v.validate(m, interchanges.back(), [this](core::diagnostic d) { findings.push_back(std::move(d)); });
            recorder::message_end(m);
        }
    } r(std::move(o));
    edifact::reader().read(text, r);
    return std::move(static_cast<test::recorder&>(r));
}

const core::diagnostic* first(const test::recorder& r, const std::string& code) {
    for (const auto& f : r.findings)
        if (f.code == code) return &f;
    return nullptr;
}

std::string envelope(const std::string& body, const std::string& s009 = "CUSCAR:D:96A:UN") {
    std::size_t segments = 2;
    for (char c : body) segments += c == '\'';
    return "UNB+UNOC:3+SENDER+RECIPIENT+261127:1200+1'UNH+1+" + s009 + "'" + body + "UNT+" + std::to_string(segments) + "+1'UNZ+1+1'";
}

std::size_t count_entries(const std::vector<directory::structure_entry>& v) {
    std::size_t n = 0;
    for (const auto& e : v) n += 1 + count_entries(e.children);
    return n;
}

bool triggers_mandatory(const std::vector<directory::structure_entry>& v) {
    for (const auto& e : v)
        if (e.is_group() && (e.children.empty() || e.children.front().is_group() || !e.children.front().mandatory ||
                             !triggers_mandatory(e.children)))
            return false;
    return true;
}

}  // namespace

TEST_CASE("repr::parse reads the directory notation", "[directory]") {
    auto r = repr::parse("an..35");
    CHECK((r.type == repr::kind::an && r.min == 1 && r.max == 35));
    r = repr::parse("n3");
    CHECK((r.type == repr::kind::n && r.min == 3 && r.max == 3));
    r = repr::parse("a..3");
    CHECK((r.type == repr::kind::a && r.min == 1 && r.max == 3));
    CHECK(repr::parse("").max == 0);
}

TEST_CASE("every message of every installed directory imports, entry for entry", "[directory]") {
    auto& cat = installed();
    auto ids = cat.installed();
    REQUIRE(ids == std::vector<std::string>{"D01B", "D16A", "D21B", "D95B", "D96A"});
    std::size_t messages = 0;
    for (const auto& id : ids) {
        const auto* d = cat.find(id);
        REQUIRE(d);
        CHECK(d->segment_count() > 100);
        CHECK(d->code_list_count() > 200);
        for (const auto& type : d->message_types()) {
            INFO(id << " " << type);
            const auto* m = d->message(type);
            REQUIRE(m);
            // The numbered lines of the segment table, counted independently of the importer.
            std::ifstream in(m->source, std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            auto table = text.find("\nPos ");
            REQUIRE(table != std::string::npos);
            std::size_t numbered = 0;
            for (std::size_t p = text.find('\n', table + 1); p != std::string::npos && p + 1 < text.size(); p = text.find('\n', p + 1)) {
                char c = text[p + 1];
                if (c >= '0' && c <= '9') ++numbered;
                else if (c != ' ' && c != '\r' && c != '\n') break;
            }
            CHECK(count_entries(m->body) == numbered);
            CHECK(m->body.front().tag == "UNH");
            CHECK(m->body.back().tag == "UNT");
            CHECK(triggers_mandatory(m->body));
            ++messages;
        }
    }
    CHECK(messages > 700);
}

TEST_CASE("D96A as the UN publishes it: CUSCAR groups, composites, code lists with change marks", "[directory]") {
    const auto* d = installed().find("d:96a");
    REQUIRE(d);
    const auto* cuscar = d->message("CUSCAR");
    REQUIRE(cuscar);
    CHECK(cuscar->name == "Customs cargo report message");
    const auto& sg1 = cuscar->body.at(4);
    CHECK((sg1.group == 1 && !sg1.mandatory && sg1.max_repeat == 99));
    CHECK((sg1.children.at(0).tag == "NAD" && sg1.children.at(1).group == 2));
    // "    * C059  STREET": a change mark in front of an indented composite header
    const auto* c059 = d->composite("C059");
    REQUIRE(c059);
    CHECK(c059->components.size() == 4);  // 040 was added in D.96A ("040 + 3042")
    CHECK(d->composite("C058")->components.size() == 5);
    const auto* nad = d->segment("NAD");
    REQUIRE(nad);
    CHECK(nad->elements.size() == 9);
    CHECK((nad->elements[1].code == "C082" && nad->elements[1].components.size() == 3));
    // "#|     11 Despatch date and or time": combined change marks
    CHECK(d->codes("2005")->contains("11"));
    CHECK(d->codes("1225")->contains("9"));
    CHECK_FALSE(d->codes("1225")->contains("ZZZZ"));
    CHECK(d->element("1225")->format.max == 3);
}

TEST_CASE("code lists answer contains() for every code and for nothing else", "[directory]") {
    // contains() looks short codes up in a hash table and long ones in the map: both must agree
    // with the list itself, for every list of every installed directory.
    for (const auto& id : installed().installed()) {
        const auto* d = installed().find(id);
        REQUIRE(d);
        for (std::string element : {"1001", "1131", "1153", "2005", "2379", "3035", "3055", "4343", "6063", "6411", "7065", "8053"}) {
            const auto* list = d->codes(element);
            if (!list) continue;
            for (const auto& [code, name] : list->codes()) {
                INFO(id << " " << element << " '" << code << "'");
                CHECK(list->contains(code));
                CHECK_FALSE(list->contains(code + "?"));
                CHECK_FALSE(list->contains("?" + code));
            }
            CHECK_FALSE(list->contains(""));
            CHECK_FALSE(list->contains("ZZZZZZZZZ"));
        }
    }
}

TEST_CASE("a conforming CUSCAR validates without findings", "[directory]") {
    auto r = check(envelope("BGM+85+MANIFEST1+9'DTM+137:20261127:102'NAD+CA+COSCO'TDT+20+V123+1'EQD+CN+ABCU1234567'CNI+1+BL0001'"));
    INFO((r.findings.empty() ? "" : r.findings.front().text));
    CHECK(r.findings.empty());
}

TEST_CASE("a missing mandatory segment is reported where it was expected, with its group path", "[directory]") {
    // SG7 (RFF-...) is conditional, but its trigger RFF is mandatory within each occurrence; here the
    // mandatory BGM is missing at the start.
    auto r = check(envelope("DTM+137:20261127:102'CNI+1+BL0001'"));
    const auto* f = first(r, "EDI-D004");
    REQUIRE(f);
    CHECK(f->text.find("segment BGM") != std::string::npos);
    CHECK(f->where.segment == 2);  // noticed at the DTM
    REQUIRE(f->expected_at);
    CHECK(f->expected_at->segment == 1);  // after UNH, the last segment processed
    CHECK(f->expected_at->tag == "BGM");
    CHECK(f->syntax_error == 13);

    // CUSDEC D96A: SG7? no - IFTMIN SG: use INVOIC, whose UNS and SG48 MOA are mandatory
    r = check(envelope("BGM+380+INV1+9'DTM+137:20261127:102'NAD+BY+BUYER'LIN+1'UNS+S'", "INVOIC:D:96A:UN"));
    f = first(r, "EDI-D004");
    REQUIRE(f);
    CHECK(f->text.find("SG48/MOA") != std::string::npos);
    CHECK(f->where.tag == "UNT");
}

TEST_CASE("segments out of order, unknown tags and excess repeats", "[directory]") {
    auto r = check(envelope("BGM+85+M1+9'CNI+1+BL1'DTM+137:20261127:102'"));
    const auto* f = first(r, "EDI-D003");
    REQUIRE(f);  // DTM after the consignment group can only be inside SG6? No: CUSCAR SG6 has no DTM
    CHECK(f->where.tag == "DTM");
    CHECK(f->text.find("expected") != std::string::npos);

    r = check(envelope("BGM+85+M1+9'XYZ+1'"));
    CHECK(first(r, "EDI-D002"));

    std::string dtms;
    for (int i = 0; i < 10; ++i) dtms += "DTM+137:20261127:102'";
    r = check(envelope("BGM+85+M1+9'" + dtms));
    f = first(r, "EDI-D005");
    REQUIRE(f);
    CHECK(f->where.segment == 12);  // the tenth DTM
    CHECK(f->syntax_error == 35);
}

TEST_CASE("data elements: presence, representation, length, decimal mark, code lists, date formats", "[directory]") {
    auto r = check(envelope("BGM+85+M1+9'MEA+AAE+G+KGM:12x5'NAD'"));
    CHECK(first(r, "EDI-D010"));  // n..18 with a letter
    CHECK(first(r, "EDI-D007"));  // NAD 3035 missing
    r = check(envelope("BGM+85+" + std::string(36, 'A') + "+9'"));
    const auto* f = first(r, "EDI-D011");
    REQUIRE(f);
    CHECK((f->where.element == 2 && f->where.component == 0));
    r = check(envelope("BGM+85+M1+9'MEA+AAE+G+KGM:12,5'"));
    CHECK(first(r, "EDI-D013"));  // syntax 3, UNA default decimal mark '.'
    r = check(envelope("BGM+XXX+M1+9'"));
    f = first(r, "EDI-D014");
    REQUIRE(f);
    CHECK(f->level == core::severity::error);
    r = check(envelope("BGM+XXX+M1+9'"), {false, "", {}});
    CHECK_FALSE(first(r, "EDI-D014"));  // code lists off for this partner
    r = check(envelope("BGM+XXX+M1+9'", "CUSCAR:D:96A:UN:SUBSET1"));
    REQUIRE(first(r, "EDI-D014"));
    CHECK(first(r, "EDI-D014")->level == core::severity::warning);  // an association may add codes
    r = check(envelope("BGM+85:::MANIFEST:EXTRA+M1+9'"));
    CHECK(first(r, "EDI-D008"));
    r = check(envelope("BGM+85+M1+9'DTM+137:20261331:102'"));
    f = first(r, "EDI-D016");
    REQUIRE(f);
    CHECK(f->text.find("CCYYMMDD") != std::string::npos);
    r = check(envelope("BGM+85+M1+9'DTM+137:202611271230:203'"));
    CHECK_FALSE(first(r, "EDI-D016"));
}

TEST_CASE("a partner profile downgrades chosen codes and says so", "[directory]") {
    auto r = check(envelope("BGM+XXX+M1+9'"), {true, "COSCO v3", {"EDI-D014"}});
    const auto* f = first(r, "EDI-D014");
    REQUIRE(f);
    CHECK(f->level == core::severity::warning);
    CHECK(f->downgraded_by == "COSCO v3");
}

TEST_CASE("messages without an installed definition are named, with what is installed", "[directory]") {
    auto r = check(envelope("BGM+220+O1+9'", "ORDERS:D:11A:UN"));
    const auto* f = first(r, "EDI-D001");
    REQUIRE(f);
    CHECK(f->level == core::severity::warning);
    CHECK(f->text.find("D11A is not installed") != std::string::npos);
    CHECK(f->text.find("D96A") != std::string::npos);
    r = check(envelope("BGM+85+M1+9'", "CUSCAR:0:96A:UN"));
    CHECK(first(r, "EDI-D015"));
    CHECK(r.errors() == 0);  // validated against D96A all the same
}

TEST_CASE("message trees nest segment groups and name elements by directory codes", "[directory]") {
    struct tree_recorder : test::recorder {
        directory::validator v{installed()};
        std::vector<core::node> trees;
        void message_end(const edifact::message& m) override {
            trees.push_back(directory::message_tree(m, interchanges.back(), v, [this](core::diagnostic d) { findings.push_back(std::move(d)); }));
        }
    } r;
    edifact::reader().read(envelope("BGM+85+M1+9'NAD+CA+COSCO'CTA+IC+:ZHANG'COM+123:TE'NAD+MS+AGENT'EQD+CN+ABCU1234567'"
                                    "TMP+2+005:CEL'EQD+CN+XYZU7654321'CNI+1+BL1'"),
                           r);
    REQUIRE(r.trees.size() == 1);
    const auto& t = r.trees[0];
    CHECK(r.findings.empty());
    std::vector<std::string> top;
    for (const auto& c : t.children) top.push_back(c.name.str());
    CHECK(top == std::vector<std::string>{"UNH", "BGM", "SG1", "SG1", "SG4", "SG4", "SG6", "UNT"});
    const auto& sg1 = t.children[2];
    REQUIRE(sg1.children.size() == 2);
    CHECK((sg1.children[0].name == "NAD" && sg1.children[1].name == "SG2"));
    CHECK(sg1.children[1].children.size() == 2);  // CTA, COM
    CHECK(t.children[4].child("SG5"));             // TMP opens SG5 inside the first SG4
    const auto* bgm = t.child("BGM");
    REQUIRE(bgm);
    CHECK(bgm->children.at(0).name == "C002");
    CHECK(bgm->children.at(0).children.at(0).name == "1001");
    CHECK(bgm->children.at(0).children.at(0).value == "85");
    CHECK(bgm->children.at(1).name == "1004");
    CHECK(edifact::from_node(*bgm).value(2) == "M1");
}

TEST_CASE("a message tree refilled in place is the tree built anew, whatever came before it", "[directory]") {
    // Every sample message in turn into one tree, forwards and backwards: larger and smaller
    // messages, other types and directories, groups where segments were, a syntax error.
    struct refilling : edifact::handler {
        directory::validator v{installed()};
        edifact::interchange_header header;
        core::node tree;
        std::vector<std::string> differences;
        std::size_t messages = 0;
        void interchange_begin(const edifact::interchange_header& h) override { header = h; }
        void message_end(const edifact::message& m) override {
            ++messages;
            std::vector<std::string> refilled, fresh;
            directory::message_tree(tree, m, header, v, [&](core::diagnostic d) { refilled.push_back(d.text); });
            auto expected = directory::message_tree(m, header, v, [&](core::diagnostic d) { fresh.push_back(d.text); });
            if (auto d = test::difference(tree, expected); !d.empty()) differences.push_back(m.header.type + " " + m.header.reference + d);
            if (refilled != fresh) differences.push_back(m.header.type + " " + m.header.reference + ": findings");
        }
    } r;
    std::vector<fs::path> samples;
    for (const auto& e : fs::directory_iterator(fs::path(EDIGATE_SOURCE_DIR) / "samples"))
        if (e.path().extension() == ".edi") samples.push_back(e.path());
    std::sort(samples.begin(), samples.end());
    REQUIRE(samples.size() >= 10);
    edifact::reader_options o;
    o.keep_segments = true;
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& f : samples) edifact::reader(o).read_file(f, r);
        std::reverse(samples.begin(), samples.end());
    }
    // One place, three shapes: a composite with components, the composite empty, a segment where a
    // group was.
    for (const char* body : {"BGM+85+M1+9'NAD+CA+COSCO:172:20'CNI+1+BL1'", "BGM+85+M1+9'NAD+CA++COSCO LINES'CNI+1+BL1'",
                             "BGM+85+M1+9'DTM+137:20261127:102'CNI+1+BL1'", "BGM+85+M1+9'NAD+CA+COSCO:172:20'CNI+1+BL1'"})
        edifact::reader(o).read(envelope(body), r);
    CHECK(r.messages >= 2 * samples.size() + 4);
    CHECK(r.differences == std::vector<std::string>{});
}

TEST_CASE("segments_from_tree places elements and components by their directory codes", "[directory]") {
    const auto* d96a = installed().find("D96A");
    REQUIRE(d96a);
    core::node message("APERAK");
    auto& bgm = message.add("BGM");
    bgm.add("4343", "AP");  // any order: the directory gives the positions
    bgm.add("C002").add("1001", "23");
    auto& group = message.add("SG1");
    auto& rff = group.add("RFF").add("C506");
    rff.add("1154", "LHCL2403170016");
    rff.add("1153", "BM");
    std::vector<std::string> problems;
    auto segments = directory::segments_from_tree(message, *d96a, problems);
    CHECK(problems.empty());
    REQUIRE(segments.size() == 2);
    edifact::writer_options o;
    std::ostringstream sink;
    edifact::writer w(sink, o);
    CHECK(w.format(segments[0]) == "BGM+23+++AP");
    CHECK(w.format(segments[1]) == "RFF+BM:LHCL2403170016");
    message.add("BGM").add("9999", "x");
    message.add("XYZ");
    segments = directory::segments_from_tree(message, *d96a, problems);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == "BGM has no data element 9999 in directory D96A");
    CHECK(problems[1] == "XYZ is not a segment of directory D96A");
    CHECK(segments.size() == 2);  // the broken ones are left out
}
