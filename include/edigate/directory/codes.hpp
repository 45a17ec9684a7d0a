// codes.hpp - stable diagnostic codes of directory validation (EDI-Dnnn).
//
// Appended to, never renumbered. Each maps to the 0085 syntax error code that a CONTRL (UCS/UCD)
// or an APERAK would carry. `edigate codes` prints these after the syntax engine's codes.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::directory {

enum class code {
    no_definition,          ///< EDI-D001 the message's directory or type is not installed
    unknown_segment,        ///< EDI-D002 segment tag not defined in the directory
    segment_not_allowed,    ///< EDI-D003 segment where the message structure does not allow it
    missing_segment,        ///< EDI-D004 mandatory segment or segment group missing
    segment_repeated,       ///< EDI-D005 segment repeated more often than allowed
    group_repeated,         ///< EDI-D006 segment group repeated more often than allowed
    missing_element,        ///< EDI-D007 mandatory data element or component missing
    too_many_constituents,  ///< EDI-D008 more data elements or components than defined
    element_repeated,       ///< EDI-D009 data element repeated more often than allowed
    bad_character,          ///< EDI-D010 characters invalid for the representation (a, n)
    too_long,               ///< EDI-D011 value longer than its representation allows
    too_short,              ///< EDI-D012 value shorter than its representation requires
    decimal_mark,           ///< EDI-D013 decimal mark other than the declared one
    not_in_code_list,       ///< EDI-D014 value not in the element's UNCL code list (a warning in association-assigned subsets)
    version_mismatch,       ///< EDI-D015 UNH message version is not "D" though the release names an installed directory
    bad_date_time,          ///< EDI-D016 date/time/period (2380) does not fit the format its 2379 code names
    count_
};

struct code_info {
    code id;
    std::string_view name;
    int syntax_error;
    core::severity level;
    std::string_view summary;
};

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::directory
