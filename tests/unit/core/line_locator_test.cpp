// line_locator_test.cpp - byte offsets to line and column.
#include <catch2/catch.hpp>

#include <sstream>

#include "edigate/core/line_locator.hpp"

using edigate::core::line_locator;

TEST_CASE("line_locator maps offsets to 1-based line and column", "[core]") {
    std::string text = "UNA:+.? '\nUNB+UNOA:3'\n\nUNZ+0+1'";
    auto a = line_locator::from_buffer(text);
    std::istringstream in(text);
    auto b = line_locator::from_stream(in);
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
    }
}
