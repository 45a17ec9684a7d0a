// codes.cpp - the EDI-Xnnn table: stable names, default severities, summaries.
#include "edigate/xml/codes.hpp"

#include <array>

namespace edigate::xml {

namespace {
using core::severity;
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::not_well_formed, "EDI-X001", severity::error, "not well-formed XML, or bytes that are not in the declared encoding"},
    {code::doctype_refused, "EDI-X002", severity::error, "DOCTYPE refused: no DTD, internal subset or entity declaration is processed"},
    {code::too_deep, "EDI-X003", severity::error, "elements nested deeper than the bound (default 256)"},
    {code::too_large, "EDI-X004", severity::error, "document larger than the bound (--max-bytes)"},
    {code::markup_too_long, "EDI-X005", severity::error, "one tag with its attributes, comment or processing instruction longer than the bound (default 1 MiB)"},
    {code::value_too_long, "EDI-X006", severity::error, "one text value longer than the bound kept in a tree (default 64 MiB)"},
    {code::schema_invalid, "EDI-X010", severity::error, "the document breaks its XML schema"},
    {code::no_schema, "EDI-X011", severity::warning, "no installed schema declares the root element: only well-formedness was checked"},
    {code::schema_unusable, "EDI-X012", severity::error, "the schema cannot be loaded (file, line and reason given)"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::xml
