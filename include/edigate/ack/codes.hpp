// codes.hpp - stable diagnostic codes of the acknowledgement module (EDI-Annn).
//
// Findings about writing our CONTRL/APERAK (what could not be said, what was adjusted) and about
// reading a partner's. Appended to, never renumbered. None of them is a finding about an EDIFACT
// syntax rule, so none carries a 0085 code.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::ack {

enum class code {
    not_addressable,     ///< EDI-A001 no CONTRL/APERAK: UNB lacks the sender, recipient or control reference to copy
    charset_changed,     ///< EDI-A002 written in another character set: copied values do not fit the declared one
    report_cut,          ///< EDI-A003 more findings than the message structure can carry; the rest is left out
    not_identifiable,    ///< EDI-A004 message or group without the reference/identifier a UCM/UCF needs; rejected with the interchange
    text_cut,            ///< EDI-A005 finding text longer than the APERAK FTX can carry; cut
    not_writable,        ///< EDI-A006 a copied value cannot be written in any character set available to the syntax version
    not_acknowledgement, ///< EDI-A010 the message is neither a CONTRL nor an APERAK
    not_understood,      ///< EDI-A011 content of a partner's CONTRL/APERAK not understood (unknown code, misplaced segment)
    count_
};

using code_info = core::code_info<code>;

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;
/// A diagnostic with this code's name and severity.
core::diagnostic make_diagnostic(code c, std::string text, core::position where = {});

}  // namespace edigate::ack
