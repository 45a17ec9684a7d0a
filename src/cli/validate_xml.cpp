// validate_xml.cpp - `edigate validate` for XML inputs: well-formedness, bounds, and the schema
// found by the root element (or named with --schema), with the same report and exit codes as
// for EDIFACT. The document is streamed: no tree is built, memory stays flat in the file size.
#include <fmt/format.h>

#include "commands.hpp"
#include "edigate/xml/codes.hpp"
#include "edigate/xml/reader.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

struct sink_handler final : xml::document_handler {
    sink_handler(core::diagnostic_sink& s, progress_meter& p) : sink(s), meter(p) {}
    void finding(const core::diagnostic& d) override { sink.add(d); }
    void progress(std::uint64_t bytes) override { meter.update(bytes); }
    core::diagnostic_sink& sink;
    progress_meter& meter;
};

core::diagnostic finding(xml::code c, std::string text) {
    core::diagnostic d;
    d.code = std::string(xml::info(c).name);
    d.level = xml::info(c).level;
    d.text = std::move(text);
    return d;
}

std::string clark(const std::string& ns, const std::string& name) { return ns.empty() ? name : "{" + ns + "}" + name; }

}  // namespace

void xml_reading::add_to(CLI::App& cmd) {
    cmd.add_option("--schema", schemas,
                   "XML: validate against this schema instead of the one the root element selects: an installed name "
                   "(see `edigate schemas`) or an .xsd path; repeat to load several files together")
        ->type_name("NAME|PATH")
        ->allow_extra_args(false);
    cmd.add_option("--schema-dir", schema_dirs, "XML: also index the schemas in this folder (searched first; repeatable)")
        ->type_name("DIR")->allow_extra_args(false);
    cmd.add_option("--max-bytes", max_bytes, "XML: refuse documents larger than this many bytes")->capture_default_str();
}

xml_checker::xml_checker(const xml_reading& r, const reading_options& ro) : options_(r), reading_(ro), catalog_([&] {
    std::vector<std::filesystem::path> roots(r.schema_dirs.begin(), r.schema_dirs.end());
    for (auto& d : xml::schema_catalog::default_roots()) roots.push_back(std::move(d));
    return roots;
}()) {
    if (r.schemas.empty()) return;
    for (const auto& s : r.schemas) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(s, ec)) explicit_files_.emplace_back(s);
        else if (const auto* e = catalog_.named(s)) explicit_files_.push_back(e->file);
        else throw CLI::ValidationError("--schema", fmt::format("'{}' is neither a file nor an installed schema (see `edigate schemas`)", s));
    }
    core::diagnostic problem;
    // One installed name brings its companions; explicit files are loaded exactly as given.
    const auto* named = r.schemas.size() == 1 ? catalog_.named(r.schemas[0]) : nullptr;
    explicit_ = named ? catalog_.grammars(*named, problem) : catalog_.load(explicit_files_, problem);
    if (!explicit_) schema_problem_ = problem;
}

xml_checker::selection xml_checker::select(const input_file& in, core::diagnostic_sink& sink) const {
    selection out;
    out.options.bounds.max_bytes = options_.max_bytes;
    out.options.encoding = reading_.charset_override;
    core::diagnostic problem;
    auto peeked = xml::peek_root(in.path(), problem, out.options);
    if (!peeked) {
        sink.add(problem);
        out.readable = false;
        return out;
    }
    out.root = clark(peeked->first, peeked->second);
    std::shared_ptr<const xml::grammar_set> grammars = explicit_;
    if (!options_.schemas.empty() && !explicit_) {
        sink.add(schema_problem_);
        out.readable = false;
    } else if (options_.schemas.empty()) {
        if (const auto* e = catalog_.find(peeked->first, peeked->second)) {
            grammars = catalog_.grammars(*e, problem);
            if (!grammars) sink.add(problem), out.readable = false;
        } else {
            auto d = finding(xml::code::no_schema,
                             fmt::format("no installed schema declares the root element {} ({} schemas indexed; see `edigate "
                                         "schemas`, or name one with --schema)",
                                         out.root, catalog_.entries().size()));
            d.where.line = d.where.column = 1;
            d.where.path = "/";
            sink.add(d);
        }
    }
    if (grammars) {
        out.schema_name = grammars->name();
        for (const auto& f : grammars->files()) out.schema_files.push_back(f.string());
    }
    out.options.schema = grammars;
    return out;
}

xml_verdict xml_checker::check(const input_file& in, bool json_mode, bool quiet) {
    core::diagnostic_sink sink(reading_.max_findings);
    progress_meter meter(in.display(), in.size());
    sink_handler h(sink, meter);
    auto sel = select(in, sink);
    sel.options.build_tree = false;
    const std::string& root = sel.root;
    const std::string& schema_name = sel.schema_name;
    const std::vector<std::string>& schema_files = sel.schema_files;
    bool stop = !sel.readable;
    xml::read_result r;
    if (!stop) r = xml::read(in.path(), h, sel.options);
    xml_verdict v{sink.errors(), sink.warnings()};
    std::string status = sink.errors() ? "invalid" : "valid";
    core::line_locator lines;
    if (!sink.items().empty()) lines = in.lines();
    if (json_mode) {
        json j;
        j["type"] = "xml";
        j["bytes"] = in.size();
        j["root"] = root;
        j["schema"] = schema_name;
        j["schema_files"] = schema_files;
        j["elements"] = r.elements;
        json d = json::array();
        for (const auto& f : sink.items()) d.push_back(diagnostic_json(f, &lines));
        j["diagnostics"] = d;
        j["diagnostics_truncated"] = sink.truncated();
        j["errors"] = sink.errors();
        j["warnings"] = sink.warnings();
        j["status"] = status;
        std::string text = json_text(j);
        fmt::print(",{}", text.substr(1));  // continues the object that holds "file"
        return v;
    }
    if (!quiet) {
        fmt::print("{}\n", in.display());
        fmt::print("  XML document, root {}: {} elements, schema {}\n", root.empty() ? "unknown" : root, r.elements,
                   schema_files.empty() ? "none" : fmt::format("{} ({})", schema_name, fmt::join(schema_files, ", ")));
    }
    for (const auto& d : sink.items())
        if (!quiet || d.level == core::severity::error) fmt::print("{}\n", render(d, in.display(), &lines));
    if (sink.truncated())
        fmt::print("note: {}: {} more findings not shown (--max-findings {})\n", in.display(), sink.total() - sink.items().size(),
                   reading_.max_findings);
    fmt::print("{}: {} ({} error{}, {} warning{})\n", in.display(), status, sink.errors(), sink.errors() == 1 ? "" : "s",
               sink.warnings(), sink.warnings() == 1 ? "" : "s");
    return v;
}

}  // namespace edigate::cli
