// data_roots.hpp - where edigate looks for its data (directories, schemas): one rule for all.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace edigate::core {

/// The roots to search, first match wins: each entry of the colon-separated environment variable,
/// then <exe>/../share/edigate/<subdir> (a relocated install), the configured install prefix's
/// share/edigate/<subdir>, and the source tree's <subdir> (running from a build directory).
std::vector<std::filesystem::path> data_roots(const char* environment_variable, std::string_view subdir);

}  // namespace edigate::core
