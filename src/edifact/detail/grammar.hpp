// grammar.hpp - the ISO 9735 segment grammar in Boost.Spirit X3, the one description of the syntax.
//
//   una          = "UNA" char char char char char char
//   segment      = tag { element-sep element }            (terminator handled by the scanner)
//   element      = repetition { repetition-sep repetition }   (repetition-sep from syntax 4 only)
//   repetition   = component { component-sep component }
//   component    = data-run                                (any text up to an unreleased separator)
//
// Separators are runtime values (UNA), passed in the X3 context. data-run is our own X3 parser
// component: a tight scan to the next unreleased separator, the hot primitive of the grammar.
// Parsing a segment body cannot fail (every byte sequence is some list of runs); the structure it
// yields is checked by the reader and the directory validator.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact::detail {

/// One component's raw (still escaped) bytes, relative to the segment start.
struct raw_piece {
    std::uint32_t begin = 0, end = 0;
    std::uint16_t element = 0, repetition = 0, component = 0;  ///< 1-based; element 0 = the tag
};

/// Split a segment (without its terminator) into pieces; pieces[0] is the tag.
void split_segment(std::string_view seg, const delimiters& d, std::vector<raw_piece>& out);

/// Parse "UNA" + six service characters; nullopt when the text is not a UNA.
std::optional<delimiters> parse_una(std::string_view text);

}  // namespace edigate::edifact::detail
