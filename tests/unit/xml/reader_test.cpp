// reader_test.cpp - XML into the node tree, and the refusals that keep hostile documents harmless.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "edigate/xml/reader.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

fs::path write(const std::string& name, const std::string& text) {
    auto p = fs::temp_directory_path() / ("edigate-xml-" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

}  // namespace

TEST_CASE("xml::read_file builds the node tree: names, attributes in order, UTF-8 text", "[xml]") {
    auto p = write("ok.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1\" y=\"2\">\n  <b>\xE4\xB8\xAD\xE6\x96\x87 &amp; text</b>\n  <c/>\n</a>\n");
    core::diagnostic problem;
    auto root = xml::read_file(p, problem);
    REQUIRE(root);
    CHECK(root->name == "a");
    REQUIRE(root->attributes.size() == 2);
    CHECK((root->attributes[0].first == "x" && root->attributes[1].second == "2"));
    CHECK(root->value.empty());  // white space between children is dropped
    REQUIRE(root->children.size() == 2);
    CHECK(root->children[0].value == "\xE4\xB8\xAD\xE6\x96\x87 & text");
    CHECK(root->children[1].name == "c");
}

TEST_CASE("xml::read_file refuses a DOCTYPE: no entity is expanded, no file is read", "[xml]") {
    auto secret = write("secret.txt", "TOP SECRET");
    auto p = write("xxe.xml", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file://" + secret.string() +
                                  "\">]><a>&x;</a>");
    core::diagnostic problem;
    CHECK_FALSE(xml::read_file(p, problem));
    CHECK(problem.text.find("DOCTYPE") != std::string::npos);
    auto laughs = write("laughs.xml", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY l \"lol\"><!ENTITY l2 \"&l;&l;&l;&l;&l;&l;&l;&l;\">]><a>&l2;</a>");
    CHECK_FALSE(xml::read_file(laughs, problem));
}

TEST_CASE("xml::read_file bounds nesting depth and reports malformed XML with its place", "[xml]") {
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "<d>";
    for (int i = 0; i < 300; ++i) deep += "</d>";
    core::diagnostic problem;
    CHECK_FALSE(xml::read_file(write("deep.xml", deep), problem));
    CHECK(problem.text.find("deeper than 256") != std::string::npos);
    CHECK_FALSE(xml::read_file(write("bad.xml", "<a><b></a>"), problem));
    CHECK(problem.text.find("line 1") != std::string::npos);
    CHECK(problem.code == "EDI-X001");
}
