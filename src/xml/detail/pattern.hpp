// pattern.hpp - XSD patterns (XML Schema part 2, appendix F) compiled for ASCII values.
//
// The patterns agency schemas use are small regular expressions over character classes
// ("[A-Z]{3}[UJZ]\d{7}", "(19|20)\d{2}(0[1-9]|1[0-2])..."). This compiles one into a Glushkov
// automaton (one state per character-class occurrence, no epsilon moves) of at most 64 states, so
// matching is a few bit operations per byte. It covers literals, escapes, classes with ranges and
// negation, '.', \d \D \s \S, groups, alternation and the quantifiers ? * + {n} {n,} {n,m}. An XSD
// pattern is anchored at both ends; ^ and $ are ordinary characters.
//
// Only ASCII values are matched here: what \d or '.' mean beyond ASCII is Unicode's business, so
// a value with a byte >= 0x80 goes to Xerces-C's own regular expressions, as does a pattern this
// does not cover (\p{..}, \w, \i, \c, class subtraction, more than 64 states, and a range like
// {2,4} inside a repetition of varying count beyond one, where Xerces-C's matcher does not backtrack).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace edigate::xml::detail {

class pattern {
public:
    /// nullopt when the pattern uses what this does not cover (or is not a pattern).
    static std::optional<pattern> compile(std::string_view xsd);
    /// Whether all of `ascii` matches; every byte must be < 0x80.
    bool matches(std::string_view ascii) const noexcept {
        if (!next_.empty()) {  // the automaton made deterministic: a lookup per byte
            std::uint32_t at = start;
            for (char c : ascii)
                if ((at = next_[at * 128 + (static_cast<unsigned char>(c) & 0x7F)]) == dead) return false;
            return accepting_[at];
        }
        if (ascii.empty()) return nullable_;
        std::uint64_t at = first_ & accepts_[static_cast<unsigned char>(ascii[0]) & 0x7F];
        for (std::size_t i = 1; i < ascii.size() && at; ++i) {
            std::uint64_t next = 0;
            for (std::uint64_t s = at; s; s &= s - 1) next |= follow_[static_cast<unsigned>(__builtin_ctzll(s))];
            at = next & accepts_[static_cast<unsigned char>(ascii[i]) & 0x7F];
        }
        return (at & last_) != 0;
    }

private:
    friend class pattern_compiler;
    friend struct pattern_probe;  // tests: walks the automaton to make matching values
    /// The deterministic automaton of the state sets matching can reach (subset construction over
    /// ASCII), when they are at most max_sets; else none, and matches() steps through the sets.
    void determinise();
    static constexpr std::uint32_t dead = 0, start = 1, max_sets = 256;
    std::vector<std::uint16_t> next_;  ///< [set * 128 + byte]: the set after the byte
    std::vector<bool> accepting_;      ///< per set: a match may end there
    std::uint64_t first_ = 0, last_ = 0;
    bool nullable_ = false;
    std::array<std::uint64_t, 64> follow_{};    ///< states that may come after each state
    std::array<std::uint64_t, 128> accepts_{};  ///< states whose class holds each byte
};

}  // namespace edigate::xml::detail
