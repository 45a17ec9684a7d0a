// writer_test.cpp - the streaming XML writer: escaping, namespaces, layout, GB18030, refusals.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "edigate/xml/reader.hpp"
#include "edigate/xml/writer.hpp"

using namespace edigate;

namespace {

std::string written(const core::node& n, xml::write_options o = {}) {
    std::ostringstream out;
    xml::writer w(out, o);
    w.node(n);
    w.finish();
    return out.str();
}

core::node reread(const std::string& bytes) {
    auto p = std::filesystem::temp_directory_path() / "edigate-writer-reread.xml";
    std::ofstream(p, std::ios::binary) << bytes;
    core::diagnostic problem;
    auto root = xml::read_file(p, problem);
    INFO(problem.text);
    REQUIRE(root);
    return *root;
}

void same_tree(const core::node& a, const core::node& b) {
    CHECK(a.name == b.name);
    CHECK(a.ns == b.ns);
    CHECK(a.value == b.value);
    CHECK(a.attributes == b.attributes);
    REQUIRE(a.children.size() == b.children.size());
    for (std::size_t i = 0; i < a.children.size(); ++i) same_tree(a.children[i], b.children[i]);
}

core::node sample() {
    core::node root("Manifest");
    root.ns = "urn:Declaration:datamodel:standard:CN:MT1101:1";
    root.set_attribute("version", "1.0");
    auto& head = root.add("Head");
    head.ns = root.ns;
    head.add("MessageID", "CN_MT1101_1p0_1234567890_20261127101010123").ns = root.ns;
    auto& desc = root.add("Description", "\xE5\x86\xB7\xE5\x86\xBB\xE9\xB1\xBC & <\"shrimp\">\r\n");  // 冷冻鱼
    desc.ns = "urn:other";
    desc.set_attribute("note", "a\"b\tc\nd<e>&");
    root.add("Plain", "x");  // no namespace inside a default-namespaced parent
    return root;
}

}  // namespace

TEST_CASE("xml::writer escapes text and attributes so that reading gives the same tree back", "[xml][writer]") {
    auto root = sample();
    std::string out = written(root);
    CHECK(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Manifest xmlns=\"urn:Declaration:datamodel:standard:CN:MT1101:1\""));
    CHECK(out.find("&amp; &lt;\"shrimp\"&gt;&#13;\n") != std::string::npos);
    CHECK(out.find("note=\"a&quot;b&#9;c&#10;d&lt;e&gt;&amp;\"") != std::string::npos);
    CHECK(out.find("<Description xmlns=\"urn:other\"") != std::string::npos);
    CHECK(out.find("<Plain xmlns=\"\">x</Plain>") != std::string::npos);
    same_tree(reread(out), root);
    CHECK(written(root) == out);  // deterministic
}

TEST_CASE("xml::writer uses a preferred prefix and declares it once", "[xml][writer]") {
    std::ostringstream out;
    xml::writer w(out, {.indent = true, .declaration = false});
    w.prefer("http://www.chinaport.gov.cn/ceb", "ceb");
    w.start("CEB311Message", "http://www.chinaport.gov.cn/ceb");
    w.attribute("guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94");
    w.start("Order", "http://www.chinaport.gov.cn/ceb");
    w.start("OrderHead", "http://www.chinaport.gov.cn/ceb");
    w.text("1");
    w.end();
    w.end();
    w.finish();
    CHECK(out.str() ==
          "<ceb:CEB311Message xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" guid=\"4CDE1CFD-EDED-46B1-946C-B8022E42FC94\">\n"
          "  <ceb:Order>\n"
          "    <ceb:OrderHead>1</ceb:OrderHead>\n"
          "  </ceb:Order>\n"
          "</ceb:CEB311Message>\n");
}

TEST_CASE("xml::writer writes GB18030 when asked, declared, and it reads back the same", "[xml][writer][charset]") {
    auto root = sample();
    std::string out = written(root, {.encoding = "GB18030"});
    CHECK(out.starts_with("<?xml version=\"1.0\" encoding=\"GB18030\"?>"));
    CHECK(out.find("\xC0\xE4\xB6\xB3\xD3\xE3") != std::string::npos);  // 冷冻鱼 in GB18030
    CHECK(out.find("\xE5\x86\xB7") == std::string::npos);
    same_tree(reread(out), root);
}

TEST_CASE("xml::writer refuses what XML 1.0 cannot carry instead of changing it", "[xml][writer]") {
    std::ostringstream out;
    xml::writer w(out);
    w.start("a");
    CHECK_THROWS_AS(w.text(std::string("bell\x07")), xml::write_error);
    CHECK_THROWS_AS(w.text("bad \xC3(utf-8"), xml::write_error);
    CHECK_THROWS_AS(w.start("0004"), xml::write_error);  // names cannot start with a digit
    CHECK_THROWS_AS(xml::writer(out, {.encoding = "EBCDIC"}), xml::write_error);
}

TEST_CASE("xml::writer checks every name of a tree, the ones it has seen before included", "[xml][writer]") {
    // node() remembers the interned names it has checked: a bad name is refused however many good
    // ones came before it, in this document or an earlier one.
    core::node root("Manifest");
    for (int i = 0; i < 200; ++i) root.add(core::symbol("Item" + std::to_string(i % 70)), "x");
    std::string out;
    {
        xml::writer w(out, {.indent = true});
        w.node(root);
        w.finish();
    }
    CHECK(out.find("<Item69>x</Item69>") != std::string::npos);  // a string target gets the document as written
    same_tree(reread(out), root);
    for (const char* bad : {"1Item", "It em", "Item<"}) {
        root.add(core::symbol(bad), "x");
        std::string again;
        xml::writer w(again);
        CHECK_THROWS_AS(w.node(root), xml::write_error);
        root.children.pop_back();
    }
}

TEST_CASE("xml::writer declares a leaf's namespace when it is not the one in scope", "[xml][writer]") {
    // Leaves in the default namespace in scope are written the short way; a leaf in another
    // namespace, or after the binding it matched has gone, still gets its declaration.
    core::node root("Root");
    auto& a = root.add("A");
    a.ns = "urn:u";
    a.add("Leaf", "1").ns = "urn:u";
    auto& b = root.add("B");
    b.ns = "urn:v";
    b.add("Leaf", "2").ns = "urn:v";
    b.add("Leaf", "3").ns = "urn:u";
    b.add("Empty").ns = "urn:v";
    CHECK(written(root, {.indent = true, .declaration = false}) ==
          "<Root>\n"
          "  <A xmlns=\"urn:u\">\n    <Leaf>1</Leaf>\n  </A>\n"
          "  <B xmlns=\"urn:v\">\n    <Leaf>2</Leaf>\n    <Leaf xmlns=\"urn:u\">3</Leaf>\n    <Empty/>\n  </B>\n"
          "</Root>\n");
}
