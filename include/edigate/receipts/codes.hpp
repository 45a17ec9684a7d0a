// codes.hpp - stable finding codes of reading agency receipts (EDI-Rnnn).
//
// Appended to, never renumbered. A receipt is XML from an agency, so these carry no 0085 code.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::receipts {

enum class code {
    not_a_receipt,  ///< EDI-R001 the document is not a receipt we know (not XML, an output, another format, no verdict in it)
    no_key,         ///< EDI-R002 a receipt we understood carries nothing that ties it to the output it answers
    count_
};

using code_info = core::code_info<code>;

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::receipts
