// validate.cpp - `edigate validate FILE...`: syntax, envelope and directory checks with a human or JSON report.
//
// The JSON report is written while the file is read (interchanges and messages as they complete),
// so its memory stays flat for huge files; only the capped findings are held until the end, when
// their line and column numbers are computed.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "edigate/edifact/reader.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

class validate_handler final : public edifact::handler {
public:
    validate_handler(bool json_mode, std::size_t cap, progress_meter& p, directory::validator* v)
        : json_(json_mode), sink_(cap), progress_(p), validator_(v) {}

    void interchange_begin(const edifact::interchange_header& h) override {
        header_ = h;
        messages_in_ich_ = 0;
        lines_.clear();
        if (json_) {
            json j;
            j["index"] = h.index;
            j["has_unb"] = h.has_unb;
            j["syntax_identifier"] = h.syntax_identifier;
            j["syntax_version"] = h.syntax_version;
            j["charset"] = std::string(edifact::identifier(h.decoding));
            j["separators"] = h.delims.una_string();
            j["has_una"] = h.has_una;
            j["sender"] = h.sender;
            j["sender_qualifier"] = h.sender_qualifier;
            j["recipient"] = h.recipient;
            j["recipient_qualifier"] = h.recipient_qualifier;
            j["date"] = h.date;
            j["time"] = h.time;
            j["control_reference"] = h.control_reference;
            j["test"] = h.test_indicator;
            std::string s = json_text(j);
            s.pop_back();  // reopen the object to stream the messages into it
            fmt::print("{}{},\"messages\":[", first_ich_ ? "" : ",", s);
            first_ich_ = false;
        }
    }
    // The directory checks stream along with the reader: no message is kept (see run_validate).
    void message_begin(const edifact::message& m) override {
        if (validator_) validator_->begin(m, header_, [this](core::diagnostic d) { sink_.add(std::move(d)); });
    }
    void segment(const edifact::segment& s) override { validator_->segment(s); }
    bool plain_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number) override {
        return validator_->plain(raw, byte, number);
    }
    void message_end(const edifact::message& m) override {
        ++messages_in_ich_;
        directory::message_verdict verdict;
        if (validator_) verdict = validator_->end(m);
        std::uint32_t errors = m.errors + verdict.errors;
        ich_errors_ += verdict.errors;
        bool ok = errors == 0 && m.has_trailer;
        std::string checked = !validator_ ? "syntax only" : verdict.definition ? "directory " + verdict.directory : "no directory";
        if (json_) {
            json j;
            j["index"] = m.index;
            j["group"] = m.group;
            j["reference"] = m.header.reference;
            j["type"] = m.header.type;
            j["version"] = m.header.version;
            j["release"] = m.header.release;
            j["agency"] = m.header.agency;
            j["association"] = m.header.association;
            j["segment_count"] = m.segment_count;
            j["declared_count"] = m.declared_count;
            j["byte"] = m.byte;
            j["checked"] = checked;
            j["status"] = ok ? "valid" : "invalid";
            j["errors"] = errors;
            fmt::print("{}{}", messages_in_ich_ == 1 ? "" : ",", json_text(j));
        } else if (lines_.size() < 100) {
            lines_.push_back(fmt::format("    message {} '{}' {}:{}:{}:{}{}: {} segments, {} ({})", m.index, m.header.reference,
                                         m.header.type, m.header.version, m.header.release, m.header.agency,
                                         m.header.association.empty() ? "" : ":" + m.header.association, m.segment_count,
                                         ok ? "valid" : fmt::format("{} error{}", errors, errors == 1 ? "" : "s"), checked));
        }
    }
    void interchange_end(const edifact::interchange_trailer& trailer) override {
        auto t = trailer;
        t.errors += ich_errors_;
        ich_errors_ = 0;
        if (json_) {
            fmt::print("],\"message_count\":{},\"group_count\":{},\"closed\":{},\"errors\":{},\"status\":\"{}\"}}", t.messages,
                       t.groups, t.has_trailer ? "true" : "false", t.errors, t.errors ? "invalid" : "valid");
            return;
        }
        std::string head = header_.has_unb
            ? fmt::format("  interchange {} '{}' {}:{} {} -> {}", t.index, header_.control_reference, header_.syntax_identifier,
                          header_.syntax_version, header_.sender, header_.recipient)
            : fmt::format("  interchange {} (no UNB: message-level input)", t.index);
        summary_.push_back(fmt::format("{}: {} message{}{}, {}", head, t.messages, t.messages == 1 ? "" : "s",
                                       t.groups ? fmt::format(" in {} group{}", t.groups, t.groups == 1 ? "" : "s") : "",
                                       t.errors ? fmt::format("{} error{}", t.errors, t.errors == 1 ? "" : "s") : "valid"));
        for (auto& l : lines_) summary_.push_back(std::move(l));
        if (t.messages > lines_.size() && lines_.size() == 100)
            summary_.push_back(fmt::format("    ... {} more messages", t.messages - 100));
        lines_.clear();
    }
    void finding(const core::diagnostic& d) override { sink_.add(d); }
    void progress(std::uint64_t bytes) override { progress_.update(bytes); }

    bool json_;
    core::diagnostic_sink sink_;
    progress_meter& progress_;
    directory::validator* validator_;
    std::uint32_t ich_errors_ = 0;
    edifact::interchange_header header_;
    std::uint32_t messages_in_ich_ = 0;
    bool first_ich_ = true;
    std::vector<std::string> lines_, summary_;
};

struct validate_args {
    std::vector<std::string> files;
    bool json = false;
    bool quiet = false;
    reading_options reading;
    xml_reading xml;
};

int run_validate(validate_args a) {
    a.reading.resolve();
    auto options = a.reading.make(false);
    options.stream_segments = !a.reading.syntax_only;
    edifact::reader reader(options);
    directory::catalog dirs(directory::catalog::default_roots());
    directory::validator checker(dirs, a.reading.make_validation());
    directory::validator* v = a.reading.syntax_only ? nullptr : &checker;
    std::optional<xml_checker> xml_files;  // set up when the first XML file comes
    std::size_t valid = 0, invalid = 0, failed = 0;
    std::uint64_t errors = 0, warnings = 0;
    if (!a.xml.schemas.empty()) xml_files.emplace(a.xml, a.reading);  // a bad --schema is a usage error before any output
    if (a.json) fmt::print("{{\"files\":[");
    for (std::size_t i = 0; i < a.files.size(); ++i) {
        input_file in(a.files[i]);
        if (a.json) fmt::print("{}{{\"file\":{}", i ? "," : "", json_text(json(in.display())));
        if (!in.ok()) {
            ++failed;
            if (a.json) fmt::print(",\"status\":\"unreadable\",\"error\":{}}}", json_text(json(in.error())));
            else fmt::print(stderr, "error: {}\n", in.error());
            continue;
        }
        if (sniff(in.path()) == input_kind::xml) {
            if (!xml_files) xml_files.emplace(a.xml, a.reading);
            auto verdict = xml_files->check(in, a.json, a.quiet);
            errors += verdict.errors;
            warnings += verdict.warnings;
            ++(verdict.errors ? invalid : valid);
            continue;
        }
        progress_meter meter(in.display(), in.size());
        validate_handler h(a.json, a.reading.max_findings, meter, v);
        if (a.json) fmt::print(",\"type\":\"edifact\",\"bytes\":{},\"interchanges\":[", in.size());
        bool readable = true;
        auto stats = reader.read_file(in.path(), h, &readable);
        core::line_locator lines;
        if (!h.sink_.items().empty()) lines = in.lines();
        errors += h.sink_.errors();
        warnings += h.sink_.warnings();
        bool ok = readable && h.sink_.errors() == 0;
        if (!readable) ++failed;
        else if (ok) ++valid;
        else ++invalid;
        std::string status = !readable ? "unreadable" : ok ? "valid" : "invalid";
        if (a.json) {
            fmt::print("],\"diagnostics\":[");
            for (std::size_t k = 0; k < h.sink_.items().size(); ++k)
                fmt::print("{}{}", k ? "," : "", json_text(diagnostic_json(h.sink_.items()[k], &lines)));
            fmt::print("],\"diagnostics_truncated\":{},\"messages\":{},\"segments\":{},\"errors\":{},\"warnings\":{},\"status\":\"{}\"}}",
                       h.sink_.truncated() ? "true" : "false", stats.messages, stats.segments, h.sink_.errors(),
                       h.sink_.warnings(), status);
            continue;
        }
        if (!a.quiet) {
            fmt::print("{}\n", in.display());
            for (const auto& l : h.summary_) fmt::print("{}\n", l);
        }
        for (const auto& d : h.sink_.items())
            if (!a.quiet || d.level == core::severity::error) fmt::print("{}\n", render(d, in.display(), &lines));
        if (h.sink_.truncated())
            fmt::print("note: {}: {} more findings not shown (--max-findings {})\n", in.display(),
                       h.sink_.total() - h.sink_.items().size(), a.reading.max_findings);
        fmt::print("{}: {} ({} error{}, {} warning{})\n", in.display(), status, h.sink_.errors(), h.sink_.errors() == 1 ? "" : "s",
                   h.sink_.warnings(), h.sink_.warnings() == 1 ? "" : "s");
    }
    if (a.json)
        fmt::print("],\"summary\":{{\"files\":{},\"valid\":{},\"invalid\":{},\"unreadable\":{},\"errors\":{},\"warnings\":{}}}}}\n",
                   a.files.size(), valid, invalid, failed, errors, warnings);
    else if (a.files.size() > 1)
        fmt::print("{} files: {} valid, {} invalid, {} unreadable\n", a.files.size(), valid, invalid, failed);
    std::fflush(stdout);
    if (failed) return exit_failure;
    return invalid ? exit_invalid : exit_ok;
}

}  // namespace

void add_validate(CLI::App& app, int& exit) {
    auto a = std::make_shared<validate_args>();
    auto* cmd = app.add_subcommand("validate",
                                   "check EDIFACT files (syntax, envelopes, control counts, character sets, each message against "
                                   "its UN directory) and XML files (well-formedness, bounds, their XML schema)");
    cmd->add_option("files", a->files, "EDIFACT or XML files to check (told apart by content); - reads standard input")->required();
    cmd->add_flag("--json", a->json, "write a machine-readable JSON report on standard output");
    cmd->add_flag("-q,--quiet", a->quiet, "print only errors and the one-line verdict per file");
    a->reading.add_to(*cmd);
    a->xml.add_to(*cmd);
    cmd->footer("Exit codes: 0 all inputs valid, 1 some input has errors, 2 usage error, 3 I/O or internal failure.");
    cmd->callback([a, &exit] { exit = run_validate(*a); });
}

}  // namespace edigate::cli
