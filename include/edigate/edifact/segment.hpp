// segment.hpp - a parsed segment: tag and data values as UTF-8, with byte offsets.
//
// Values are unescaped (release characters removed) and decoded from the interchange's
// character set to UTF-8. Positions are 1-based like the standard counts them: element 1 is the
// first data element after the tag. Missing positions read as empty strings, never as errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edigate::edifact {

struct component_value {
    std::string text;          ///< UTF-8, unescaped
    std::uint32_t offset = 0;  ///< byte offset of the raw value from the start of the segment
};
using repetition_value = std::vector<component_value>;  ///< components of one repetition
using element_value = std::vector<repetition_value>;    ///< repetitions of one data element

struct segment {
    std::string tag;
    std::uint64_t byte = 0;       ///< byte offset of the tag in the input
    std::uint32_t number = 0;     ///< position in the message (UNH = 1) or in the interchange (UNB = 1)
    std::uint32_t length = 0;     ///< bytes from the tag to the terminator (exclusive), as read
    std::vector<element_value> elements;

    /// Value at element e, component c, repetition r (all 1-based); empty when absent.
    const std::string& value(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept;
    bool has(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept { return !value(e, c, r).empty(); }
    std::size_t component_count(std::size_t e, std::size_t r = 1) const noexcept;
    std::size_t repetition_count(std::size_t e) const noexcept;
    /// Byte offset in the input of element e / component c / repetition r; for an absent element,
    /// the offset of the segment terminator, where it would have been.
    std::uint64_t byte_of(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept;
};

}  // namespace edigate::edifact
