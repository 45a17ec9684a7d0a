// segment_test.cpp - the flat segment: values added by hand and read back by position and in order.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "edigate/edifact/segment.hpp"
#include "test_support.hpp"

using namespace edigate;

namespace {

// LOC+147+0250208::5+A*:B++' laid out by hand, with gaps: component 2 of element 2, repetition 2
// and component 1 of repetition 3 of element 3, and element 4 are absent; element 5 is empty.
edifact::segment hand_built() {
    edifact::segment s;
    s.tag = "LOC";
    s.byte = 100;
    s.number = 7;
    s.length = 40;
    s.add(1, 1, 1, "147", 4);
    s.add(2, 1, 1, "0250208", 8);
    s.add(2, 1, 3, "5", 17);
    s.add(3, 1, 1, "A", 19);
    s.add(3, 3, 2, "B", 23);
    s.add(5, 1, 1, "", 30);
    return s;
}

struct flat {
    std::size_t e, r, c;
    std::string text;
    std::uint32_t offset;
    bool operator==(const flat&) const = default;
};

std::vector<flat> flatten(const edifact::segment& s) {
    std::vector<flat> out;
    for (const auto& v : s.items()) out.push_back({v.element, v.repetition, v.component, std::string(v.text), v.offset});
    return out;
}

}  // namespace

TEST_CASE("values read back by position, absent ones as empty", "[edifact][segment]") {
    const auto s = hand_built();
    CHECK(s.element_count() == 5);
    CHECK(s.value(1) == "147");
    CHECK(s.value(2, 1) == "0250208");
    CHECK(s.value(2, 3) == "5");
    CHECK(s.value(2, 2).empty());
    CHECK_FALSE(s.has(2, 2));
    CHECK(s.has(2, 3));
    CHECK(s.value(3, 1, 1) == "A");
    CHECK(s.value(3, 2, 3) == "B");
    CHECK(s.value(3, 1, 3).empty());
    CHECK(s.value(3, 1, 2).empty());
    CHECK(s.value(4).empty());
    CHECK(s.value(5).empty());
    CHECK_FALSE(s.has(5));
    // position 0 and positions past the 16-bit range are absent, not aliases of other values
    CHECK(s.value(0).empty());
    CHECK(s.value(1, 0).empty());
    CHECK(s.value(1, 1, 0).empty());
    CHECK(s.value(1, 1 + 0x10000).empty());
    CHECK(s.value(1 + 0x10000).empty());
    CHECK(s.value(6).empty());
}

TEST_CASE("counts are the highest index present", "[edifact][segment]") {
    const auto s = hand_built();
    CHECK(s.component_count(1) == 1);
    CHECK(s.component_count(2) == 3);
    CHECK(s.component_count(3, 1) == 1);
    CHECK(s.component_count(3, 2) == 0);
    CHECK(s.component_count(3, 3) == 2);
    CHECK(s.component_count(4) == 0);
    CHECK(s.component_count(5) == 1);
    CHECK(s.component_count(0) == 0);
    CHECK(s.component_count(1, 0) == 0);
    CHECK(s.repetition_count(1) == 1);
    CHECK(s.repetition_count(3) == 3);
    CHECK(s.repetition_count(4) == 0);
    CHECK(s.repetition_count(6) == 0);
    CHECK(s.repetition_count(0) == 0);
    CHECK(edifact::segment{}.element_count() == 0);
    CHECK(edifact::segment{}.repetition_count(1) == 0);
}

TEST_CASE("byte_of: the value, else its element's first value, else the terminator", "[edifact][segment]") {
    const auto s = hand_built();
    CHECK(s.byte_of(1) == 104);
    CHECK(s.byte_of(2, 3) == 117);
    CHECK(s.byte_of(2, 2) == 108);     // absent component: where its element starts
    CHECK(s.byte_of(3, 2, 3) == 123);
    CHECK(s.byte_of(3, 1, 2) == 119);  // absent repetition: where its element starts
    CHECK(s.byte_of(4) == 140);        // absent element inside the segment: no first value either
    CHECK(s.byte_of(5) == 130);
    CHECK(s.byte_of(9) == 140);        // past the last element: the terminator
}

TEST_CASE("items() lists every value in input order", "[edifact][segment]") {
    const auto s = hand_built();
    CHECK(s.items().size() == 6);
    CHECK(flatten(s) == std::vector<flat>{{1, 1, 1, "147", 4},
                                          {2, 1, 1, "0250208", 8},
                                          {2, 1, 3, "5", 17},
                                          {3, 1, 1, "A", 19},
                                          {3, 3, 2, "B", 23},
                                          {5, 1, 1, "", 30}});
    CHECK(s.items()[4].text == "B");
    CHECK(edifact::segment{}.items().empty());
}

TEST_CASE("add() takes positions in order only", "[edifact][segment]") {
    auto s = hand_built();
    const auto before = flatten(s);
    CHECK_THROWS_AS(s.add(5, 1, 1, "again"), std::logic_error);  // same position
    CHECK_THROWS_AS(s.add(4, 1, 1, "back"), std::logic_error);   // an earlier element
    CHECK_THROWS_AS(s.add(6, 0, 1, "zero"), std::logic_error);   // 0 is not a position
    CHECK_THROWS_AS(s.add(0, 1, 1, "tag"), std::logic_error);
    CHECK(flatten(s) == before);
    s.add(5, 1, 2, "X");
    s.add(5, 2, 1, "Y");
    CHECK(s.value(5, 2) == "X");
    CHECK(s.value(5, 1, 2) == "Y");
    CHECK(s.element_count() == 5);
}

TEST_CASE("clear() empties the segment and keeps its storage", "[edifact][segment]") {
    auto s = hand_built();
    std::string long_text(100, 'Z');
    s.add(6, 1, 1, long_text);
    const char* storage = s.value(1).data();
    s.clear();
    CHECK(s.tag.empty());
    CHECK(s.byte == 0);
    CHECK(s.number == 0);
    CHECK(s.length == 0);
    CHECK(s.element_count() == 0);
    CHECK(s.items().empty());
    CHECK(s.value(1).empty());
    s.add(1, 1, 1, long_text);
    CHECK(s.value(1) == long_text);
    CHECK(s.value(1).data() == storage);  // refilled in place: no new allocation
}

TEST_CASE("copies and moves carry the values", "[edifact][segment]") {
    auto s = hand_built();
    edifact::segment copy = s;
    s.clear();
    s.add(1, 1, 1, "changed");
    CHECK(copy.value(2, 3) == "5");
    CHECK(flatten(copy).size() == 6);
    edifact::segment moved = std::move(copy);
    CHECK(moved.value(3, 2, 3) == "B");
    CHECK(moved.tag == "LOC");
}

TEST_CASE("a parsed segment: repetitions, releases and offsets", "[edifact][segment]") {
    auto r = test::read("UNB+UNOC:4+S+R+20200101:1200+1'UNH+1+X:D:96A:UN'ATT+1+A:B*C::D?+E+'UNT+3+1'UNZ+1+1'");
    REQUIRE(r.messages.size() == 1);
    const auto& att = r.messages[0].segments.at(1);
    CHECK(att.tag == "ATT");
    CHECK(flatten(att) == std::vector<flat>{{1, 1, 1, "1", 4},
                                            {2, 1, 1, "A", 6},
                                            {2, 1, 2, "B", 8},
                                            {2, 2, 1, "C", 10},
                                            {2, 2, 2, "", 12},
                                            {2, 2, 3, "D+E", 13},
                                            {3, 1, 1, "", 18}});
    CHECK(att.element_count() == 3);
    CHECK(att.repetition_count(2) == 2);
    CHECK(att.component_count(2, 2) == 3);
    CHECK(att.byte_of(2, 3, 2) == att.byte + 13);
    CHECK(att.byte_of(4) == att.byte + att.length);
}
