// render.cpp - plain-text views of directory definitions for `edigate directory show`.
#include "edigate/directory/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace edigate::directory {

namespace {

std::string composition(const structure_entry& g) {
    std::string out;
    for (const auto& c : g.children) out += (out.empty() ? "" : "-") + (c.is_group() ? fmt::format("SG{}", c.group) : c.tag);
    return out;
}

void table(std::string& out, const std::vector<structure_entry>& entries, int depth) {
    for (const auto& e : entries) {
        std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
        std::string label = e.is_group() ? fmt::format("{}SG{:<3} Segment group {}: {}", indent, e.group, e.group, composition(e))
                                         : fmt::format("{}{}   {}", indent, e.tag, e.name);
        out += fmt::format("{:<6} {:<58} {}  {}\n", e.position, label, e.mandatory ? 'M' : 'C', e.max_repeat);
        if (e.is_group()) table(out, e.children, depth + 1);
    }
}

}  // namespace

std::string render_message(const message_def& m, const directory& d) {
    std::string out = fmt::format("{} {}  {}\nDirectory {} ({}), read from {}\n\n", m.type, d.id(), m.name, d.id(), m.agency, m.source);
    out += fmt::format("{:<6} {:<58} S  R\n", "Pos", "Tag Name");
    table(out, m.body, 0);
    return out;
}

std::string render_segment(const segment_def& s, const directory& d) {
    std::string out = fmt::format("{}  {}  (directory {})\n\n", s.tag, s.name, d.id());
    for (const auto& e : s.elements) {
        out += fmt::format("{:<4} {} {:<44} {} {:>3} {}\n", e.position, e.code, e.name, e.mandatory ? 'M' : 'C', e.repeat,
                           e.composite ? "" : e.format.text);
        for (const auto& c : e.components)
            out += fmt::format("       {} {:<42} {}     {}{}\n", c.code, c.name, c.mandatory ? 'M' : 'C', c.format.text,
                               d.codes(c.code) ? "  (code list)" : "");
        if (!e.composite && d.codes(e.code)) out += "       (code list)\n";
    }
    return out;
}

std::string render_code_list(const code_list& l, const directory& d) {
    const auto* el = d.element(l.element);
    std::string out = fmt::format("{}  {}  (directory {}, {} codes)\n\n", l.element, el ? el->name : "", d.id(), l.codes().size());
    std::vector<std::pair<std::string, std::string>> rows(l.codes().begin(), l.codes().end());
    std::sort(rows.begin(), rows.end());
    for (const auto& [code, name] : rows) out += fmt::format("{:<8} {}\n", code, name);
    return out;
}

}  // namespace edigate::directory
