// schemas_test.cpp - the schema catalog: selection by root, companions, findings with their
// place, and schema locations that are never followed (the document's) or only locally (the schema's).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "edigate/xml/codes.hpp"
#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"
#include "xml_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

const std::string xs = "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" elementFormDefault=\"qualified\" ";

fs::path dir_with(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files) {
    auto d = fs::temp_directory_path() / ("edigate-schemas-" + name);
    fs::remove_all(d);
    fs::create_directories(d);
    for (const auto& [f, text] : files) std::ofstream(d / f, std::ios::binary) << text;
    return d;
}

const std::string order_xsd = xs + "targetNamespace=\"urn:a\" xmlns=\"urn:a\">\n"
                                   "  <xs:element name=\"Order\">\n"
                                   "    <xs:complexType><xs:sequence>\n"
                                   "      <xs:element name=\"id\" type=\"xs:int\"/>\n"
                                   "      <xs:element name=\"note\" type=\"xs:string\" minOccurs=\"0\"/>\n"
                                   "    </xs:sequence></xs:complexType>\n"
                                   "  </xs:element>\n"
                                   "</xs:schema>\n";

struct findings final : xml::document_handler {
    std::vector<core::diagnostic> all;
    void finding(const core::diagnostic& d) override { all.push_back(d); }
};

findings validate(const xml::schema_catalog& c, const fs::path& doc) {
    core::diagnostic problem;
    auto root = xml::peek_root(doc, problem);
    REQUIRE(root);
    const auto* e = c.find(root->first, root->second);
    REQUIRE(e);
    auto g = c.grammars(*e, problem);
    INFO(problem.text);
    REQUIRE(g);
    findings f;
    xml::read_options o;
    o.schema = g;
    xml::read(doc, f, o);
    return f;
}


}  // namespace

TEST_CASE("schema_catalog indexes schemas by namespace and global elements and skips what is not a schema", "[xml][schema]") {
    auto d = dir_with("index", {{"order.xsd", order_xsd}, {"notes.xsd", "<notes/>"}, {"readme.txt", "x"}});
    xml::schema_catalog c({d});
    REQUIRE(c.entries().size() == 1);
    CHECK(c.entries()[0].name == "order");
    CHECK(c.entries()[0].target_namespace == "urn:a");
    CHECK(c.entries()[0].elements == std::vector<std::string>{"Order"});
    REQUIRE(c.skipped().size() == 1);
    CHECK(c.skipped()[0].first.filename() == "notes.xsd");
    CHECK(c.find("urn:a", "Order") == &c.entries()[0]);
    CHECK(c.find("urn:a", "Invoice") == &c.entries()[0]);  // its namespace's schema will say what is wrong
    CHECK(c.find("urn:b", "Order") == nullptr);
    CHECK(c.named("order") == &c.entries()[0]);
}

TEST_CASE("schema_catalog::named() before the index: the same schema, from the first root that has it", "[xml][schema]") {
    auto first = dir_with("named-first", {{"order.xsd", "<notes/>"}, {"shared.xsd", order_xsd}});
    auto second = dir_with("named-second", {{"order.xsd", order_xsd}});
    std::filesystem::create_directories(second / "sub");
    std::ofstream(second / "sub" / "deep.xsd") << order_xsd;
    xml::schema_catalog c({first, second});
    const auto* order = c.named("order");  // first's order.xsd is no schema: second's
    REQUIRE(order);
    CHECK(order->file == second / "order.xsd");
    CHECK(order->target_namespace == "urn:a");
    CHECK(order->elements == std::vector<std::string>{"Order"});
    CHECK(c.named("order") == order);
    REQUIRE(c.named("shared"));
    CHECK(c.named("shared")->file == first / "shared.xsd");
    CHECK(c.named("missing") == nullptr);
    CHECK(c.named("../named-second/order") == nullptr);  // names are under a root, never a way out
    REQUIRE(c.named("sub/deep"));                         // a folder in the name: from the index
    CHECK(c.named("sub/deep")->file == second / "sub" / "deep.xsd");
    // What the index says, entry for entry.
    for (const auto* name : {"order", "shared"}) {
        const xml::schema_entry* indexed = nullptr;
        for (const auto& e : c.entries())
            if (e.name == name && !indexed) indexed = &e;
        REQUIRE(indexed);
        CHECK(c.named(name) == indexed);  // the index's own entry, once it is there
        CHECK(indexed->file == (std::string(name) == "order" ? second / "order.xsd" : first / "shared.xsd"));
    }
}

TEST_CASE("schema findings carry code, line, column and element path; grammars are cached", "[xml][schema]") {
    auto d = dir_with("findings", {{"order.xsd", order_xsd},
                                    {"good.xml", "<Order xmlns=\"urn:a\"><id>7</id></Order>"},
                                    {"bad.xml", "<Order xmlns=\"urn:a\">\n  <id>seven</id>\n  <extra/>\n</Order>\n"}});
    xml::schema_catalog c({d});
    CHECK(validate(c, d / "good.xml").all.empty());
    auto f = validate(c, d / "bad.xml");
    REQUIRE(f.all.size() >= 2);
    CHECK(f.all[0].code == "EDI-X010");
    CHECK(f.all[0].where.line == 2);
    CHECK(f.all[0].where.path == "/Order/id");
    CHECK(f.all[0].text.find("seven") != std::string::npos);
    CHECK(f.all[1].where.line == 3);
    core::diagnostic problem;
    CHECK(c.grammars(c.entries()[0], problem) == c.grammars(c.entries()[0], problem));
}

TEST_CASE("a document's xsi:schemaLocation is never followed, even to a local file", "[xml][schema][attack]") {
    // lax.xsd would accept anything as id; the document asks for it, the catalog's schema still rules.
    auto d = dir_with("ignore-location", {{"order.xsd", order_xsd}});
    auto elsewhere = dir_with("ignore-location-lax",
                              {{"lax.xsd", xs + "targetNamespace=\"urn:a\"><xs:element name=\"Order\"/></xs:schema>"}});
    std::ofstream(d / "doc.xml") << "<Order xmlns=\"urn:a\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                                    "xsi:schemaLocation=\"urn:a " << (elsewhere / "lax.xsd").string() << "\"><id>x</id></Order>";
    xml::schema_catalog c({d});
    auto f = validate(c, d / "doc.xml");
    REQUIRE(f.all.size() == 1);
    CHECK(f.all[0].where.path == "/Order/id");
}

TEST_CASE("a schema's remote import is refused, or answered locally from the index by namespace", "[xml][schema][attack]") {
    test::listener server;
    std::string url = "http://127.0.0.1:" + std::to_string(server.port) + "/r.xsd";
    auto refused = dir_with("remote", {{"b.xsd", xs + "targetNamespace=\"urn:b\"><xs:import namespace=\"urn:remote\" schemaLocation=\"" + url +
                                                     "\"/><xs:element name=\"B\"/></xs:schema>"}});
    xml::schema_catalog c({refused});
    core::diagnostic problem;
    CHECK_FALSE(c.grammars(*c.named("b"), problem));
    CHECK(problem.code == "EDI-X012");
    CHECK(problem.text.find("remote schema location refused: " + url) != std::string::npos);
    CHECK_FALSE(server.contacted());

    auto local = dir_with("remote-local", {{"order.xsd", order_xsd},
                                           {"c.xsd", xs + "targetNamespace=\"urn:c\" xmlns:a=\"urn:a\"><xs:import namespace=\"urn:a\" schemaLocation=\"" + url +
                                                         "\"/><xs:element name=\"C\"><xs:complexType><xs:sequence><xs:element ref=\"a:Order\"/>"
                                                         "</xs:sequence></xs:complexType></xs:element></xs:schema>"},
                                           {"doc.xml", "<C xmlns=\"urn:c\"><Order xmlns=\"urn:a\"><id>x</id></Order></C>"}});
    xml::schema_catalog l({local});
    auto f = validate(l, local / "doc.xml");
    REQUIRE(f.all.size() == 1);  // urn:a came from the local order.xsd: its id must be an int
    CHECK(f.all[0].where.path == "/C/Order/id");
    CHECK_FALSE(server.contacted());
}

TEST_CASE("a broken schema is one clear finding naming its file and line", "[xml][schema]") {
    auto d = dir_with("broken", {{"broken.xsd", xs + "targetNamespace=\"urn:x\">\n<xs:element name=\"X\" type=\"NoSuchType\"/>\n</xs:schema>"}});
    xml::schema_catalog c({d});
    core::diagnostic problem;
    REQUIRE(c.named("broken"));
    CHECK_FALSE(c.grammars(*c.named("broken"), problem));
    CHECK(problem.code == "EDI-X012");
    CHECK(problem.text.find("broken.xsd:2:") != std::string::npos);
}

TEST_CASE("companions: a wrapper's payload is validated by the folder's schema for its namespace", "[xml][schema]") {
    auto d = dir_with("companions",
                      {{"order.xsd", order_xsd},
                       {"wrap.xsd", xs + "targetNamespace=\"urn:w\"><xs:element name=\"Wrap\"><xs:complexType><xs:sequence>"
                                         "<xs:any namespace=\"##other\" processContents=\"strict\"/></xs:sequence></xs:complexType>"
                                         "</xs:element></xs:schema>"},
                       {"doc.xml", "<Wrap xmlns=\"urn:w\"><Order xmlns=\"urn:a\"><id>1</id><note>n</note><note>twice</note></Order></Wrap>"}});
    xml::schema_catalog c({d});
    auto f = validate(c, d / "doc.xml");
    REQUIRE(f.all.size() == 1);
    CHECK(f.all[0].where.path == "/Wrap/Order");
    core::diagnostic problem;
    auto g = c.grammars(*c.named("wrap"), problem);
    REQUIRE(g);
    CHECK(g->files().size() == 2);
}
