// diagnostic.cpp - the capped diagnostic sink.
#include "edigate/core/diagnostic.hpp"

namespace edigate::core {

std::string_view to_string(severity s) noexcept {
    switch (s) {
    case severity::error: return "error";
    case severity::warning: return "warning";
    case severity::info: return "info";
    }
    return "error";
}

void diagnostic_sink::add(diagnostic d) {
    ++total_;
    if (d.level == severity::error) ++errors_;
    else if (d.level == severity::warning) ++warnings_;
    if (items_.size() < cap_) items_.push_back(std::move(d));
}

void diagnostic_sink::clear() noexcept {
    items_.clear();
    errors_ = warnings_ = total_ = 0;
}

}  // namespace edigate::core
