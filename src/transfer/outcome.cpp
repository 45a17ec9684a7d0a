// outcome.cpp - see outcome.hpp; and the libcurl set-up the transfer module shares.
#include "edigate/transfer/outcome.hpp"

#include <algorithm>
#include <mutex>

#include "curl_common.hpp"

namespace edigate::transfer {

std::string_view to_string(outcome o) noexcept {
    switch (o) {
        case outcome::sent: return "sent";
        case outcome::transient: return "transient";
        case outcome::needs_operator: return "needs-operator";
    }
    return "?";
}

bool plain_remote_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 200 || name.front() == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    });
}

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace edigate::transfer
