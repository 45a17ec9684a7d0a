// codes.hpp - the stable diagnostic codes of the EDIFACT syntax engine.
//
// Codes never change meaning once released; new ones are appended. Each maps to the 0085 syntax
// error code a CONTRL would carry. `edigate codes` prints this table.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::edifact {

enum class code {
    // lexical and syntax
    no_data,                  ///< EDI-S001 the input holds no EDIFACT segment
    junk,                     ///< EDI-S002 bytes before, between or after interchanges
    bad_una,                  ///< EDI-S003 UNA service string advice unusable
    bad_tag,                  ///< EDI-S004 segment tag is not three upper-case letters or digits
    unterminated_segment,     ///< EDI-S005 the input ends inside a segment
    bad_release,              ///< EDI-S006 release character not followed by a service character
    line_break_in_segment,    ///< EDI-S007 CR or LF inside a segment
    trailing_separator,       ///< EDI-S008 separator right before a terminator or separator
    segment_too_long,         ///< EDI-S009 no segment terminator within the size limit
    whitespace_between,       ///< EDI-S010 spaces or tabs between segments (indentation)
    byte_order_mark,          ///< EDI-S011 UTF-8 byte order mark before the interchange
    // character sets
    bad_character,            ///< EDI-C001 character outside the declared repertoire
    lowercase_in_level_a,     ///< EDI-C002 lower-case letter under UNOA
    invalid_encoding,         ///< EDI-C003 byte sequence invalid in the declared encoding
    unknown_syntax_id,        ///< EDI-C004 syntax identifier not supported
    charset_override,         ///< EDI-C005 bytes decoded with a partner charset override
    // envelope
    no_interchange_header,    ///< EDI-E001 message without UNB (message-level input)
    missing_unz,              ///< EDI-E002 interchange not closed by UNZ
    unz_count,                ///< EDI-E003 UNZ 0036 differs from the messages/groups counted
    unz_reference,            ///< EDI-E004 UNZ 0020 differs from UNB 0020
    missing_unt,              ///< EDI-E005 message not closed by UNT
    unt_count,                ///< EDI-E006 UNT 0074 differs from the segments counted
    unt_reference,            ///< EDI-E007 UNT 0062 differs from UNH 0062
    une_count,                ///< EDI-E008 UNE 0060 differs from the messages counted
    une_reference,            ///< EDI-E009 UNE 0048 differs from UNG 0048
    missing_une,              ///< EDI-E010 group not closed by UNE
    segment_outside_message,  ///< EDI-E011 data segment outside UNH..UNT
    groups_and_messages_mixed,///< EDI-E012 messages both inside and outside groups
    empty_envelope,           ///< EDI-E013 interchange or group without messages
    unexpected_service_segment,///< EDI-E014 service segment where it cannot occur
    una_without_unb,          ///< EDI-E015 UNA not followed by UNB
    // service segment contents
    missing_element,          ///< EDI-V001 mandatory service data element or component missing
    too_many_elements,        ///< EDI-V002 more data elements or components than defined
    value_too_long,           ///< EDI-V003
    value_too_short,          ///< EDI-V004
    bad_representation,       ///< EDI-V005 characters invalid for a/n representation
    unsupported_version,      ///< EDI-V006 syntax version number not 1-4
    bad_date_time,            ///< EDI-V007 UNB/UNG date or time impossible
    repetition_not_allowed,   ///< EDI-V008 repetition separator in a non-repeating service element
    count_
};

struct code_info {
    code id;
    std::string_view name;       ///< "EDI-S001"
    int syntax_error;            ///< 0085 code
    core::severity level;        ///< default severity
    std::string_view summary;    ///< one line for `edigate codes`
};

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::edifact
