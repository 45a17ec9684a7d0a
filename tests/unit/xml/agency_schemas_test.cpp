// agency_schemas_test.cpp - edigate's own agency schemas (xsd/): every sample in samples/agency
// validates against the schema its root selects, and every file in tests/data/xsd-invalid is
// rejected with the first finding recorded in tests/golden/xsd-invalid.expected (line, element
// path, text). After a deliberate change, rewrite that file from `edigate validate --json` and
// review the diff.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

const fs::path source = EDIGATE_SOURCE_DIR;

struct findings final : xml::document_handler {
    std::vector<core::diagnostic> errors;
    void finding(const core::diagnostic& d) override {
        if (d.level == core::severity::error) errors.push_back(d);
    }
};

findings validate(const xml::schema_catalog& catalog, const fs::path& file, std::string& schema) {
    findings f;
    core::diagnostic problem;
    auto root = xml::peek_root(file, problem);
    REQUIRE(root);
    const auto* entry = catalog.find(root->first, root->second);
    REQUIRE(entry);
    schema = entry->name;
    auto grammars = catalog.grammars(*entry, problem);
    INFO(problem.text);
    REQUIRE(grammars);
    xml::read_options o;
    o.schema = grammars;
    o.build_tree = false;
    CHECK(xml::read(file, f, o).complete);
    return f;
}

std::vector<fs::path> xml_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".xml") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("every agency sample validates against the schema its root element selects", "[xml][agency]") {
    xml::schema_catalog catalog({source / "xsd"});
    auto samples = xml_files(source / "samples/agency");
    REQUIRE(samples.size() >= 17);
    for (const auto& f : samples) {
        std::string schema;
        auto r = validate(catalog, f, schema);
        INFO(f.filename().string() << " against " << schema << (r.errors.empty() ? "" : ": " + r.errors.front().text));
        CHECK(r.errors.empty());
        // A sample is named after its schema (plus a suffix for variants).
        CHECK(f.stem().string().starts_with(schema.substr(0, schema.find('-', schema.find('-') + 1))));
    }
}

TEST_CASE("every invalid agency document is rejected for the reason recorded for it", "[xml][agency]") {
    std::map<std::string, std::string> expected;
    std::ifstream golden(source / "tests/golden/xsd-invalid.expected");
    for (std::string line; std::getline(golden, line);)
        if (!line.empty() && line[0] != '#') expected[line.substr(0, line.find('|'))] = line;
    xml::schema_catalog catalog({source / "xsd"});
    auto files = xml_files(source / "tests/data/xsd-invalid");
    CHECK(files.size() == expected.size());
    for (const auto& f : files) {
        std::string schema;
        auto r = validate(catalog, f, schema);
        INFO(f.filename().string());
        REQUIRE_FALSE(r.errors.empty());
        const auto& d = r.errors.front();
        CHECK(d.code == "EDI-X010");
        std::string got = f.filename().string() + "|" + std::to_string(d.where.line) + "|" + d.where.path + "|" + d.text;
        CHECK(got == expected[f.filename().string()]);
    }
}
