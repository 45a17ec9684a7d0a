// commands.hpp - the CLI's subcommands and what they share (input handling, rendering, exit codes).
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/line_locator.hpp"
#include "edigate/directory/validator.hpp"
#include "edigate/edifact/reader.hpp"
#include "edigate/tracking/store.hpp"
#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"

namespace edigate::cli {

/// Stable exit codes of every command.
enum exit_code : int {
    exit_ok = 0,       ///< all inputs valid / command done
    exit_invalid = 1,  ///< some input has errors
    exit_usage = 2,    ///< bad arguments
    exit_failure = 3,  ///< I/O or internal failure
};

/// Reader and validator settings every reading command accepts: a partner's tolerance, from a
/// named profile in a profiles file (TOML) and/or from flags, which add to the profile.
struct reading_options {
    std::string charset_override;
    std::string delimiters;
    std::string profile;
    std::string profiles_file;
    std::vector<std::string> downgrade;
    std::size_t max_findings = 1000;
    bool syntax_only = false;
    bool no_code_lists = false;
    /// What the partner's profile says about the interchanges we write to it ([partner.NAME.envelope]):
    /// EDIFACT outputs take it where the mapping's variables ($edi_sender ...) leave a value open.
    struct envelope {
        std::string id, qualifier;          ///< the partner's UNB identification and its code qualifier (0007)
        std::string our_id, our_qualifier;  ///< ours towards it
        std::string charset;                ///< UNOA..UNOY
        std::string separators;             ///< six characters as --delimiters (component, element, decimal, release, repetition, terminator)
        std::string una;                    ///< "always", "never" or "" (when the separators are not the default)
        std::optional<bool> newlines;       ///< one segment per line (default) or one line
    } envelope;

    void add_to(CLI::App& cmd);
    /// Loads the named profile (when a profiles file is given) and folds it into these options;
    /// an unknown profile or a bad file throws CLI::ValidationError. Call once, before make().
    void resolve();
    /// Builds reader options; a bad value throws CLI::ValidationError.
    edifact::reader_options make(bool keep_segments) const;
    directory::validation_options make_validation() const;
};

/// Six separator characters as --delimiters takes them (component, element, decimal, release,
/// repetition, terminator; "\n" and "\xNN" escapes; a space for no release character or no
/// repetition separator). A bad value throws CLI::ValidationError naming `option`.
edifact::delimiters parse_delimiters(const std::string& text, const std::string& option);

/// An input named on the command line; "-" is standard input, spooled to a temporary file so that
/// it can be read twice (once to parse, once to compute line numbers for the report).
class input_file {
public:
    explicit input_file(const std::string& name);
    ~input_file();
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;
    const std::string& display() const { return display_; }
    const std::filesystem::path& path() const { return path_; }
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    std::uint64_t size() const { return size_; }
    core::line_locator lines() const;

private:
    std::string display_;
    std::filesystem::path path_;
    bool temporary_ = false;
    std::string error_;
    std::uint64_t size_ = 0;
};

enum class input_kind { edifact, xml };
/// What a file holds, from its first bytes (never from its name): XML starts with '<' after an
/// optional BOM and white space, or is UTF-16; anything else is read as EDIFACT.
input_kind sniff(const std::filesystem::path& file);
/// The same from the first bytes of a file.
input_kind sniff_text(std::string_view head);

/// Progress on stderr while a long file is read, only when stderr is a terminal.
class progress_meter {
public:
    progress_meter(std::string label, std::uint64_t total);
    ~progress_meter();
    void update(std::uint64_t bytes);
    /// Erases the line (before other output on the terminal); the next update draws it again.
    void clear();

private:
    std::string label_;
    std::uint64_t total_;
    bool enabled_;
    double start_ = 0, last_ = 0;
    bool drawn_ = false;
};

/// "error: file:3:17: interchange 1, message 2, segment 14 DTM, element 1, component 2 (byte 412): text [EDI-V041]"
std::string render(const core::diagnostic& d, const std::string& file, const core::line_locator* lines);
/// The location part only: "interchange 1, message 2, segment 14 DTM, element 1, component 2"
std::string render_where(const core::position& p);
/// One finding as a JSON object (line and column from `lines` when the finding has none).
nlohmann::ordered_json diagnostic_json(const core::diagnostic& d, const core::line_locator* lines);
/// Compact JSON text; invalid UTF-8 inside strings becomes U+FFFD instead of an exception.
inline std::string json_text(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// Settings for XML inputs of reading commands.
struct xml_reading {
    std::vector<std::string> schemas;      ///< --schema NAME|PATH (repeatable: loaded together)
    std::vector<std::string> schema_dirs;  ///< --schema-dir DIR, searched before the installed schemas
    std::uint64_t max_bytes = 4ull << 30;

    void add_to(CLI::App& cmd);
};

struct xml_verdict {
    std::uint64_t errors = 0, warnings = 0;
};

/// Validates XML files, printing the same report as for EDIFACT (human or one JSON file object's
/// members after "file"). Resolves --schema once; an unknown name throws CLI::ValidationError.
class xml_checker {
public:
    xml_checker(const xml_reading& r, const reading_options& ro);
    xml_verdict check(const input_file& in, bool json, bool quiet);

    /// What reading one file needs: its root element, the schema it selects (or --schema names),
    /// and read options carrying both; problems go to `sink` (readable = false: do not read on).
    struct selection {
        bool readable = true;
        std::string root = "unknown", schema_name = "none";
        std::vector<std::string> schema_files;
        xml::read_options options;
    };
    selection select(const input_file& in, core::diagnostic_sink& sink) const;

private:
    const xml_reading& options_;
    const reading_options& reading_;
    xml::schema_catalog catalog_;
    std::vector<std::filesystem::path> explicit_files_;
    std::shared_ptr<const xml::grammar_set> explicit_;
    core::diagnostic schema_problem_;
};

/// A route's mappings applied to one file after another, outputs published into one folder: what
/// `edigate translate --route` does, for the batch job (`edigate run`).
class route_translator {
public:
    struct outcome {
        bool readable = true, ok = false;
        std::vector<std::string> outputs;            ///< "mapping status [path]" per output
        std::vector<std::string> written;            ///< paths of the outputs published
        std::vector<std::string> agencies;           ///< for each of them, the agency its mapping is filed under
        std::vector<core::diagnostic> findings;
        std::vector<tracking::interchange_record> interchanges;  ///< EDIFACT: what was read, each message's outputs
        bool io_failed = false;  ///< an output could not be written (disk full...): not the input's fault, try again later
    };
    /// Loads the route's mappings; a bad route or mapping throws CLI::ValidationError. An EDIFACT
    /// message over max_message_mb is checked for syntax only (EDI-M007), as translate's --max-message-mb.
    route_translator(const std::string& route, const std::filesystem::path& out, const std::vector<std::string>& sets,
                     const reading_options& reading, std::uint64_t max_message_mb);
    ~route_translator();
    /// Outputs are written and renamed without an fsync each; the caller makes a whole batch
    /// durable with one syncfs before it records them (group commit).
    void sync_outputs_later();
    /// `now`: the sending time the mappings see ($now, yyyyMMddHHmmssSSS); empty: the current time.
    /// The gateway passes the time it claimed the file, so that a redo writes the same bytes.
    outcome process(const std::filesystem::path& file, const std::string& now = {});

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

void add_validate(CLI::App& app, int& exit);
void add_schemas(CLI::App& app, int& exit);
void add_translate(CLI::App& app, int& exit);
void add_diff(CLI::App& app, int& exit);
void add_run(CLI::App& app, int& exit);
void add_parse(CLI::App& app, int& exit);
void add_codes(CLI::App& app, int& exit);
void add_directory(CLI::App& app, int& exit);
void add_ack(CLI::App& app, int& exit);

}  // namespace edigate::cli
