// codes.cpp - the code table: stable names, 0085 syntax error codes, default severities.
#include "edigate/edifact/codes.hpp"

#include <array>

namespace edigate::edifact {

namespace {
using core::severity;
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::no_data, "EDI-S001", 13, severity::error, "the input holds no EDIFACT segment"},
    {code::junk, "EDI-S002", 18, severity::error, "bytes that are not EDIFACT before, between or after interchanges"},
    {code::bad_una, "EDI-S003", 20, severity::error, "UNA service string advice unusable (short, repeated or invalid characters)"},
    {code::bad_tag, "EDI-S004", 12, severity::error, "segment tag is not three upper-case letters or digits"},
    {code::unterminated_segment, "EDI-S005", 13, severity::error, "the input ends inside a segment (no segment terminator)"},
    {code::bad_release, "EDI-S006", 21, severity::error, "release character followed by a character that is not a separator"},
    {code::line_break_in_segment, "EDI-S007", 21, severity::error, "carriage return or line feed inside a segment"},
    {code::trailing_separator, "EDI-S008", 45, severity::warning, "separator immediately before a segment terminator or element separator"},
    {code::segment_too_long, "EDI-S009", 18, severity::error, "no segment terminator within the segment size limit"},
    {code::whitespace_between, "EDI-S010", 18, severity::warning, "spaces or tabs between segments"},
    {code::byte_order_mark, "EDI-S011", 0, severity::info, "UTF-8 byte order mark before the interchange"},
    {code::bad_character, "EDI-C001", 21, severity::error, "character outside the repertoire of the declared syntax level"},
    {code::lowercase_in_level_a, "EDI-C002", 21, severity::error, "lower-case letter under UNOA (level A is upper case only)"},
    {code::invalid_encoding, "EDI-C003", 21, severity::error, "byte sequence invalid in the declared encoding"},
    {code::unknown_syntax_id, "EDI-C004", 2, severity::error, "syntax identifier not supported"},
    {code::charset_override, "EDI-C005", 0, severity::warning, "text decoded with a partner charset override instead of the declared one"},
    {code::no_interchange_header, "EDI-E001", 0, severity::warning, "message without interchange header UNB (message-level input)"},
    {code::missing_unz, "EDI-E002", 13, severity::error, "interchange not closed by UNZ"},
    {code::unz_count, "EDI-E003", 29, severity::error, "UNZ interchange control count differs from what was counted"},
    {code::unz_reference, "EDI-E004", 28, severity::error, "UNZ interchange control reference differs from UNB"},
    {code::missing_unt, "EDI-E005", 13, severity::error, "message not closed by UNT"},
    {code::unt_count, "EDI-E006", 29, severity::error, "UNT segment count differs from the segments counted"},
    {code::unt_reference, "EDI-E007", 28, severity::error, "UNT message reference differs from UNH"},
    {code::une_count, "EDI-E008", 29, severity::error, "UNE message count differs from the messages counted"},
    {code::une_reference, "EDI-E009", 28, severity::error, "UNE group reference differs from UNG"},
    {code::missing_une, "EDI-E010", 13, severity::error, "group not closed by UNE"},
    {code::segment_outside_message, "EDI-E011", 33, severity::error, "data segment outside a message"},
    {code::groups_and_messages_mixed, "EDI-E012", 30, severity::error, "messages both inside and outside functional groups"},
    {code::empty_envelope, "EDI-E013", 32, severity::error, "interchange or group without messages"},
    {code::unexpected_service_segment, "EDI-E014", 33, severity::error, "service segment where it cannot occur"},
    {code::una_without_unb, "EDI-E015", 13, severity::error, "UNA not followed by UNB"},
    {code::missing_element, "EDI-V001", 13, severity::error, "mandatory service data element or component missing"},
    {code::too_many_elements, "EDI-V002", 16, severity::error, "more data elements or components than the service segment defines"},
    {code::value_too_long, "EDI-V003", 39, severity::error, "service data element too long"},
    {code::value_too_short, "EDI-V004", 40, severity::error, "service data element too short"},
    {code::bad_representation, "EDI-V005", 37, severity::error, "characters invalid for the element's representation (a, n)"},
    {code::unsupported_version, "EDI-V006", 2, severity::error, "syntax version number not 1, 2, 3 or 4"},
    {code::bad_date_time, "EDI-V007", 12, severity::error, "impossible date or time in UNB or UNG"},
    {code::repetition_not_allowed, "EDI-V008", 35, severity::error, "repetition of a service data element that does not repeat"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::edifact
