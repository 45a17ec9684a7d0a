// schemas.cpp - `edigate schemas`: the XML schemas edigate finds, with the roots that select them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"

namespace edigate::cli {

void add_schemas(CLI::App& app, int& exit) {
    struct args {
        std::vector<std::string> dirs;
        bool json = false;
    };
    auto a = std::make_shared<args>();
    auto* cmd = app.add_subcommand("schemas", "list the installed XML schemas: name, target namespace, root elements, file");
    cmd->add_option("--schema-dir", a->dirs, "also index the schemas in this folder (listed first; repeatable)")->type_name("DIR")->allow_extra_args(false);
    cmd->add_flag("--json", a->json, "JSON output");
    cmd->footer("Schemas are found in --schema-dir, $EDIGATE_SCHEMAS (colon-separated), the install's share/edigate/xsd and the "
                "source tree's xsd/.\nExit codes: 0 listed, 2 usage error.");
    cmd->callback([a, &exit] {
        std::vector<std::filesystem::path> roots(a->dirs.begin(), a->dirs.end());
        for (auto& d : xml::schema_catalog::default_roots()) roots.push_back(std::move(d));
        xml::schema_catalog catalog(roots);
        if (a->json) {
            nlohmann::ordered_json j;
            j["schemas"] = nlohmann::ordered_json::array();
            for (const auto& e : catalog.entries())
                j["schemas"].push_back({{"name", e.name}, {"namespace", e.target_namespace}, {"elements", e.elements}, {"file", e.file.string()}});
            j["skipped"] = nlohmann::ordered_json::array();
            for (const auto& [f, why] : catalog.skipped()) j["skipped"].push_back({{"file", f.string()}, {"reason", why}});
            fmt::print("{}\n", json_text(j));
        } else {
            for (const auto& e : catalog.entries())
                fmt::print("{}\n  namespace {}\n  roots     {}\n  file      {}\n", e.name,
                           e.target_namespace.empty() ? "(none)" : e.target_namespace,
                           e.elements.empty() ? "(none: types only)" : fmt::format("{}", fmt::join(e.elements, " ")), e.file.string());
            for (const auto& [f, why] : catalog.skipped()) fmt::print("skipped {}: {}\n", f.string(), why);
            if (catalog.entries().empty()) fmt::print("no schemas found\n");
        }
        exit = exit_ok;
    });
}

}  // namespace edigate::cli
