// profiles.cpp - partner tolerance profiles: named, versioned settings in a TOML file.
//
//   [partner.COSCO]
//   version = 3                                # recorded with the name: "COSCO v3"
//   description = "lower case under UNOA since 2019"
//   downgrade = ["EDI-C002", "EDI-D014"]       # these errors become warnings, each one marked
//   code_lists = true                          # false: no UNCL code list checks
//   charset_override = "GB18030"               # optional, as --charset-override
//   delimiters = ":+.? \n"                     # optional, as --delimiters
//
// Flags on the command line add to the profile (downgrades) or win over it (charset, delimiters).
#include <fmt/format.h>

#include <cstdlib>
#include <toml++/toml.h>

#include "commands.hpp"

namespace edigate::cli {

void reading_options::resolve() {
    if (profiles_file.empty())
        if (const char* env = std::getenv("EDIGATE_PROFILES")) profiles_file = env;
    if (profiles_file.empty() || profile.empty()) return;
    toml::table file;
    try {
        file = toml::parse_file(profiles_file);
    } catch (const toml::parse_error& e) {
        throw CLI::ValidationError("--profiles", fmt::format("{}:{}:{}: {}", profiles_file, e.source().begin.line,
                                                             e.source().begin.column, e.description()));
    }
    const auto* partners = file["partner"].as_table();
    const auto* p = partners ? (*partners)[profile].as_table() : nullptr;
    if (!p) {
        std::string names;
        if (partners)
            for (const auto& [k, v] : *partners) names += fmt::format("{}{}", names.empty() ? "" : ", ", k.str());
        throw CLI::ValidationError("--profile", fmt::format("no profile [partner.{}] in {} (profiles: {})", profile, profiles_file,
                                                            names.empty() ? "none" : names));
    }
    auto version = (*p)["version"].value<std::int64_t>();
    if (!version) throw CLI::ValidationError("--profile", fmt::format("{}: [partner.{}] needs an integer version", profiles_file, profile));
    if (const auto* list = (*p)["downgrade"].as_array()) {
        for (const auto& item : *list) {
            auto code = item.value<std::string>();
            if (!code) throw CLI::ValidationError("--profile", fmt::format("{}: [partner.{}] downgrade must list code strings", profiles_file, profile));
            downgrade.push_back(*code);
        }
    }
    if (auto cl = (*p)["code_lists"].value<bool>(); cl && !*cl) no_code_lists = true;
    if (charset_override.empty()) charset_override = (*p)["charset_override"].value_or(std::string());
    if (delimiters.empty()) delimiters = (*p)["delimiters"].value_or(std::string());
    profile = fmt::format("{} v{}", profile, *version);
}

}  // namespace edigate::cli
