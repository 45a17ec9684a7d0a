// scanner_test.cpp - the SIMD segment scanner agrees with the scalar reference on random input.
#include <catch2/catch.hpp>

#include <random>

#include "detail/scanner.hpp"

using namespace edigate::edifact;

TEST_CASE("SIMD scan equals scalar scan for every charset and random bytes", "[edifact][scanner]") {
    std::mt19937 rng(1234);
    const std::string alphabet = "ABCXYZ019 .,-()/='+:?!\"%&*;<>#$@[]^_`{|}~abcxyz\r\n\t";
    for (auto cs : {charset::unoa, charset::unob, charset::unoc, charset::unod, charset::unoy, charset::gb18030, charset::unox}) {
        delimiters d;
        auto table = detail::make_scan_table(cs, d);
        for (int round = 0; round < 3000; ++round) {
            std::string s;
            int len = static_cast<int>(rng() % 80);
            for (int i = 0; i < len; ++i) {
                unsigned pick = rng() % 10;
                s += pick < 7 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() & 0xFF);
            }
            s.append(32, '\0');  // padding the SIMD loads may read
            const char* limit = s.data() + len;
            auto a = detail::scan_segment(s.data(), limit, table);
            auto b = detail::scan_segment_scalar(s.data(), limit, table);
            INFO("charset " << identifier(cs) << " round " << round);
            REQUIRE(a.state == b.state);
            REQUIRE(a.terminator == b.terminator);
            REQUIRE(a.first_bad == b.first_bad);
            REQUIRE(a.bad_release == b.bad_release);
            REQUIRE(a.bad_encoding == b.bad_encoding);
            if (a.first_bad) REQUIRE(a.bad_class == b.bad_class);
        }
    }
}

TEST_CASE("a released terminator does not end the segment", "[edifact][scanner]") {
    delimiters d;
    auto t = detail::make_scan_table(charset::unoa, d);
    std::string s = "FTX+AAA+++IT?'S ?? FINE'REST";
    s.append(32, '\0');
    auto r = detail::scan_segment(s.data(), s.data() + 28, t);
    REQUIRE(r.state == detail::scan_result::status::complete);
    CHECK(r.terminator - s.data() == 23);
    CHECK(r.released);
    CHECK(r.first_bad == nullptr);
}

TEST_CASE("multi-byte sequences", "[edifact][scanner]") {
    const unsigned char ok3[] = {0xE8, 0xBF, 0x9E};
    CHECK(detail::utf8_sequence(ok3, ok3 + 3) == 3);
    CHECK(detail::utf8_sequence(ok3, ok3 + 2) == -1);
    const unsigned char overlong[] = {0xE0, 0x80, 0x80};
    CHECK(detail::utf8_sequence(overlong, overlong + 3) == 0);
    const unsigned char surrogate[] = {0xED, 0xA0, 0x80};
    CHECK(detail::utf8_sequence(surrogate, surrogate + 3) == 0);
    const unsigned char gb2[] = {0xC1, 0xAC};
    CHECK(detail::gb18030_sequence(gb2, gb2 + 2) == 2);
    const unsigned char gb4[] = {0x81, 0x30, 0x81, 0x30};
    CHECK(detail::gb18030_sequence(gb4, gb4 + 4) == 4);
    const unsigned char gbbad[] = {0x81, 0x20};
    CHECK(detail::gb18030_sequence(gbbad, gbbad + 2) == 0);
}
