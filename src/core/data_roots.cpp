// data_roots.cpp - see data_roots.hpp.
#include "edigate/core/data_roots.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

namespace edigate::core {

namespace fs = std::filesystem;

std::vector<fs::path> data_roots(const char* environment_variable, std::string_view subdir) {
    std::vector<fs::path> roots;
    if (const char* env = std::getenv(environment_variable)) {
        std::string_view list(env);
        while (!list.empty()) {
            auto colon = list.find(':');
            if (auto part = list.substr(0, colon); !part.empty()) roots.emplace_back(part);
            if (colon == std::string_view::npos) break;
            list.remove_prefix(colon + 1);
        }
    }
    std::error_code ec;
    if (auto exe = fs::read_symlink("/proc/self/exe", ec); !ec) roots.push_back(exe.parent_path().parent_path() / "share/edigate" / subdir);
    roots.push_back(fs::path(EDIGATE_DATA_DIR) / subdir);
    roots.push_back(fs::path(EDIGATE_SOURCE_DIR) / subdir);
    return roots;
}

}  // namespace edigate::core
