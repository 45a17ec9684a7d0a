// mapping_test.cpp - mapping files: the F1 mapping loads and runs, a missing required value or an
// unknown code gives no output and a finding naming rule and source, and mistakes in a mapping
// file are reported at load with their line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "edigate/mapping/mapping.hpp"
#include "../core/tree_difference.hpp"
#include "mapping_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

const fs::path source = EDIGATE_SOURCE_DIR;

const xml::schema_catalog& schemas() {
    static xml::schema_catalog catalog({source / "xsd"});
    return catalog;
}


mapping::mapping f1() {
    std::vector<core::diagnostic> problems;
    auto m = mapping::mapping::load(source / "mappings/customs/cuscar-mt1101.map.xml", schemas(), source / "mappings/codes", problems);
    INFO((problems.empty() ? "" : problems.front().text));
    REQUIRE(m);
    return *m;
}

const mapping::variables partner{{"customs_code", "2305138764521"}, {"dxp_id", "DXP1"}, {"now", "20240316090512345"}};

/// Removes every node with this name below `n` whose child `qualifier` has `value`.
void remove(core::node& n, const std::string& name, const std::string& qualifier, const std::string& value) {
    std::erase_if(n.children, [&](const core::node& c) {
        if (c.name != name) return false;
        for (const auto& k : c.children)
            for (const auto& kk : k.children)
                if (kk.name == qualifier && kk.value == value) return true;
        return false;
    });
    for (auto& c : n.children) remove(c, name, qualifier, value);
}

}  // namespace

TEST_CASE("the F1 mapping turns the CUSCAR sample into an MT1101 tree", "[mapping]") {
    auto m = f1();
    CHECK(m.source() == "CUSCAR");
    CHECK(m.target() == "customs-manifest-mt1101");
    std::vector<core::diagnostic> findings;
    auto out = m.run(test::cuscar_tree(), partner, findings);
    INFO((findings.empty() ? "" : findings.front().text));
    REQUIRE(out);
    CHECK(out->name == "Manifest");
    CHECK(out->ns == "urn:Declaration:datamodel:standard:CN:MT1101:1");
    std::size_t consignments = 0;
    for (const auto& c : out->child("Declaration")->children) consignments += c.name == "Consignment";
    CHECK(consignments == 3);
    CHECK(out->child("Head")->child("FunctionCode")->value == "9");  // 1225 = 9 through the code table
}

TEST_CASE("a missing required source value gives no output and says which rule and where", "[mapping]") {
    auto tree = test::cuscar_tree();
    remove(tree, "RFF", "1153", "BM");  // every bill of lading reference
    std::vector<core::diagnostic> findings;
    CHECK_FALSE(f1().run(tree, partner, findings));
    REQUIRE_FALSE(findings.empty());
    CHECK(findings[0].code == "EDI-M002");
    CHECK(findings[0].text.find("Manifest/Declaration/Consignment/TransportContractDocument/ID") == 0);
    CHECK(findings[0].text.find("required value $bill is missing in SG6 at byte") != std::string::npos);
    CHECK(findings[0].text.find("cuscar-mt1101.map.xml:") != std::string::npos);
    CHECK(findings[0].where.byte > 0);
    CHECK(findings[0].where.tag.empty());  // SG6 is a group: reports must not call it a segment
}

TEST_CASE("a mapping finding names a segment only where the rule read one", "[mapping]") {
    // In a loop over NAD segments: the finding is at that segment.
    auto tree = test::cuscar_tree();
    for (auto& sg6 : tree.children)
        for (auto& sg7 : sg6.children)
            for (auto& sg10 : sg7.children)
                for (auto& nad : sg10.children)
                    if (nad.name == "NAD") std::erase_if(nad.children, [](const core::node& e) { return e.name == "C059"; });
    std::vector<core::diagnostic> findings;
    CHECK_FALSE(f1().run(tree, partner, findings));
    REQUIRE_FALSE(findings.empty());
    CHECK(findings[0].text.find("Address/Line: required value join(C059/3042, ', ') is missing in NAD at byte") != std::string::npos);
    CHECK(findings[0].where.tag == "NAD");
    // At the message itself: no segment, the message's UNH.
    auto whole = test::cuscar_tree();
    std::erase_if(whole.children, [](const core::node& c) { return c.name == "BGM"; });
    findings.clear();
    CHECK_FALSE(f1().run(whole, partner, findings));
    REQUIRE_FALSE(findings.empty());
    CHECK(findings[0].text.find("FunctionCode: ") != std::string::npos);
    CHECK(findings[0].text.find("is missing in the message (UNH at byte ") != std::string::npos);
    CHECK(findings[0].where.tag.empty());
    CHECK(findings[0].where.byte == whole.byte);
}

TEST_CASE("a code not in its table is a finding, never a blank", "[mapping]") {
    auto tree = test::cuscar_tree();
    for (auto& c : tree.children)
        if (c.name == "BGM")
            for (auto& e : c.children)
                if (e.name == "1225") e.value = "47";
    std::vector<core::diagnostic> findings;
    CHECK_FALSE(f1().run(tree, partner, findings));
    REQUIRE_FALSE(findings.empty());
    CHECK(findings[0].code == "EDI-M003");
    CHECK(findings[0].text.find("code '47' from BGM/1225 is not in code table edifact-1225-to-cn-manifest-function") != std::string::npos);
}

TEST_CASE("mistakes in a mapping file are reported at load with their line", "[mapping]") {
    auto write = [](const std::string& body) {
        auto p = fs::temp_directory_path() / "edigate-test.map.xml";
        std::ofstream(p) << "<?xml version=\"1.0\"?>\n<mapping xmlns=\"urn:edigate:mapping:1\" version=\"1\" name=\"t\" source=\"CUSCAR\" "
                            "target=\"customs-manifest-mt1101\">\n  <output root=\"Manifest\">\n"
                         << body << "  </output>\n</mapping>\n";
        return p;
    };
    auto problems_of = [](const fs::path& p) {
        std::vector<core::diagnostic> problems;
        CHECK_FALSE(mapping::mapping::load(p, schemas(), source / "mappings/codes", problems));
        REQUIRE_FALSE(problems.empty());
        return problems.front();
    };
    auto p = problems_of(write("    <element name=\"Head\" value=\"concat(BGM/1004, \"/>\n"));
    CHECK(p.code == "EDI-M001");
    CHECK(p.where.line == 4);
    CHECK(p.text.find("expected a value") != std::string::npos);
    p = problems_of(write("    <element name=\"Head\" value=\"frobnicate(BGM/1004)\"/>\n"));
    CHECK(p.text.find("unknown function 'frobnicate'") != std::string::npos);
    p = problems_of(write("    <elemnt name=\"Head\"/>\n"));  // the schema catches what is not mapping vocabulary
    CHECK(p.where.line == 4);
    p = problems_of(write("    <element name=\"Head\" value=\"code('no-such-table', BGM/1225)\"/>\n"));
    CHECK(p.text.find("no-such-table.csv") != std::string::npos);
}

TEST_CASE("keep-empty, $position, not(), max(), when and required variables", "[mapping]") {
    auto p = fs::temp_directory_path() / "edigate-features.map.xml";
    std::ofstream(p) << R"map(<?xml version="1.0"?>
<mapping xmlns="urn:edigate:mapping:1" version="1" name="f" source="CUSCAR" target="customs-manifest-mt1101" when="BGM/1225">
  <output root="Out">
    <element name="SeqNo" keep-empty="true"/>
    <element name="Dropped"/>
    <for-each select="SG6"><element name="Bill" value="concat($position, ':', SG7/RFF[C506/1153='BM']/C506/1154)"/></for-each>
    <if test="not(SG9)"><element name="NoSG9" value="'yes'"/></if>
    <element name="Heaviest" value="max(SG6/SG7/CNT[C270/6069='7']/C270/6066)"/>
    <variable name="missing" value="concat(BGM/9999,
                                    '  kept  as  quoted')" required="true"/>
  </output>
</mapping>
)map";
    std::vector<core::diagnostic> problems;
    auto m = mapping::mapping::load(p, schemas(), source / "mappings/codes", problems);
    INFO((problems.empty() ? "" : problems.front().text));
    REQUIRE(m);
    auto tree = test::cuscar_tree();
    CHECK(m->applies(tree, partner));
    std::vector<core::diagnostic> findings;
    CHECK_FALSE(m->run(tree, partner, findings));  // the required variable has no value
    REQUIRE(findings.size() == 1);
    // quoted as one line: the mapping file's line break and indentation are one space
    CHECK(findings[0].text.find("required variable $missing (concat(BGM/9999, '  kept  as  quoted')) has no value") != std::string::npos);

    std::ofstream(p) << R"map(<?xml version="1.0"?>
<mapping xmlns="urn:edigate:mapping:1" version="1" name="f" source="CUSCAR" target="customs-manifest-mt1101" when="not(BGM/1225)">
  <output root="Out">
    <element name="SeqNo" keep-empty="true"/>
    <element name="Dropped"/>
    <for-each select="SG6"><element name="Bill" value="concat($position, ':', SG7/RFF[C506/1153='BM']/C506/1154)"/></for-each>
    <if test="not(SG9)"><element name="NoSG9" value="'yes'"/></if>
    <element name="Heaviest" value="max(SG6/SG7/CNT[C270/6069='7']/C270/6066)"/>
  </output>
</mapping>
)map";
    problems.clear();
    m = mapping::mapping::load(p, schemas(), source / "mappings/codes", problems);
    REQUIRE(m);
    CHECK_FALSE(m->applies(tree, partner));  // BGM/1225 is there: not() is false
    findings.clear();
    auto out = m->run(tree, partner, findings);
    REQUIRE(out);
    std::vector<std::string> got;
    for (const auto& c : out->children) got.push_back(c.name + "=" + c.value);
    CHECK(got == std::vector<std::string>{"SeqNo=", "Bill=1:LHCL2403170016", "Bill=2:LHCL2403170027", "Bill=3:LHCL2403170038", "NoSG9=yes",
                                          "Heaviest=22176"});
}

TEST_CASE("a mapping may not declare namespaces through attributes", "[mapping]") {
    auto p = fs::temp_directory_path() / "edigate-xmlns.map.xml";
    std::ofstream(p) << R"map(<?xml version="1.0"?>
<mapping xmlns="urn:edigate:mapping:1" version="1" name="f" source="CUSCAR" target="customs-manifest-mt1101">
  <output root="Out">
    <element name="A"><attribute name="xmlns" value="''"/></element>
  </output>
</mapping>
)map";
    std::vector<core::diagnostic> problems;
    CHECK_FALSE(mapping::mapping::load(p, schemas(), source / "mappings/codes", problems));
    REQUIRE_FALSE(problems.empty());
    CHECK(problems[0].where.line == 4);
    CHECK(problems[0].text.find("would declare a namespace") != std::string::npos);
}

TEST_CASE("'//' paths look across the messages of one interchange", "[mapping]") {
    auto p = fs::temp_directory_path() / "edigate-interchange.map.xml";
    // The UNOY sample holds two CUSCARs of one voyage: each names the other's document number and
    // counts the bills of the whole interchange.
    std::ofstream(p) << R"map(<?xml version="1.0"?>
<mapping xmlns="urn:edigate:mapping:1" version="1" name="f" source="CUSCAR" target="customs-manifest-mt1101">
  <output root="Out">
    <variable name="self" value="BGM/1004"/>
    <element name="Others" value="join(//Message[@type='CUSCAR'][BGM/1004!=$self]/BGM/1004, ' ')"/>
    <element name="Messages" value="count(//Message)"/>
    <element name="VoyageBills" value="count(//Message/SG6/SG7/RFF[C506/1153='BM'])"/>
    <element name="OwnBills" value="count(SG6/SG7/RFF[C506/1153='BM'])"/>
  </output>
</mapping>
)map";
    std::vector<core::diagnostic> problems;
    auto m = mapping::mapping::load(p, schemas(), source / "mappings/codes", problems);
    INFO((problems.empty() ? "" : problems.front().text));
    REQUIRE(m);
    CHECK(m->reads_interchange());
    core::node interchange("Interchange");
    interchange.children = test::message_trees("samples/cuscar-unoy-chinese.edi");
    REQUIRE(interchange.children.size() == 2);
    auto values = [&](const core::node* from) {
        std::vector<std::string> got;
        for (const auto& msg : interchange.children) {
            std::vector<core::diagnostic> findings;
            auto out = m->run(msg, partner, findings, nullptr, from);
            REQUIRE(out);
            std::string line;
            for (const auto& c : out->children) line += c.name + "=" + c.value + ";";
            got.push_back(line);
        }
        return got;
    };
    auto own = [&](std::size_t i) { return *interchange.children[i].child("BGM")->child("1004"); };
    auto got = values(&interchange);
    CHECK(got[0].find("Others=" + own(1).value + ";") != std::string::npos);
    CHECK(got[1].find("Others=" + own(0).value + ";") != std::string::npos);
    CHECK(got[0].find("Messages=2;") != std::string::npos);
    // The voyage's bills are the sum of the messages' own.
    auto count_of = [](const std::string& line, const std::string& key) {
        auto at = line.find(key + "=");
        return std::stoi(line.substr(at + key.size() + 1));
    };
    CHECK(count_of(got[0], "VoyageBills") == count_of(got[0], "OwnBills") + count_of(got[1], "OwnBills"));
    CHECK(count_of(got[1], "VoyageBills") == count_of(got[0], "VoyageBills"));
    // Without the interchange, '//' selects nothing (count 0), never the message itself.
    auto alone = values(nullptr);
    CHECK(alone[0].find("Others=") == std::string::npos);
    CHECK(alone[0].find("Messages=0;") != std::string::npos);
}

TEST_CASE("a mapping refilling the last output gives what a fresh run gives, after a larger or failed one", "[mapping]") {
    auto m = f1();
    const auto full = test::cuscar_tree();
    auto smaller = full;  // one bill left, and it without its place of receipt (an optional element)
    std::size_t bills = 0;
    for (auto it = smaller.children.begin(); it != smaller.children.end();)
        it = it->name == "SG6" && ++bills > 1 ? smaller.children.erase(it) : it + 1;
    remove(smaller, "LOC", "3227", "88");
    auto broken = full;
    remove(broken, "RFF", "1153", "BM");
    core::node out;
    for (const core::node* source : std::vector<const core::node*>{&full, &smaller, &broken, &full, &broken, &smaller}) {
        std::vector<core::diagnostic> refilled, fresh;
        bool ok = m.fill(out, *source, partner, refilled);
        auto expected = m.run(*source, partner, fresh);
        REQUIRE(ok == expected.has_value());
        REQUIRE(refilled.size() == fresh.size());
        for (std::size_t i = 0; i < fresh.size(); ++i) CHECK(refilled[i].text == fresh[i].text);
        if (ok) CHECK(test::difference(out, *expected).empty());
    }
    std::vector<core::diagnostic> findings;
    m.fill(out, broken, partner, findings);
    REQUIRE(findings.size() >= 3);  // one per bill: the place counts the Consignments written before it
    CHECK(findings[1].text.find("Manifest/Declaration/Consignment[2]/TransportContractDocument/ID") == 0);
    CHECK(findings[2].text.find("Manifest/Declaration/Consignment[3]/TransportContractDocument/ID") == 0);
}

TEST_CASE("sum() and number() compute in decimal: no binary fractions in an output", "[mapping]") {
    core::node root;
    root.name = "Doc";
    auto values = [&](std::initializer_list<const char*> list) {
        root.children.clear();
        for (const char* v : list) {
            core::node& n = root.children.emplace_back();
            n.name = "V";
            n.value = v;
        }
    };
    auto eval = [&](std::string_view text) {
        std::string error;
        std::size_t offset = 0;
        auto e = mapping::expression::compile(text, error, offset);
        INFO(error);
        REQUIRE(e);
        mapping::scope s;
        s.node = s.root = &root;
        std::vector<std::string> problems;
        auto v = e->evaluate(s, problems);
        INFO((problems.empty() ? "" : problems.front()));
        REQUIRE(problems.empty());
        return v.value_or("(missing)");
    };
    values({"0.1", "0.2"});
    CHECK(eval("sum(V)") == "0.3");  // in binary doubles 0.30000000000000004, which fractionDigits refuses
    values({"12,1", "-0.05", "3", "", "0.000"});
    CHECK(eval("sum(V)") == "15.05");
    values({"99999999999999999999999999999", "1"});
    CHECK(eval("sum(V)") == "100000000000000000000000000000");  // 30 digits: beyond a double's 17
    values({"1e3", "0.5"});
    CHECK(eval("sum(V)") == "1000.5");  // not plain decimals: summed in binary, as before
    values({"-0.5", "0.5"});
    CHECK(eval("sum(V)") == "0");
    values({"1", "+2"});
    std::string error;
    std::size_t offset = 0;
    auto e = mapping::expression::compile("sum(V)", error, offset);
    REQUIRE(e);
    mapping::scope s;
    s.node = s.root = &root;
    std::vector<std::string> problems;
    CHECK_FALSE(e->evaluate(s, problems));  // a '+' is not how numbers are written here, exact or not
    CHECK(problems == std::vector<std::string>{"sum(V): '+2' is not a number"});
    CHECK(eval("number('2.675', 2)") == "2.68");  // the double nearest 2.675 is 2.67499...: "2.67"
    CHECK(eval("number('-2.675', 2)") == "-2.68");
    CHECK(eval("number('-0.001', 2)") == "0.00");  // not "-0.00"
    CHECK(eval("number('1234.5', 0)") == "1235");
    CHECK(eval("number('7', 3)") == "7.000");
    CHECK(eval("number('0,125', 2)") == "0.13");
    CHECK(eval("number('1e3', 1)") == "1000.0");
}
