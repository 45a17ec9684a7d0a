// service_tables.cpp - parse the embedded edifact/syntax/service-v<N>.tsv tables once.
#include "detail/service_tables.hpp"

#include "edigate/edifact/service_tables.hpp"

#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>

#include "service_tables_data.hpp"  // generated: service_v1..v4 string constants

namespace edigate::edifact::detail {

value_format parse_format(std::string_view t) {
    value_format f;
    f.text = std::string(t);
    std::size_t i = 0;
    if (i < t.size() && t[i] == 'a') { f.alpha = true; ++i; }
    if (i < t.size() && t[i] == 'n') { f.numeric = true; ++i; }
    bool upto = t.substr(i, 2) == "..";
    if (upto) i += 2;
    unsigned n = 0;
    std::from_chars(t.data() + i, t.data() + t.size(), n);
    f.max = n;
    f.min = upto ? 0 : n;
    return f;
}

namespace {

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i)
        if (i == line.size() || line[i] == '\t') {
            out.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

std::vector<segment_def> load(std::string_view text) {
    std::vector<segment_def> segs;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        auto line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line[0] == '#') continue;
        auto f = fields(line);
        if (f[0] == "M") continue;  // CONTRL message structure: read by the directory module
        if (f[0] == "S" && f.size() >= 3) {
            segs.push_back({std::string(f[1]), std::string(f[2]), {}});
        } else if (f[0] == "E" && f.size() >= 7 && !segs.empty()) {
            element_def e;
            e.id = f[2];
            e.mandatory = f[3] == "M";
            std::from_chars(f[4].data(), f[4].data() + f[4].size(), e.repeat);
            e.composite = f[5] == "-";
            if (!e.composite) e.format = parse_format(f[5]);
            e.name = f[6];
            segs.back().elements.push_back(std::move(e));
        } else if (f[0] == "C" && f.size() >= 6 && !segs.empty() && !segs.back().elements.empty()) {
            segs.back().elements.back().components.push_back(
                {std::string(f[2]), std::string(f[5]), f[3] == "M", parse_format(f[4])});
        } else {
            throw std::logic_error("edigate: malformed embedded service segment table line: " + std::string(line));
        }
    }
    return segs;
}

}  // namespace

const segment_def* service_segment(std::string_view tag, int syntax_version) {
    static std::once_flag once;
    static std::array<std::vector<segment_def>, 4> tables;
    std::call_once(once, [] {
        tables[0] = load(service_v1);
        tables[1] = load(service_v2);
        tables[2] = load(service_v3);
        tables[3] = load(service_v4);
    });
    int v = syntax_version >= 1 && syntax_version <= 4 ? syntax_version : 4;
    for (const auto& s : tables[static_cast<std::size_t>(v - 1)])
        if (s.tag == tag) return &s;
    return nullptr;
}

}  // namespace edigate::edifact::detail

namespace edigate::edifact {

std::string_view service_table_text(int syntax_version) noexcept {
    switch (syntax_version) {
    case 1: return detail::service_v1;
    case 2: return detail::service_v2;
    case 3: return detail::service_v3;
    case 4: return detail::service_v4;
    default: return {};
    }
}

}  // namespace edigate::edifact
