// line_locator.hpp - turns byte offsets into 1-based line and column numbers, for reports.
//
// Two forms. from_buffer(): every line start of a text held in memory (small inputs, tests).
// from_file(): one sequential pass over a file that keeps a checkpoint every 256 KiB (the line
// number there and where that line starts), so memory stays about 100 KB per gigabyte whatever
// the number of lines; locate() reads the file again from the nearest checkpoint, or from where
// the previous call stopped (reports locate in file order, so that is usually a short step).
// Offsets past the end map to the last line. Columns count bytes, not characters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace edigate::core {

class line_locator {
public:
    line_locator() = default;
    static line_locator from_buffer(std::string_view data);
    /// Indexes `file` (kept open, so a temporary file may be removed meanwhile). An unreadable
    /// file gives a locator that puts every offset on line 1.
    static line_locator from_file(const std::filesystem::path& file);

    struct line_col { std::uint64_t line = 1, column = 1; };
    line_col locate(std::uint64_t byte) const noexcept;

private:
    std::vector<std::uint64_t> starts_{0};  ///< from_buffer: every line start
    struct file_index;
    std::shared_ptr<file_index> file_;      ///< from_file
};

}  // namespace edigate::core
