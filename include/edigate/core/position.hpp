// position.hpp - where something is in an input: byte offset plus EDI coordinates.
//
// Every diagnostic carries one. The byte offset is always set; the other fields are 0 or empty
// when they do not apply. For EDIFACT, line and column are not stored: they are computed from the
// byte offset when a report is rendered (see line_locator), because EDIFACT often has no line
// breaks at all. XML findings carry the line and column the XML parser reports (it knows them in
// characters, also for UTF-16 input) and an XPath-like path to the element.
#pragma once

#include <cstdint>
#include <string>

namespace edigate::core {

/// A location in an input file, from coarse (interchange) to fine (component, repetition).
struct position {
    std::uint64_t byte = 0;         ///< byte offset from the start of the input, always set
    std::uint32_t interchange = 0;  ///< 1-based interchange index in the file, 0 = outside any
    std::uint32_t group = 0;        ///< 1-based group index in the interchange, 0 = none
    std::uint32_t message = 0;      ///< 1-based message index in the interchange, 0 = none
    std::uint32_t segment = 0;      ///< 1-based segment number: in the message (UNH = 1) or, outside a message, in the interchange (UNB = 1)
    std::string tag;                ///< segment tag as written, e.g. "DTM"
    std::uint16_t element = 0;      ///< 1-based data element position in the segment, 0 = whole segment
    std::uint16_t component = 0;    ///< 1-based component position, 0 = whole element
    std::uint16_t repetition = 0;   ///< 1-based repetition (syntax 4), 0 = not repeated
    std::uint32_t line = 0;         ///< XML: 1-based line, 0 = compute from byte
    std::uint32_t column = 0;       ///< XML: 1-based column in characters
    std::string path;               ///< XML: element path, e.g. "/ceb:CEB311Message/ceb:Order[2]/ceb:OrderHead"

    friend bool operator==(const position&, const position&) = default;
};

}  // namespace edigate::core
