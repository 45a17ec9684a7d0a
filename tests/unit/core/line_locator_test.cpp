// line_locator_test.cpp - byte offsets to line and column.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "edigate/core/line_locator.hpp"

using edigate::core::line_locator;
namespace fs = std::filesystem;

TEST_CASE("line_locator maps offsets to 1-based line and column", "[core]") {
    std::string text = "UNA:+.? '\nUNB+UNOA:3'\n\nUNZ+0+1'";
    auto a = line_locator::from_buffer(text);
    auto file = fs::temp_directory_path() / ("edigate-lines-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file, std::ios::binary) << text;
    auto b = line_locator::from_file(file);
    fs::remove(file);  // the locator keeps the file open: a removed temporary still reads
    for (const auto* l : {&a, &b}) {
        CHECK(l->locate(0).line == 1);
        CHECK(l->locate(0).column == 1);
        CHECK(l->locate(9).line == 1);   // the LF itself belongs to line 1
        CHECK(l->locate(10).line == 2);
        CHECK(l->locate(10).column == 1);
        CHECK(l->locate(14).column == 5);
        CHECK(l->locate(22).line == 3);
        CHECK(l->locate(23).line == 4);
        CHECK(l->locate(1000).line == 4);  // past the end: last line
        CHECK(l->locate(1000).column == 1000 - 23 + 1);
    }
}

TEST_CASE("line_locator over a file past its checkpoints agrees with the full index, in any order", "[core]") {
    // ~3 MiB: a dozen 256 KiB checkpoints, lines of random length (some empty, some longer than a chunk).
    std::mt19937 rng(7);
    std::string text;
    while (text.size() < (3u << 20)) {
        auto n = rng() % 100 == 0 ? 300000 + rng() % 100000 : rng() % 80;
        text.append(n, 'x');
        text += '\n';
    }
    auto full = line_locator::from_buffer(text);
    auto file = fs::temp_directory_path() / ("edigate-lines-big-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file, std::ios::binary) << text;
    auto sparse = line_locator::from_file(file);
    fs::remove(file);
    std::vector<std::uint64_t> offsets{0, text.size() - 1, text.size(), text.size() + 5, 262143, 262144, 262145};
    for (int i = 0; i < 2000; ++i) offsets.push_back(rng() % text.size());
    std::sort(offsets.begin() + 100, offsets.end());  // most in file order, as reports go; the rest random
    for (auto o : offsets) {
        INFO("offset " << o);
        auto x = full.locate(o), y = sparse.locate(o);
        REQUIRE(x.line == y.line);
        REQUIRE(x.column == y.column);
    }
}

TEST_CASE("line_locator on a file it cannot open puts everything on line 1", "[core]") {
    auto l = line_locator::from_file("/nonexistent/edigate/file");
    CHECK(l.locate(0).line == 1);
    CHECK(l.locate(12345).line == 1);
}
