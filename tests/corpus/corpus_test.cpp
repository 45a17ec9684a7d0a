// corpus_test.cpp - the shared corpus of real interchanges (../shared/corpus/edifact).
//
// valid/: no syntax or envelope error, except the findings PROVENANCE.md's appendix documents
// (listed below with the reason). invalid/: at least one error of the file's category, for the
// categories the syntax engine checks (envelope, segment-count, charset, syntax). The structure
// and data categories need directory validation; they are only required to parse without crashing
// here. When ../shared is absent the test says so loudly and checks nothing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "../unit/edifact/test_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

fs::path corpus() { return fs::path(EDIGATE_SHARED_DIR) / "corpus" / "edifact"; }

bool is_edifact(const fs::path& p) {
    auto ext = p.extension().string();
    return ext != ".xml" && ext != ".json" && ext != ".md";
}

test::recorder read_file(const fs::path& p) {
    test::recorder r;
    edifact::reader().read_file(p, r);
    return r;
}

// Documented findings in valid/ (PROVENANCE.md appendix and reviewed here): file -> error codes.
const std::map<std::string, std::set<std::string>> documented = {
    // "syntax 4 requires an 8-digit date in UNB/UNG S004; these have 6 digits"
    {"smooksedi__invoic.txt", {"EDI-V004"}},
    {"smooksedi__paxlst.txt", {"EDI-V004"}},
};

// Category -> codes that count as that category.
const std::map<std::string, std::set<std::string>> category_codes = {
    {"envelope", {"EDI-E002", "EDI-E003", "EDI-E004", "EDI-E005", "EDI-E007", "EDI-V001", "EDI-C004", "EDI-E001"}},
    {"segment-count", {"EDI-E006"}},
    {"charset", {"EDI-C001", "EDI-C002", "EDI-C003"}},
    {"syntax", {"EDI-S002", "EDI-S005", "EDI-S006", "EDI-S007"}},
};

}  // namespace

TEST_CASE("corpus: valid interchanges give no error", "[corpus]") {
    if (!fs::exists(corpus())) {
        std::cerr << "SKIPPED LOUDLY: " << corpus() << " is absent; the corpus test checked nothing\n";
        return;
    }
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(corpus() / "valid")) {
        if (!e.is_regular_file() || !is_edifact(e.path())) continue;
        ++files;
        auto r = read_file(e.path());
        std::set<std::string> errors;
        for (const auto& f : r.findings)
            if (f.level == core::severity::error) errors.insert(f.code);
        auto it = documented.find(e.path().filename().string());
        INFO(e.path().string());
        for (const auto& f : r.findings) INFO(f.code << " " << f.text);
        CHECK(errors == (it == documented.end() ? std::set<std::string>{} : it->second));
        CHECK_FALSE(r.messages.empty());
    }
    CHECK(files >= 20);
}

TEST_CASE("corpus: invalid interchanges give their category's error", "[corpus]") {
    if (!fs::exists(corpus())) {
        std::cerr << "SKIPPED LOUDLY: " << corpus() << " is absent; the corpus test checked nothing\n";
        return;
    }
    int checked = 0, parsed_only = 0;
    for (const auto& e : fs::recursive_directory_iterator(corpus() / "invalid")) {
        if (!e.is_regular_file() || !is_edifact(e.path())) continue;
        std::string category = e.path().parent_path().filename().string();
        auto r = read_file(e.path());
        auto wanted = category_codes.find(category);
        if (wanted == category_codes.end()) {
            ++parsed_only;  // structure/data: directory validation, not the syntax engine
            continue;
        }
        ++checked;
        bool found = false;
        for (const auto& f : r.findings) found = found || (f.level == core::severity::error && wanted->second.count(f.code));
        INFO(e.path().string());
        for (const auto& f : r.findings) INFO(f.code << " " << f.text);
        CHECK(found);
    }
    CHECK(checked >= 30);
    WARN(parsed_only << " structure/data files were only parsed: their checks need the directory validator");
}

TEST_CASE("corpus: php-edifact example_order_error has exactly one syntax error, the unreleased '?*'", "[corpus]") {
    auto p = corpus() / "invalid" / "syntax" / "phpedifact__example_order_error.edi";
    if (!fs::exists(p)) {
        std::cerr << "SKIPPED LOUDLY: " << p << " is absent\n";
        return;
    }
    auto r = read_file(p);
    REQUIRE(r.errors() == 1);
    CHECK(r.count("EDI-S006") == 1);
    CHECK(r.findings.at(0).where.tag == "IMD");
}
