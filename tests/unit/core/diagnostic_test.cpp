// diagnostic_test.cpp - the capped sink keeps counting past its cap.
#include <catch2/catch.hpp>

#include "edigate/core/diagnostic.hpp"

using namespace edigate::core;

TEST_CASE("diagnostic_sink caps stored findings but counts all", "[core]") {
    diagnostic_sink sink(3);
    for (int i = 0; i < 5; ++i) sink.add({"EDI-X", severity::error});
    sink.add({"EDI-Y", severity::warning});
    CHECK(sink.items().size() == 3);
    CHECK(sink.errors() == 5);
    CHECK(sink.warnings() == 1);
    CHECK(sink.total() == 6);
    CHECK(sink.truncated());
    sink.clear();
    CHECK_FALSE(sink.truncated());
    CHECK(sink.total() == 0);
}
