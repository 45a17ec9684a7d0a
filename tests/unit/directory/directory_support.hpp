// directory_support.hpp - the installed UNECE directories, loaded once per test program.
#pragma once

#include <filesystem>

#include "edigate/directory/catalog.hpp"

namespace edigate::test {

inline directory::catalog& installed() {
    static directory::catalog cat({std::filesystem::path(EDIGATE_SOURCE_DIR) / "edifact" / "directories"});
    return cat;
}

}  // namespace edigate::test
