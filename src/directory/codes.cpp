// codes.cpp - the EDI-Dnnn table: stable names, 0085 syntax error codes, default severities.
#include "edigate/directory/codes.hpp"

#include <array>

namespace edigate::directory {

namespace {
using core::severity;
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::no_definition, "EDI-D001", 3, severity::warning, "message directory or type not installed: only syntax and envelope checks ran"},
    {code::unknown_segment, "EDI-D002", 15, severity::error, "segment tag not defined in the message's directory"},
    {code::segment_not_allowed, "EDI-D003", 15, severity::error, "segment not allowed at this position of the message structure"},
    {code::missing_segment, "EDI-D004", 13, severity::error, "mandatory segment or segment group missing"},
    {code::segment_repeated, "EDI-D005", 35, severity::error, "segment repeated more often than the message structure allows"},
    {code::group_repeated, "EDI-D006", 36, severity::error, "segment group repeated more often than the message structure allows"},
    {code::missing_element, "EDI-D007", 13, severity::error, "mandatory data element or component missing"},
    {code::too_many_constituents, "EDI-D008", 16, severity::error, "more data elements or components than the directory defines"},
    {code::element_repeated, "EDI-D009", 35, severity::error, "data element repeated more often than the segment allows"},
    {code::bad_character, "EDI-D010", 37, severity::error, "characters invalid for the representation (digits in a, letters in n)"},
    {code::too_long, "EDI-D011", 39, severity::error, "value longer than its representation allows"},
    {code::too_short, "EDI-D012", 40, severity::error, "value shorter than its representation requires"},
    {code::decimal_mark, "EDI-D013", 19, severity::error, "decimal mark other than the one the interchange declares"},
    {code::not_in_code_list, "EDI-D014", 12, severity::error, "value not in the data element's UNCL code list (warning when UNH names an association-assigned subset)"},
    {code::version_mismatch, "EDI-D015", 12, severity::warning, "UNH message version is not D; validated against the directory its release names"},
    {code::bad_date_time, "EDI-D016", 12, severity::error, "date/time/period value does not fit the format its 2379 code names (CCYYMMDD, HHMM, ...)"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::directory
