// codes.cpp - the EDI-Mnnn table.
#include "edigate/mapping/codes.hpp"

#include <array>

namespace edigate::mapping {

namespace {
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::bad_file, "EDI-M001", core::severity::error, "a mapping or code table file cannot be used (file, line and what is wrong)"},
    {code::missing_value, "EDI-M002", core::severity::error, "a required target value has no source value: the output is not produced"},
    {code::bad_value, "EDI-M003", core::severity::error, "a source value cannot be converted (code not in its table, date or number that does not fit)"},
    {code::output_invalid, "EDI-M004", core::severity::error, "the output breaks its target schema: it is not produced"},
    {code::no_mapping, "EDI-M005", core::severity::warning, "no mapping given reads this message type or document"},
    {code::interchange_too_large, "EDI-M006", core::severity::error,
     "an interchange too large for the lookups across its messages ('//' paths) a mapping makes: its messages are not translated"},
    {code::message_too_large, "EDI-M007", core::severity::error,
     "a message too large to translate (--max-message-mb): it is checked for syntax only, nothing is produced from it"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::mapping
