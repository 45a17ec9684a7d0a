// codes.cpp - the EDI-Tnnn table.
#include "edigate/tracking/codes.hpp"

#include <array>

namespace edigate::tracking {

namespace {
constexpr std::array<code_info, static_cast<std::size_t>(code::count_)> table{{
    {code::cannot_open, "EDI-T001", core::severity::error, "the tracking database cannot be opened or migrated (file and reason given)"},
    {code::write_failed, "EDI-T002", core::severity::error, "a tracking batch could not be written or committed: nothing of it was recorded"},
}};
}  // namespace

const code_info& info(code c) noexcept { return table[static_cast<std::size_t>(c)]; }
std::span<const code_info> all_codes() noexcept { return table; }

}  // namespace edigate::tracking
