// clock.hpp - UTC times as text, in the forms edigate writes (ISO 8601 for the store, compact
// stamps for names and agency formats).
#pragma once

#include <chrono>
#include <string>

namespace edigate::core {

/// `t` in UTC with strftime's `format`, then `separator` and the fraction of the second in
/// `digits` digits (3: milliseconds, 6: microseconds; 0: none), then `suffix`.
std::string utc_text(std::chrono::system_clock::time_point t, const char* format, int digits, const char* separator = "",
                     const char* suffix = "");

}  // namespace edigate::core
