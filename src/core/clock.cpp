// clock.cpp - see clock.hpp.
#include "edigate/core/clock.hpp"

#include <ctime>

namespace edigate::core {

std::string utc_text(std::chrono::system_clock::time_point t, const char* format, int digits, const char* separator, const char* suffix) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::string out(buf, std::strftime(buf, sizeof buf, format, &tm));
    if (digits > 0) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
        std::string fraction = std::to_string(1000000 + us).substr(1, static_cast<std::size_t>(digits));  // leading zeros kept
        out += separator + fraction;
    }
    return out + suffix;
}

}  // namespace edigate::core
