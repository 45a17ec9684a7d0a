// codes.hpp - stable diagnostic codes of the mapping engine (EDI-Mnnn).
//
// Appended to, never renumbered. `edigate codes` lists them after the XML codes.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::mapping {

enum class code {
    bad_file,          ///< EDI-M001 a mapping or code table file cannot be used (file, line, what)
    missing_value,     ///< EDI-M002 a required target value has no source value
    bad_value,         ///< EDI-M003 a source value cannot be converted (unknown code, date, number)
    output_invalid,    ///< EDI-M004 the output breaks its target schema: it is not produced
    no_mapping,        ///< EDI-M005 no mapping given reads this message type or document
    interchange_too_large,  ///< EDI-M006 an interchange too large for the '//' lookups a mapping makes
    message_too_large,      ///< EDI-M007 a message too large to translate (--max-message-mb)
    count_
};

using code_info = core::code_info<code>;

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::mapping
