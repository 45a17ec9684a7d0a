// service_directory.cpp - directory::service(v) and catalog::service(v): the ISO 9735 service directory of a syntax version.
//
// Built from the service tables the edifact library embeds (edifact::service_table_text): the
// service segments (UNB..UNS, UCI..UCF) with their composites and elements, and the CONTRL segment
// table (M lines). Syntax versions 1 and 2 define no CONTRL structure in the sources, so they use
// version 3's, under the S009 CONTRL:2:2:UN that syntax 1/2 interchanges carry (EANCOM 2000 and
// Ediel use it; see ack/contrl.hpp). The tables are generated and compiled in: a line that cannot
// be read is a build defect and raises directory_error.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/directory/catalog.hpp"
#include "edigate/edifact/service_tables.hpp"

namespace edigate::directory {

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i)
        if (i == line.size() || line[i] == '\t') {
            out.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

template <class T>
T to_number(std::string_view s, std::string_view line) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        throw directory_error("edigate: bad number in the embedded service table: " + std::string(line));
    return v;
}

struct table_row {
    unsigned depth = 0;
    structure_entry entry;
};

// Rows [i, end) at `depth` and their nested content become entries; i ends after them.
std::vector<structure_entry> nest(const std::vector<table_row>& rows, std::size_t& i, unsigned depth) {
    std::vector<structure_entry> out;
    while (i < rows.size() && rows[i].depth == depth) {
        structure_entry e = rows[i++].entry;
        if (e.is_group()) {
            e.children = nest(rows, i, depth + 1);
            if (e.children.empty())
                throw directory_error("edigate: segment group SG" + std::to_string(e.group) + " of the embedded CONTRL table is empty");
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

std::unique_ptr<directory> directory::service(int syntax_version) {
    const int table = syntax_version >= 4 ? 4 : 3;
    std::string_view text = edifact::service_table_text(table);
    std::unique_ptr<directory> d(new directory());
    d->id_ = "ISO9735V" + std::to_string(syntax_version >= 1 && syntax_version <= 4 ? syntax_version : table);

    auto message = std::make_unique<message_def>();
    std::vector<table_row> rows;
    segment_def* seg = nullptr;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line[0] == '#') continue;
        auto f = split_tabs(line);
        if (f[0] == "S" && f.size() >= 3) {
            auto& s = d->segments_[std::string(f[1])];
            s.tag = f[1];
            s.name = f[2];
            seg = &s;
        } else if (f[0] == "E" && f.size() >= 7 && seg) {
            element_use e;
            e.position = f[1];
            e.code = f[2];
            e.mandatory = f[3] == "M";
            e.repeat = to_number<unsigned>(f[4], line);
            e.composite = f[5] == "-";
            e.name = f[6];
            if (e.composite) {
                d->composites_[e.code] = composite_def{e.code, e.name, {}};
            } else {
                e.format = repr::parse(f[5]);
                d->elements_.try_emplace(e.code, element_def{e.code, e.name, e.format});
            }
            seg->elements.push_back(std::move(e));
        } else if (f[0] == "C" && f.size() >= 6 && seg && !seg->elements.empty() && seg->elements.back().composite) {
            auto& owner = seg->elements.back();
            component_use c{std::string(f[2]), std::string(f[5]), f[3] == "M", repr::parse(f[4])};
            d->elements_.try_emplace(c.code, element_def{c.code, c.name, c.format});
            owner.components.push_back(c);
            auto& comp = d->composites_[owner.code];
            if (comp.components.size() < owner.components.size()) comp.components.push_back(std::move(c));
        } else if (f[0] == "M" && f.size() >= 8) {
            if (message->type.empty()) {
                // CONTRL:D:3:UN -> S009 parts
                std::string_view id = f[1];
                std::vector<std::string> parts;
                for (std::size_t start = 0;;) {
                    auto colon = id.find(':', start);
                    parts.emplace_back(id.substr(start, colon == std::string_view::npos ? colon : colon - start));
                    if (colon == std::string_view::npos) break;
                    start = colon + 1;
                }
                parts.resize(4);
                message->type = parts[0];
                message->version = parts[1];
                message->release = parts[2];
                message->agency = parts[3];
            }
            if (f[2] == "-") {
                message->name = f[7];
                continue;
            }
            table_row r;
            r.depth = to_number<unsigned>(f[6], line);
            r.entry.position = f[2];
            r.entry.name = f[7];
            r.entry.mandatory = f[4] == "M";
            r.entry.max_repeat = to_number<std::uint32_t>(f[5], line);
            if (f[3].substr(0, 2) == "SG") r.entry.group = to_number<unsigned>(f[3].substr(2), line);
            else r.entry.tag = f[3];
            rows.push_back(std::move(r));
        } else {
            throw directory_error("edigate: malformed line in the embedded service table: " + std::string(line));
        }
    }
    std::size_t i = 0;
    message->body = nest(rows, i, 0);
    if (message->body.empty() || i != rows.size())
        throw directory_error("edigate: the embedded service table of syntax version " + std::to_string(table) +
                              " has no readable CONTRL structure");
    if (syntax_version >= 1 && syntax_version <= 2) {
        // CONTRL answering a syntax 1/2 interchange is identified as version 2, release 2.
        message->version = "2";
        message->release = "2";
    }
    message->source = "edifact/syntax/service-v" + std::to_string(table) + ".tsv";
    d->link();
    d->index_structure(message->body);
    d->messages_.emplace(message->type, std::move(message));
    return d;
}

const directory& catalog::service(int syntax_version) {
    int key = syntax_version >= 1 && syntax_version <= 4 ? syntax_version : 3;  // unreadable versions are answered in 3
    std::lock_guard lock(mutex_);
    auto& slot = service_[key];
    if (!slot) slot = directory::service(key);
    return *slot;
}

}  // namespace edigate::directory
