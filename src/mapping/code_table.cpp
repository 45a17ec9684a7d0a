// code_table.cpp - reading code conversion tables and looking codes up (see code_table.hpp).
#include "edigate/mapping/code_table.hpp"

#include "edigate/mapping/codes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace edigate::mapping {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<code_table> code_table::load(const std::filesystem::path& file, core::diagnostic& problem) {
    auto fail = [&](std::size_t line, std::string what) {
        problem = core::diagnostic{};
        problem.code = std::string(info(code::bad_file).name);
        problem.where.line = static_cast<std::uint32_t>(line);
        problem.where.column = 1;
        problem.text = fmt::format("code table {}: {}", file.string(), what);
        return std::nullopt;
    };
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(0, "cannot be read");
    code_table t;
    t.name_ = file.stem().string();
    std::string text;
    std::size_t number = 0;
    while (std::getline(in, text)) {
        ++number;
        std::string_view line = trim(text);
        if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
        if (line.empty() || line.front() == '#') continue;
        if (line.starts_with("from:")) {
            t.from_ = std::string(trim(line.substr(5)));
            continue;
        }
        if (line.starts_with("to:")) {
            t.to_ = std::string(trim(line.substr(3)));
            continue;
        }
        auto comma = line.find(',');
        if (comma == std::string_view::npos) return fail(number, fmt::format("expected 'from code,to code[,note]', found '{}'", line));
        auto rest = line.substr(comma + 1);
        row r{std::string(trim(line.substr(0, comma))), std::string(trim(rest.substr(0, rest.find(','))))};
        if (r.from.empty() || r.to.empty()) return fail(number, "a code is empty");
        for (const auto& existing : t.rows_)
            if (existing.from == r.from) return fail(number, fmt::format("code '{}' is listed twice", r.from));
        t.rows_.push_back(std::move(r));
    }
    if (t.from_.empty() || t.to_.empty()) return fail(number, "the 'from:' and 'to:' lines naming the two code lists are missing");
    if (t.rows_.empty()) return fail(number, "no codes");
    for (std::uint32_t i = 0; i < t.rows_.size(); ++i) t.by_from_.push_back(i), t.by_to_.push_back(i);
    std::stable_sort(t.by_from_.begin(), t.by_from_.end(), [&](auto a, auto b) { return t.rows_[a].from < t.rows_[b].from; });
    std::stable_sort(t.by_to_.begin(), t.by_to_.end(), [&](auto a, auto b) { return t.rows_[a].to < t.rows_[b].to; });
    return t;
}

std::optional<std::string_view> code_table::forward(std::string_view code) const {
    auto it = std::lower_bound(by_from_.begin(), by_from_.end(), code, [&](auto i, std::string_view c) { return rows_[i].from < c; });
    if (it == by_from_.end() || rows_[*it].from != code) return std::nullopt;
    return rows_[*it].to;
}

std::optional<std::string_view> code_table::backward(std::string_view code) const {
    // Stable sort by the to-code keeps file order among equal codes: the first row listed wins.
    auto it = std::lower_bound(by_to_.begin(), by_to_.end(), code, [&](auto i, std::string_view c) { return rows_[i].to < c; });
    if (it == by_to_.end() || rows_[*it].to != code) return std::nullopt;
    return rows_[*it].from;
}

}  // namespace edigate::mapping
