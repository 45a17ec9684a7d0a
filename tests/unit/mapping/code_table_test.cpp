// code_table_test.cpp - code conversion tables: the shipped ones load, convert both ways, and
// broken files are refused with their line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "edigate/mapping/code_table.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

mapping::code_table load(const fs::path& p) {
    core::diagnostic problem;
    auto t = mapping::code_table::load(p, problem);
    INFO(problem.text);
    REQUIRE(t);
    return *t;
}

std::string broken(const std::string& text) {
    auto p = fs::temp_directory_path() / "edigate-broken-table.csv";
    std::ofstream(p, std::ios::binary) << text;
    core::diagnostic problem;
    CHECK_FALSE(mapping::code_table::load(p, problem));
    return std::to_string(problem.where.line) + ": " + problem.text.substr(problem.text.find(": ") + 2);
}

}  // namespace

TEST_CASE("every shipped code table loads and converts both ways", "[mapping][codes]") {
    std::size_t tables = 0;
    for (const auto& e : fs::directory_iterator(fs::path(EDIGATE_SOURCE_DIR) / "mappings/codes")) {
        if (e.path().extension() != ".csv") continue;
        ++tables;
        auto t = load(e.path());
        CHECK(t.size() > 0);
    }
    CHECK(tables >= 2);
    auto mode = load(fs::path(EDIGATE_SOURCE_DIR) / "mappings/codes/unece-rec19-to-cn-customs-trafmode.csv");
    CHECK(mode.from_list() == "unece-rec19");
    CHECK(mode.forward("1") == "2");  // maritime -> 水路运输
    CHECK(mode.forward("2") == "3");  // rail -> 铁路运输
    CHECK(mode.backward("2") == "1"); // 水路运输 -> maritime, the first of maritime and inland water
    CHECK_FALSE(mode.forward("X"));   // unknown: the caller's finding, never a blank
    auto function = load(fs::path(EDIGATE_SOURCE_DIR) / "mappings/codes/edifact-1225-to-cn-manifest-function.csv");
    CHECK(function.forward("9") == "9");
    CHECK(function.forward("4") == "5");
    CHECK(function.backward("5") == "5");
}

TEST_CASE("a broken code table is refused with its line", "[mapping][codes]") {
    CHECK(broken("from: a\nto: b\n1,2\n1,3\n") == "4: code '1' is listed twice");
    CHECK(broken("from: a\nto: b\n1;2\n") == "3: expected 'from code,to code[,note]', found '1;2'");
    CHECK(broken("1,2\n") == "1: the 'from:' and 'to:' lines naming the two code lists are missing");
    CHECK(broken("from: a\nto: b\n,2\n") == "3: a code is empty");
}
