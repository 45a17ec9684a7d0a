// code_table.hpp - code conversion between two code lists, as data, usable in both directions.
//
// A table is a UTF-8 text file under mappings/codes/ (NAME.csv):
//
//   # UN/ECE Rec. 19 mode of transport -> China customs TrafMode (DecHead/TrafMode)
//   from: unece-rec19
//   to: cn-customs-trafmode
//   1,2,maritime transport -> 水路运输
//   2,3,rail transport -> 铁路运输
//
// Lines starting with '#' are comments; "from:" and "to:" name the two lists (required); every
// other line is "from code,to code[,note]". A from-code may appear once. Several from-codes may
// map to one to-code; converting backwards then gives the first of them in the file, so put the
// preferred one first. Looking up an unknown code gives nullopt: the caller reports a finding,
// never a silent blank.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edigate/core/diagnostic.hpp"

namespace edigate::mapping {

class code_table {
public:
    /// Reads a table; nullopt with `problem` (file, line, what) when the file is wrong.
    static std::optional<code_table> load(const std::filesystem::path& file, core::diagnostic& problem);

    const std::string& name() const noexcept { return name_; }
    const std::string& from_list() const noexcept { return from_; }
    const std::string& to_list() const noexcept { return to_; }
    std::size_t size() const noexcept { return rows_.size(); }

    std::optional<std::string_view> forward(std::string_view code) const;
    std::optional<std::string_view> backward(std::string_view code) const;

private:
    struct row {
        std::string from, to;
    };
    std::string name_, from_, to_;
    std::vector<row> rows_;                              ///< file order
    std::vector<std::uint32_t> by_from_, by_to_;         ///< row indexes sorted by code (stable)
};

}  // namespace edigate::mapping
