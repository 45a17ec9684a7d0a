// reader_test.cpp - XML into the node tree: encodings, namespaces, streaming, and the refusals
// that keep hostile documents harmless (one test per attack of the hardening list).
#include <catch2/catch.hpp>

#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "edigate/xml/codes.hpp"
#include "edigate/xml/reader.hpp"
#include "xml_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

fs::path write(const std::string& name, const std::string& text) {
    auto p = fs::temp_directory_path() / ("edigate-xml-" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

/// Keeps every tree and finding, and the furthest byte count the reader reported.
struct collect final : xml::document_handler {
    std::vector<std::pair<std::string, core::node>> trees;
    std::vector<core::diagnostic> findings;
    std::uint64_t bytes = 0;
    void subtree(core::node& n, const std::string& path) override { trees.emplace_back(path, std::move(n)); }
    void finding(const core::diagnostic& d) override { findings.push_back(d); }
    void progress(std::uint64_t b) override { bytes = b; }
    std::string first_code() const { return findings.empty() ? "" : findings.front().code; }
};

std::string code(xml::code c) { return std::string(xml::info(c).name); }


}  // namespace

TEST_CASE("xml::read_file builds the node tree: names, namespaces, attributes in order, UTF-8 text", "[xml]") {
    auto p = write("ok.xml",
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<c:a xmlns:c=\"urn:c\" xmlns=\"urn:d\" x=\"1\" y=\"2\">\n"
                   "  <b>\xE4\xB8\xAD\xE6\x96\x87 &amp; text</b>\n  <c/>\n  <e xmlns=\"\" c:z=\"3\"/>\n</c:a>\n");
    core::diagnostic problem;
    auto root = xml::read_file(p, problem);
    REQUIRE(root);
    CHECK(root->name == "a");
    CHECK(root->ns == "urn:c");
    CHECK(root->line == 2);
    REQUIRE(root->attributes.size() == 2);  // xmlns declarations are not attributes
    CHECK((root->attributes[0].first == "x" && root->attributes[1].second == "2"));
    CHECK(root->value.empty());  // white space between children is dropped
    REQUIRE(root->children.size() == 3);
    CHECK(root->children[0].value == "\xE4\xB8\xAD\xE6\x96\x87 & text");
    CHECK(root->children[0].ns == "urn:d");
    CHECK(root->children[1].name == "c");
    CHECK(root->children[2].ns.empty());
    REQUIRE(root->children[2].attributes.size() == 1);
    CHECK(root->children[2].attributes[0].first == "c:z");  // a namespaced attribute keeps its prefix
}

TEST_CASE("xml::read_file reads UTF-16, GB18030, GBK and ISO 8859-1 documents into the same UTF-8 text", "[xml][charset]") {
    const std::string text = "\xE4\xB8\xAD\xE5\x9B\xBD\xE6\xB5\xB7\xE5\x85\xB3";  // 中国海关 in UTF-8
    core::diagnostic problem;
    SECTION("GB18030 and GBK, as declared") {
        // 中国海关 in GB18030 (and GBK: the same bytes for these characters)
        const std::string gb = "\xD6\xD0\xB9\xFA\xBA\xA3\xB9\xD8";
        for (std::string enc : {"GB18030", "GBK"}) {
            auto root = xml::read_file(write("gb.xml", "<?xml version=\"1.0\" encoding=\"" + enc + "\"?><a>" + gb + "</a>"), problem);
            REQUIRE(root);
            CHECK(root->value == text);
        }
    }
    SECTION("UTF-16 with a BOM, little and big endian") {
        std::u16string u = u"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>\u4E2D\u56FD\u6D77\u5173</a>";
        std::string le = "\xFF\xFE", be = "\xFE\xFF";
        for (char16_t c : u) {
            le += static_cast<char>(c & 0xFF), le += static_cast<char>(c >> 8);
            be += static_cast<char>(c >> 8), be += static_cast<char>(c & 0xFF);
        }
        for (const auto& bytes : {le, be}) {
            auto root = xml::read_file(write("u16.xml", bytes), problem);
            REQUIRE(root);
            CHECK(root->value == text);
        }
    }
    SECTION("ISO 8859-1") {
        auto root = xml::read_file(write("latin.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>K\xF6ln</a>"), problem);
        REQUIRE(root);
        CHECK(root->value == "K\xC3\xB6ln");
    }
    SECTION("a partner's undeclared GBK file, read with the encoding given") {
        auto p = write("undeclared.xml", "<a>\xD6\xD0\xB9\xFA\xBA\xA3\xB9\xD8</a>");
        CHECK_FALSE(xml::read_file(p, problem));  // not UTF-8, as an undeclared document must be
        CHECK(problem.code == code(xml::code::not_well_formed));
        CHECK(problem.where.line == 1);
        xml::read_options o;
        o.encoding = "GBK";
        auto root = xml::read_file(p, problem, o);
        REQUIRE(root);
        CHECK(root->value == text);
    }
}

TEST_CASE("xml::read streams: each element at the split depth alone, then the root shell", "[xml][stream]") {
    std::string doc = "<Interchange n=\"1\">";
    for (int i = 0; i < 1000; ++i) doc += "<M><S>" + std::to_string(i) + "</S></M>";
    doc += "</Interchange>";
    collect c;
    xml::read_options o;
    o.split_depth = 2;
    auto r = xml::read(write("stream.xml", doc), c, o);
    CHECK(r.complete);
    CHECK(r.elements == 2001);
    CHECK(r.root_name == "Interchange");
    REQUIRE(c.trees.size() == 1001);
    CHECK(c.trees[0].first == "/Interchange/M");
    CHECK(c.trees[999].first == "/Interchange/M[1000]");
    CHECK(c.trees[999].second.children.at(0).value == "999");
    CHECK(c.trees.back().first == "/Interchange");
    CHECK(c.trees.back().second.children.empty());  // delivered elements are not kept
    CHECK(c.trees.back().second.attributes.at(0).second == "1");
}

TEST_CASE("xml::read streams the same trees whether the handler keeps, moves, changes or only reads them", "[xml][stream]") {
    // The reader reuses the storage of a delivered tree for the next ones: whatever a handler did
    // with the tree it was handed, the next trees must come out exactly as a whole-document read
    // builds them. Shapes vary from element to element; text mixes ASCII runs of every length
    // with two-, three- and four-byte UTF-8 across the 8-unit steps of the ASCII path.
    std::string doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<I xmlns=\"urn:i\">";
    const std::string texts[] = {"a", "abcdefgh", "abcdefghi", "0123456789abcdef-long-value-past-SSO", "ab\xC3\xA9" "cdefgh\xE2\x82\xAC",
                                 "\xF0\x9D\x84\x9E" "12345678", "1234567\xC3\xBC" "89", "  spaced  "};
    for (int i = 0; i < 300; ++i) {
        doc += "<M k=\"" + std::to_string(i) + "\">";
        for (int s = 0; s < 1 + i % 7; ++s) {
            doc += "<S>";
            for (int e = 0; e < (i + s) % 5; ++e) doc += "<E x=\"" + texts[(i + e) % 8] + "\">" + texts[(i * 3 + s + e) % 8] + "</E>";
            if ((i + s) % 5 == 0) doc += texts[s % 8];
            doc += "</S>";
        }
        if (i % 11 == 0) doc += "<G><S><E/></S><S>\n</S></G>";
        doc += "</M>";
    }
    doc += "</I>";
    auto file = write("reuse.xml", doc);
    core::diagnostic problem;
    auto whole = xml::read_file(file, problem);
    REQUIRE(whole);
    REQUIRE(whole->children.size() == 300);

    std::function<bool(const core::node&, const core::node&)> same = [&](const core::node& a, const core::node& b) {
        if (a.name != b.name || a.ns != b.ns || a.value != b.value || a.attributes != b.attributes || a.line != b.line ||
            a.children.size() != b.children.size())
            return false;
        for (std::size_t i = 0; i < a.children.size(); ++i)
            if (!same(a.children[i], b.children[i])) return false;
        return true;
    };
    struct handler final : xml::document_handler {
        int mode = 0;
        std::vector<core::node> seen;
        void subtree(core::node& n, const std::string& path) override {
            if (path == "/I") return;
            int k = static_cast<int>(seen.size());
            if (mode == 0 || (mode == 1 && k % 2)) seen.push_back(n);               // only reads it
            else if (mode == 1) seen.push_back(std::move(n));                       // takes it
            else {                                                                  // reads, then changes it
                seen.push_back(n);
                if (k % 3 == 0) n.children.clear();
                else if (k % 3 == 1) n.add("extra", std::string(40, 'x')).add("deeper");
                else n.children.shrink_to_fit(), n.value = "changed";
            }
        }
        void finding(const core::diagnostic&) override {}
    };
    for (int mode = 0; mode < 3; ++mode) {
        CAPTURE(mode);
        handler h;
        h.mode = mode;
        xml::read_options o;
        o.split_depth = 2;
        REQUIRE(xml::read(file, h, o).complete);
        REQUIRE(h.seen.size() == 300);
        for (std::size_t i = 0; i < 300; ++i) {
            CAPTURE(i);
            CHECK(same(h.seen[i], whole->children[i]));
        }
    }
    CHECK(whole->children[1].children.at(0).children.at(0).value == "0123456789abcdef-long-value-past-SSO");
    CHECK(whole->children[4].children.at(0).children.at(0).value == "ab\xC3\xA9" "cdefgh\xE2\x82\xAC");
}

TEST_CASE("hardening: an external entity naming a local file is refused and the file is never opened", "[xml][attack]") {
    auto secret = write("secret.txt", "TOP SECRET");
    int watch = ::inotify_init1(IN_NONBLOCK);
    REQUIRE(watch >= 0);
    REQUIRE(::inotify_add_watch(watch, secret.c_str(), IN_OPEN | IN_ACCESS) >= 0);
    auto p = write("xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file://" + secret.string() + "\">]>\n<a>&x;</a>");
    collect c;
    auto r = xml::read(p, c);
    CHECK_FALSE(r.complete);
    REQUIRE(c.findings.size() == 1);
    CHECK(c.first_code() == code(xml::code::doctype_refused));
    CHECK(c.findings[0].where.byte == 22);  // where "<!DOCTYPE" starts: refused on the raw bytes
    CHECK(c.trees.empty());
    char events[4096];
    CHECK(::read(watch, events, sizeof events) < 0);  // no open, no read of the secret
    ::close(watch);
}

TEST_CASE("hardening: nothing is fetched from the network, neither entities nor schema locations", "[xml][attack]") {
    test::listener server;
    std::string url = "http://127.0.0.1:" + std::to_string(server.port) + "/evil";
    collect c;
    xml::read(write("net-entity.xml", "<!DOCTYPE a [<!ENTITY x SYSTEM \"" + url + "\">]><a>&x;</a>"), c);
    CHECK(c.first_code() == code(xml::code::doctype_refused));
    collect d;
    auto r = xml::read(write("net-schema.xml", "<a xmlns=\"urn:x\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                                               "xsi:schemaLocation=\"urn:x " + url + ".xsd\"><b/></a>"),
                       d);
    CHECK(r.complete);
    CHECK(d.findings.empty());
    CHECK_FALSE(server.contacted());
}

TEST_CASE("hardening: billion laughs is refused at the DOCTYPE, before any expansion", "[xml][attack]") {
    std::string doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
        doc += " <!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k) doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        doc += "\">\n";
    }
    doc += "]>\n<lolz>&lol9;</lolz>\n";
    collect c;
    auto r = xml::read(write("laughs.xml", doc), c);
    CHECK_FALSE(r.complete);
    CHECK(c.first_code() == code(xml::code::doctype_refused));
    CHECK(c.bytes < 64 * 1024);  // the refusal came from the first block read
}

TEST_CASE("hardening: deep nesting is refused at the bound, with the element's place", "[xml][attack]") {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "<d>";
    for (int i = 0; i < 100000; ++i) deep += "</d>";
    collect c;
    auto r = xml::read(write("deep.xml", deep), c);
    CHECK_FALSE(r.complete);
    REQUIRE(c.findings.size() == 1);
    CHECK(c.first_code() == code(xml::code::too_deep));
    CHECK(c.findings[0].text.find("deeper than 256") != std::string::npos);
    CHECK(c.findings[0].where.path.size() == 256 * 2);  // "/d" 256 times
    CHECK(c.findings[0].where.column == 257 * 3 + 1);  // just past the refused start tag
}

TEST_CASE("hardening: a huge attribute is refused after its first MiB, not after reading it all", "[xml][attack]") {
    auto p = fs::temp_directory_path() / "edigate-xml-huge-attribute.xml";
    {
        std::ofstream out(p, std::ios::binary);
        out << "<?xml version=\"1.0\"?>\n<a>\n  <b x=\"";
        std::string chunk(1 << 20, 'A');
        for (int i = 0; i < 64; ++i) out << chunk;  // 64 MiB
        out << "\"/>\n</a>\n";
    }
    collect c;
    auto r = xml::read(p, c);
    CHECK_FALSE(r.complete);
    REQUIRE(c.findings.size() == 1);
    CHECK(c.first_code() == code(xml::code::markup_too_long));
    CHECK(c.findings[0].where.byte == 28);  // where "<b" starts
    CHECK(c.bytes < 4u << 20);              // stopped early: at most a few read blocks past the bound
    fs::remove(p);
}

TEST_CASE("hardening: quotes and '>' inside attributes, comments and CDATA do not fool the markup bound", "[xml][attack]") {
    xml::read_options o;
    o.bounds.max_markup = 64;
    collect c;
    // A long CDATA section is text, not markup; a short comment with quotes and '>' is fine.
    std::string doc = "<a t='x>y'><!-- \" ' > --><![CDATA[" + std::string(1000, '<') + "]]><?pi a > b ?></a>";
    auto r = xml::read(write("guard.xml", doc), c, o);
    CHECK(r.complete);
    CHECK(c.findings.empty());
    collect d;
    xml::read(write("guard2.xml", "<a><!--" + std::string(100, '-') + "x--></a>"), d, o);
    CHECK(d.first_code() == code(xml::code::markup_too_long));
}

TEST_CASE("hardening: document size and text length bounds", "[xml][attack]") {
    std::string doc = "<a>" + std::string(5000, 'x') + "</a>";
    auto p = write("size.xml", doc);
    xml::read_options o;
    o.bounds.max_bytes = 1000;
    collect c;
    CHECK_FALSE(xml::read(p, c, o).complete);
    CHECK(c.first_code() == code(xml::code::too_large));
    o.bounds.max_bytes = 1 << 20;
    o.bounds.max_value = 100;
    collect d;
    CHECK_FALSE(xml::read(p, d, o).complete);
    CHECK(d.first_code() == code(xml::code::value_too_long));
    o.build_tree = false;  // checking only keeps no text, so long text is fine
    collect e;
    CHECK(xml::read(p, e, o).complete);
}

TEST_CASE("malformed XML is reported with line, column and the open element path", "[xml]") {
    collect c;
    xml::read(write("bad.xml", "<a>\n <b>\n  <c></b>\n</a>"), c);
    REQUIRE(c.findings.size() == 1);
    const auto& d = c.findings[0];
    CHECK(d.code == code(xml::code::not_well_formed));
    CHECK(d.where.line == 3);
    CHECK(d.where.path == "/a/b/c");
    CHECK(d.text == "expected end of tag 'c'");
}

TEST_CASE("xml::peek_root names the root element from the start of the document", "[xml]") {
    core::diagnostic problem;
    auto root = xml::peek_root(write("peek.xml", "<?xml version=\"1.0\"?><!-- hi --><p:R xmlns:p=\"urn:r\"><x>unclosed"), problem);
    REQUIRE(root);
    CHECK(root->first == "urn:r");
    CHECK(root->second == "R");
    CHECK_FALSE(xml::peek_root(write("empty.xml", "   "), problem));
    CHECK(problem.code == code(xml::code::not_well_formed));
}
