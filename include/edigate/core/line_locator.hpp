// line_locator.hpp - turns byte offsets into 1-based line and column numbers, for reports.
//
// Built by one sequential pass over the input that records where each line starts. Memory is one
// integer per line break, so it is only built when a report has positions to render. Offsets past
// the end map to the last line. Columns count bytes, not characters.
#pragma once

#include <cstdint>
#include <istream>
#include <string_view>
#include <vector>

namespace edigate::core {

class line_locator {
public:
    line_locator() = default;
    static line_locator from_stream(std::istream& in);
    static line_locator from_buffer(std::string_view data);

    struct line_col { std::uint64_t line = 1, column = 1; };
    line_col locate(std::uint64_t byte) const noexcept;

private:
    std::vector<std::uint64_t> starts_{0};
};

}  // namespace edigate::core
