// codes.cpp - the EDI-Annn table.
#include "edigate/ack/codes.hpp"

#include <array>

namespace edigate::ack {

namespace {
using core::severity;
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::not_addressable, "EDI-A001", severity::error, "no acknowledgement: UNB lacks the sender, recipient or control reference it must copy"},
    {code::charset_changed, "EDI-A002", severity::warning, "acknowledgement written in another character set: copied values do not fit the declared one"},
    {code::report_cut, "EDI-A003", severity::warning, "more findings than the acknowledgement's structure can carry; the rest is left out"},
    {code::not_identifiable, "EDI-A004", severity::warning, "message or group cannot be identified in CONTRL; the whole interchange is rejected instead"},
    {code::text_cut, "EDI-A005", severity::warning, "finding text longer than the APERAK free text can carry; cut"},
    {code::not_writable, "EDI-A006", severity::error, "a copied value cannot be written in any character set the syntax version allows"},
    {code::not_acknowledgement, "EDI-A010", severity::error, "the message is neither a CONTRL nor an APERAK"},
    {code::not_understood, "EDI-A011", severity::warning, "part of a partner's CONTRL or APERAK is not understood"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

core::diagnostic make_diagnostic(code c, std::string text, core::position where) {
    const auto& ci = info(c);
    core::diagnostic d;
    d.code = std::string(ci.name);
    d.level = ci.level;
    d.where = std::move(where);
    d.text = std::move(text);
    return d;
}

}  // namespace edigate::ack
