// codes.cpp - the EDI-Mnnn table.
#include "edigate/mapping/codes.hpp"

#include <array>

namespace edigate::mapping {

namespace {
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::bad_file, "EDI-M001", core::severity::error, "a mapping or code table file cannot be used (file, line and what is wrong)"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::mapping
