// symbol_test.cpp - interned strings: equality, copies, and the owned texts past the table's bound.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "edigate/core/node.hpp"
#include "edigate/core/symbol.hpp"

using edigate::core::symbol;

TEST_CASE("symbol: equal texts share one interned string; copies and moves keep the text", "[core]") {
    symbol a("urn:example:symbol-test"), b(std::string("urn:example:symbol-test")), e;
    CHECK(a == b);
    CHECK(&a.str() == &b.str());  // interned: one text
    CHECK(a == "urn:example:symbol-test");
    CHECK(e.empty());
    CHECK(e.str().empty());
    CHECK(symbol("") == e);
    symbol c = a;
    symbol d = std::move(c);
    CHECK(d == a);
    CHECK(c.empty());  // NOLINT(bugprone-use-after-move): a moved-from symbol is empty
    c = d;
    d = e;
    CHECK(c == a);
    CHECK(d.empty());
    CHECK(sizeof(symbol) == sizeof(void*));
}

TEST_CASE("symbol: past the intern table's bound a symbol owns its text, shared by its copies", "[core]") {
    // Fill the process-wide table (65536 texts or 16 MiB), then check that new texts still work:
    // owned, reference-counted, compared by content.
    for (int i = 0; i < 70000; ++i) symbol("urn:example:fill-" + std::to_string(i) + std::string(200, 'x'));
    std::vector<symbol> copies;
    {
        symbol owned("urn:example:owned-after-the-bound");
        symbol again("urn:example:owned-after-the-bound");
        CHECK(owned == again);
        CHECK(&owned.str() != &again.str());  // not interned any more
        for (int i = 0; i < 3; ++i) copies.push_back(owned);
        symbol moved = std::move(again);
        CHECK(moved == "urn:example:owned-after-the-bound");
        owned = moved;  // one owned text replaces another
        CHECK(owned == moved);
    }
    for (const auto& c : copies) CHECK(c == "urn:example:owned-after-the-bound");
    copies.erase(copies.begin());
    copies.back() = symbol("urn:example:other-owned");
    CHECK(copies.front() == "urn:example:owned-after-the-bound");
    CHECK(copies.back() == "urn:example:other-owned");
    edigate::core::node n;
    n.ns = copies.front();
    edigate::core::node m = n;
    CHECK(m.ns == n.ns);
}
