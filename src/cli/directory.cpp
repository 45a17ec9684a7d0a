// directory.cpp - `edigate directory list|show`: what edigate believes the installed directories say.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "edigate/directory/catalog.hpp"
#include "edigate/directory/render.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

json entries_json(const std::vector<directory::structure_entry>& entries) {
    json out = json::array();
    for (const auto& e : entries) {
        json j{{"position", e.position}};
        if (e.is_group()) j["group"] = fmt::format("SG{}", e.group);
        else j["tag"] = e.tag, j["name"] = e.name;
        j["status"] = e.mandatory ? "M" : "C";
        j["repeat"] = e.max_repeat;
        if (e.is_group()) j["content"] = entries_json(e.children);
        out.push_back(std::move(j));
    }
    return out;
}

json segment_json(const directory::segment_def& s) {
    json elements = json::array();
    for (const auto& e : s.elements) {
        json j{{"position", e.position}, {"code", e.code}, {"name", e.name}, {"status", e.mandatory ? "M" : "C"}, {"repeat", e.repeat}};
        if (e.composite) {
            json comps = json::array();
            for (const auto& c : e.components)
                comps.push_back({{"code", c.code}, {"name", c.name}, {"status", c.mandatory ? "M" : "C"}, {"format", c.format.text}});
            j["components"] = std::move(comps);
        } else {
            j["format"] = e.format.text;
        }
        elements.push_back(std::move(j));
    }
    return json{{"tag", s.tag}, {"name", s.name}, {"elements", std::move(elements)}};
}

}  // namespace

void add_directory(CLI::App& app, int& exit) {
    auto* cmd = app.add_subcommand("directory", "show the installed UN/EDIFACT directories and what edigate reads from them");
    cmd->require_subcommand(1);
    cmd->footer("Directories are folders named after their version (D96A) under edifact/directories/ or a folder in\n"
                "$EDIGATE_DIRECTORIES (colon-separated), holding the UNECE files as published.");

    auto list_json = std::make_shared<bool>(false);
    auto* list = cmd->add_subcommand("list", "installed directory versions and where they are");
    list->add_flag("--json", *list_json, "JSON output");
    list->callback([list_json, &exit] {
        directory::catalog cat(directory::catalog::default_roots());
        json out = json::array();
        for (const auto& id : cat.installed()) {
            const auto* d = cat.find(id);
            if (*list_json)
                out.push_back({{"version", id}, {"folder", d->folder().string()}, {"messages", d->message_types().size()},
                               {"segments", d->segment_count()}, {"code_lists", d->code_list_count()}});
            else
                fmt::print("{}  {:>3} messages  {:>3} segments  {:>4} code lists  {}\n", id, d->message_types().size(), d->segment_count(),
                           d->code_list_count(), d->folder().string());
        }
        if (*list_json) fmt::print("{}\n", json_text(out));
        exit = exit_ok;
    });

    struct show_args {
        std::string what, version;
        bool json = false;
    };
    auto args = std::make_shared<show_args>();
    auto* show = cmd->add_subcommand("show", "a message structure (CUSCAR), segment (NAD) or code list (1225) of one directory");
    show->add_option("NAME", args->what, "message type, segment tag or data element code")->required();
    show->add_option("VERSION", args->version, "directory version, e.g. D96A")->required();
    show->add_flag("--json", args->json, "JSON output");
    show->callback([args, &exit] {
        directory::catalog cat(directory::catalog::default_roots());
        const auto* d = cat.find(args->version);
        if (!d) {
            std::string ids;
            for (const auto& i : cat.installed()) ids += " " + i;
            fmt::print(stderr, "edigate: directory {} is not installed; installed:{}\n", args->version, ids.empty() ? " none" : ids);
            exit = exit_usage;
            return;
        }
        if (const auto* m = args->what.size() == 6 ? d->message(args->what) : nullptr) {
            if (args->json)
                fmt::print("{}\n", json_text(json{{"message", m->type}, {"directory", d->id()}, {"name", m->name}, {"structure", entries_json(m->body)}}));
            else
                fmt::print("{}", directory::render_message(*m, *d));
        } else if (const auto* s = args->what.size() == 3 ? d->segment(args->what) : nullptr) {
            if (args->json) fmt::print("{}\n", json_text(segment_json(*s)));
            else fmt::print("{}", directory::render_segment(*s, *d));
        } else if (const auto* l = d->codes(args->what)) {
            if (args->json) {
                json codes = json::object();
                for (const auto& [k, v] : l->codes()) codes[k] = v;
                fmt::print("{}\n", json_text(json{{"element", l->element}, {"directory", d->id()}, {"codes", std::move(codes)}}));
            } else {
                fmt::print("{}", directory::render_code_list(*l, *d));
            }
        } else {
            fmt::print(stderr, "edigate: {} has no message, segment or code list '{}'\n", d->id(), args->what);
            exit = exit_usage;
            return;
        }
        exit = exit_ok;
    });
}

}  // namespace edigate::cli
