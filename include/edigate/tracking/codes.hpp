// codes.hpp - stable diagnostic codes of the tracking store (EDI-Tnnn). Appended to, never renumbered.
#pragma once

#include <span>
#include <string_view>

#include "edigate/core/diagnostic.hpp"

namespace edigate::tracking {

enum class code {
    cannot_open,   ///< EDI-T001 the database cannot be opened or migrated
    write_failed,  ///< EDI-T002 a batch could not be written or committed: nothing of it was recorded
    count_
};

using code_info = core::code_info<code>;

const code_info& info(code c) noexcept;
std::span<const code_info> all_codes() noexcept;

}  // namespace edigate::tracking
