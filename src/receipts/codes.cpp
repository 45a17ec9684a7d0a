// codes.cpp - the EDI-Rnnn table.
#include "edigate/receipts/codes.hpp"

#include <array>

namespace edigate::receipts {

namespace {
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::not_a_receipt, "EDI-R001", core::severity::error,
     "not a receipt we know: not XML, an output rather than an answer, another format, or a receipt without its result code"},
    {code::no_key, "EDI-R002", core::severity::warning,
     "a receipt without any key (bill, ClientSeqNo, guid, orderNo...): it cannot be tied to the output it answers"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::receipts
