// profiles.cpp - partner tolerance profiles: named, versioned settings in a TOML file.
//
//   [partner.COSCO]
//   version = 3                                # recorded with the name: "COSCO v3"
//   description = "lower case under UNOA since 2019"
//   downgrade = ["EDI-C002", "EDI-D014"]       # these errors become warnings, each one marked
//   code_lists = true                          # false: no UNCL code list checks
//   charset_override = "GB18030"               # optional, as --charset-override
//   delimiters = ":+.? \n"                     # optional, as --delimiters
//   [partner.COSCO.envelope]                   # optional: the interchanges we write to it (APERAK, CUSRES)
//   id = "COSCOLYG"                            #   its UNB identification, and qualifier (0007)
//   qualifier = "ZZZ"
//   our_id = "CNLYGEPORT"                      #   ours towards it, and qualifier
//   our_qualifier = "ZZZ"
//   charset = "UNOW"                           #   UNOA..UNOY (UNOW/UNOX/UNOY write syntax 4)
//   separators = ":+.? '"                      #   as delimiters; una = "always" | "never"
//   newlines = false                           #   all segments on one line
// Mapping variables given for a run ($edi_sender, $edi_recipient, $edi_charset) win over the envelope.
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
    if (const auto* e = (*p)["envelope"].as_table()) {
        auto bad = [&](std::string_view key, std::string_view what) {
            return CLI::ValidationError("--profile", fmt::format("{}: [partner.{}.envelope] {}: {}", profiles_file, profile, key, what));
        };
        for (const auto& [k, v] : *e) {
            std::string key(k.str());
            if (key == "newlines") {
                if (!v.is_boolean()) throw bad(key, "true or false");
                envelope.newlines = v.as_boolean()->get();
                continue;
            }
            std::string* field = key == "id" ? &envelope.id : key == "qualifier" ? &envelope.qualifier : key == "our_id" ? &envelope.our_id
                               : key == "our_qualifier" ? &envelope.our_qualifier : key == "charset" ? &envelope.charset
                               : key == "separators" ? &envelope.separators : key == "una" ? &envelope.una : nullptr;
            if (!field) throw bad(key, "not a setting (id, qualifier, our_id, our_qualifier, charset, separators, una, newlines)");
            if (!v.is_string()) throw bad(key, "must be a string");
            *field = v.as_string()->get();
        }
        if (!envelope.charset.empty() && !edifact::charset_from_name(envelope.charset)) throw bad("charset", "unknown character set " + envelope.charset);
        if (!envelope.separators.empty()) (void)parse_delimiters(envelope.separators, fmt::format("{}: [partner.{}.envelope] separators", profiles_file, profile));
        if (!envelope.una.empty() && envelope.una != "always" && envelope.una != "never") throw bad("una", "\"always\" or \"never\"");
    }
    profile = fmt::format("{} v{}", profile, *version);
}

}  // namespace edigate::cli
