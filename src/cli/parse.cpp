// parse.cpp - `edigate parse FILE --format json|xml`: the parsed interchanges as a generic tree,
// nested and named by the message's directory; `edigate parse --from xml FILE` writes such a tree
// back as EDIFACT.
//
// Output is streamed one message at a time, so memory stays bounded by the largest message.
// Trailers (UNE, UNZ) are not part of the tree: a writer computes them, as it does UNT. Findings
// go to stderr; the exit code is that of validate.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "edigate/ack/codes.hpp"
#include "edigate/directory/codes.hpp"
#include "edigate/directory/tree.hpp"
#include "edigate/edifact/codes.hpp"
#include "edigate/edifact/tree.hpp"
#include "edigate/edifact/writer.hpp"
#include "edigate/mapping/codes.hpp"
#include "edigate/receipts/codes.hpp"
#include "edigate/tracking/codes.hpp"
#include "edigate/xml/codes.hpp"
#include "edigate/xml/reader.hpp"
#include "edigate/xml/writer.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool well_formed_utf8(std::string_view s) {
    auto* u = reinterpret_cast<const unsigned char*>(s.data());
    auto* end = u + s.size();
    while (u < end) {
        unsigned c = *u;
        if (c < 0x80) {
            ++u;
            continue;
        }
        std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (n == 0 || static_cast<std::size_t>(end - u) < n) return false;
        unsigned lo = 0x80, hi = 0xBF;  // the second byte's range
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
        else if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
        if (u[1] < lo || u[1] > hi) return false;
        for (std::size_t k = 2; k < n; ++k)
            if ((u[k] & 0xC0) != 0x80) return false;
        u += n;
    }
    return true;
}

/// Appends `s` as a JSON string, the text json_text() gives for it.
void append_json_string(std::string& out, std::string_view s) {
    if (!well_formed_utf8(s)) {  // nlohmann's own U+FFFD replacement, whatever its rules
        out += json_text(json(std::string(s)));
        return;
    }
    out += '"';
    for (char ch : s) {
        switch (ch) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(ch) < 0x20) fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(ch));
            else out += ch;
        }
    }
    out += '"';
}

/// Appends a node as JSON: {"name", "value" (when not empty), "attributes" (an object, when any),
/// "ns" (when set), "line" (XML: where the element starts) or "byte" (EDIFACT: its offset),
/// "children" (when any)}, compact. Written straight into `out`: a message's tree is thousands of
/// nodes, and building nlohmann trees to dump them was most of `parse --format json`. `open`:
/// "children" always, left open for more to be streamed into it (an interchange, a group, an XML
/// root).
void append_node_json(std::string& out, const core::node& n, bool open = false) {
    out += "{\"name\":";
    append_json_string(out, n.name.view());
    if (!n.value.empty()) {
        out += ",\"value\":";
        append_json_string(out, n.value);
    }
    if (!n.attributes.empty()) {
        out += ",\"attributes\":";
        bool distinct = true;  // a repeated name is one member, its last value in the first place
        for (std::size_t i = 0; i < n.attributes.size() && distinct; ++i)
            for (std::size_t k = 0; k < i; ++k) distinct = distinct && n.attributes[k].first != n.attributes[i].first;
        if (!distinct) {
            json a = json::object();
            for (const auto& [k, v] : n.attributes) a[k] = v;
            out += json_text(a);
        } else {
            char sep = '{';
            for (const auto& [k, v] : n.attributes) {
                out += sep;
                sep = ',';
                append_json_string(out, k);
                out += ':';
                append_json_string(out, v);
            }
            out += '}';
        }
    }
    if (!n.ns.empty()) {
        out += ",\"ns\":";
        append_json_string(out, n.ns.view());
    }
    if (n.line) fmt::format_to(std::back_inserter(out), ",\"line\":{}", n.line);  // XML: where the element starts
    else fmt::format_to(std::back_inserter(out), ",\"byte\":{}", n.byte);       // EDIFACT: its byte offset
    if (n.children.empty() && !open) {
        out += '}';
        return;
    }
    out += ",\"children\":[";
    for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i) out += ',';
        append_node_json(out, n.children[i]);
    }
    if (!open) out += "]}";
}

std::string xml_name(const std::string& n) {
    return !n.empty() && n[0] >= '0' && n[0] <= '9' ? "D_" + n : n;  // XML names cannot start with a digit
}

/// Writes a tree with the writer, names made XML-safe (D_0004).
void put(xml::writer& w, const core::node& n) {
    w.start(xml_name(n.name.str()));
    for (const auto& [k, v] : n.attributes) w.attribute(k, v);
    w.text(n.value);
    for (const auto& c : n.children) put(w, c);
    w.end();
}

/// "lf" or "crlf" when the interchange puts a line break after each segment terminator (read
/// after UNB), so that writing the tree back gives the same bytes.
std::string line_layout(const std::filesystem::path& file, const edifact::interchange_header& h) {
    if (!h.has_unb) return {};
    std::ifstream in(file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(h.unb.byte + h.unb.length + 1));
    char b[2] = {0, 0};
    in.read(b, 2);
    if (b[0] == '\n') return "lf";
    if (b[0] == '\r' && b[1] == '\n') return "crlf";
    return {};
}

class tree_printer final : public edifact::handler {
public:
    tree_printer(xml::writer* xml, std::size_t cap, directory::validator* v, std::filesystem::path file)
        : xml_(xml), sink_(cap), validator_(v), file_(std::move(file)) {}

    void interchange_begin(const edifact::interchange_header& h) override {
        version_ = h.syntax_version;
        header_ = h;
        auto n = edifact::interchange_node(h);
        if (auto layout = line_layout(file_, h); !layout.empty()) n.set_attribute("newlines", layout);
        if (xml_) {
            xml_->start(n.name);
            for (const auto& [k, v] : n.attributes) xml_->attribute(k, v);
            for (const auto& c : n.children) put(*xml_, c);
        } else {
            text_.assign(first_ ? "" : ",");
            append_node_json(text_, n, true);  // the children array left open for the messages
            std::fwrite(text_.data(), 1, text_.size(), stdout);
            first_child_ = n.children.empty();
        }
        first_ = false;
        in_group_ = false;
    }
    void group_begin(const edifact::group_header& g) override {
        core::node n("Group");
        n.byte = g.byte;
        n.set_attribute("index", std::to_string(g.index));
        n.set_attribute("reference", g.reference);
        n.children.push_back(edifact::to_node(g.ung, version_));
        if (xml_) {
            xml_->start(n.name);
            for (const auto& [k, v] : n.attributes) xml_->attribute(k, v);
            put(*xml_, n.children[0]);
        } else {
            text_.assign(first_child_ ? "" : ",");
            append_node_json(text_, n, true);  // the UNG, then the group's messages
            std::fwrite(text_.data(), 1, text_.size(), stdout);
            first_child_ = false;
        }
        in_group_ = true;
    }
    void message_end(const edifact::message& m) override {
        auto n = validator_ ? directory::message_tree(m, header_, *validator_, [this](core::diagnostic d) { sink_.add(std::move(d)); })
                            : edifact::to_node(m, version_);
        if (xml_) {
            put(*xml_, n);
        } else {
            text_.assign(first_child_ ? "" : ",");
            append_node_json(text_, n);
            std::fwrite(text_.data(), 1, text_.size(), stdout);
            first_child_ = false;
        }
    }
    void group_end(const edifact::group_trailer&) override {
        if (xml_) xml_->end();
        else fmt::print("]}}");
        in_group_ = false;
    }
    void interchange_end(const edifact::interchange_trailer&) override {
        if (xml_) xml_->end();
        else fmt::print("]}}");
    }
    void finding(const core::diagnostic& d) override { sink_.add(d); }

    xml::writer* xml_;  ///< null: JSON
    core::diagnostic_sink sink_;
    directory::validator* validator_;
    std::filesystem::path file_;
    edifact::interchange_header header_;
    int version_ = 0;
    bool first_ = true, first_child_ = true, in_group_ = false;
    std::string text_;  ///< one message's JSON, reused
};

struct parse_args {
    std::string file;
    std::string format = "json";
    std::string from = "edifact";
    reading_options reading;
    xml_reading xml;
};

/// An XML input: its tree as the mapping engine sees it (local names, namespaces, attributes, UTF-8
/// text), streamed one depth-2 element at a time; checked against its schema on the way, findings
/// on stderr as for EDIFACT.
int run_parse_xml(const parse_args& a, const input_file& in) {
    xml_checker checker(a.xml, a.reading);
    core::diagnostic_sink sink(a.reading.max_findings);
    auto sel = checker.select(in, sink);
    struct printer final : xml::document_handler {
        printer(const parse_args& a, const input_file& in, const xml_checker::selection& sel, core::diagnostic_sink& s)
            : args(a), file(in), schema(sel.schema_name), sink(s) {}
        void root(const core::node& n) override {
            if (args.format == "xml") {
                writer.emplace(std::cout, xml::write_options{.indent = true, .replace_invalid = true});
                writer->start(n.name, n.ns);
                for (const auto& [k, v] : n.attributes) writer->attribute(k, v);
                return;
            }
            std::string head;
            append_node_json(head, n, true);  // the root, its children streamed into it
            fmt::print("{{\"file\":{},\"type\":\"xml\",\"schema\":{},\"document\":{}", json_text(json(file.display())),
                       json_text(json(schema)), head);
        }
        void subtree(core::node& n, const std::string& path) override {
            bool is_root = path.find('/', 1) == std::string::npos;
            if (args.format == "xml") {
                if (is_root) writer->finish();
                else writer->node(n);
            } else if (is_root) {
                fmt::print("]}}}}\n");
            } else {
                std::string text = first ? "" : ",";
                append_node_json(text, n);
                std::fwrite(text.data(), 1, text.size(), stdout);
                first = false;
            }
        }
        void finding(const core::diagnostic& d) override { sink.add(d); }
        const parse_args& args;
        const input_file& file;
        std::string schema;
        core::diagnostic_sink& sink;
        std::optional<xml::writer> writer;
        bool first = true;
    } p(a, in, sel, sink);
    bool complete = false;
    if (sel.readable) {
        sel.options.split_depth = 2;
        try {
            complete = xml::read(in.path(), p, sel.options).complete;
        } catch (const xml::write_error& e) {  // replace_invalid makes this a name problem only
            fmt::print(stderr, "error: {}: cannot write the tree as XML: {}\n", in.display(), e.what());
            return exit_failure;
        }
    }
    std::fflush(stdout);
    core::line_locator lines;
    if (!sink.items().empty()) lines = in.lines();
    for (const auto& d : sink.items()) fmt::print(stderr, "{}\n", render(d, in.display(), &lines));
    if (!sel.readable && !complete && sink.errors() == 0) return exit_failure;
    return sink.errors() ? exit_invalid : exit_ok;
}

// ---- XML tree back to EDIFACT ----------------------------------------------------------------

struct unparse_error {
    std::string text;
};

std::string attribute(const core::node& n, std::string_view name) {
    for (const auto& [k, v] : n.attributes)
        if (k == name) return v;
    return {};
}

bool is_group_node(const core::node& n) { return n.name.size() > 2 && n.name.starts_with("SG") && n.name.view().find_first_not_of("0123456789", 2) == std::string::npos; }

edifact::segment segment_of(const core::node& n) {
    if (n.name.size() != 3) throw unparse_error{fmt::format("<{}> is not a segment (three-letter tag expected)", n.name)};
    try {
        return edifact::from_node(n);
    } catch (const std::logic_error&) {
        throw unparse_error{fmt::format("segment {}: repetitions out of order (repeat attributes must count up)", n.name)};
    }
}

void write_segments(edifact::writer& w, const core::node& parent) {
    for (const auto& c : parent.children) {
        if (is_group_node(c)) write_segments(w, c);
        else if (c.name == "UNH") w.begin_message(segment_of(c));
        else if (c.name != "UNT") w.add(segment_of(c));  // UNT is computed
    }
}

void write_interchange(std::ostream& out, const core::node& ich) {
    edifact::writer_options o;
    auto cs = edifact::charset_from_identifier(attribute(ich, "syntax"));
    if (!cs) throw unparse_error{fmt::format("Interchange {}: unknown syntax identifier '{}'", attribute(ich, "index"), attribute(ich, "syntax"))};
    o.encoding = *cs;
    o.syntax_version = std::atoi(attribute(ich, "version").c_str());
    std::string seps = attribute(ich, "separators");
    if (seps.size() == 6) {
        edifact::delimiters d;
        d.component = seps[0], d.element = seps[1], d.decimal = seps[2], d.release = seps[3] == ' ' ? '\0' : seps[3];
        d.repetition = seps[4], d.segment = seps[5];
        o.delims = d;
    }
    o.una = attribute(ich, "una") == "yes" ? edifact::writer_options::una_mode::always : edifact::writer_options::una_mode::never;
    std::string layout = attribute(ich, "newlines");
    o.segment_suffix = layout == "lf" ? "\n" : layout == "crlf" ? "\r\n" : "";
    const core::node* unb = ich.child("UNB");
    if (!unb) throw unparse_error{"message-level input (no UNB) cannot be written back as an interchange"};
    edifact::writer w(out, o);
    w.begin_interchange(segment_of(*unb));
    for (const auto& c : ich.children) {
        if (c.name == "Group") {
            const core::node* ung = c.child("UNG");
            if (!ung) throw unparse_error{"Group without UNG"};
            w.begin_group(segment_of(*ung));
            for (const auto& m : c.children)
                if (m.name == "Message") write_segments(w, m), w.end_message();
            w.end_group();
        } else if (c.name == "Message") {
            write_segments(w, c);
            w.end_message();
        }
    }
    w.end_interchange();
    if (!w.ok()) throw unparse_error{w.problems().front().text};
}

int run_unparse(const parse_args& a) {
    input_file in(a.file);
    if (!in.ok()) {
        fmt::print(stderr, "error: {}\n", in.error());
        return exit_failure;
    }
    core::diagnostic problem;
    auto root = xml::read_file(in.path(), problem);
    if (!root) {
        fmt::print(stderr, "error: {}: {} [{}]\n", a.file, problem.text, problem.code);
        return exit_invalid;
    }
    if (root->name != "edifact") {
        fmt::print(stderr, "error: {}: root element <{}>; expected <edifact> as `edigate parse --format xml` writes it\n", a.file, root->name);
        return exit_invalid;
    }
    std::ostringstream out;
    try {
        for (const auto& ich : root->children)
            if (ich.name == "Interchange") write_interchange(out, ich);
    } catch (const unparse_error& e) {
        fmt::print(stderr, "error: {}: {}\n", a.file, e.text);
        return exit_invalid;
    } catch (const std::logic_error& e) {  // envelope calls out of order: the tree's shape is wrong
        fmt::print(stderr, "error: {}: the tree is not an interchange as parse writes it ({})\n", a.file, e.what());
        return exit_invalid;
    }
    fmt::print("{}", out.str());
    std::fflush(stdout);
    return exit_ok;
}

int run_parse(parse_args a) {
    if (a.from == "xml") return run_unparse(a);
    a.reading.resolve();
    auto options = a.reading.make(true);
    input_file in(a.file);
    if (!in.ok()) {
        fmt::print(stderr, "error: {}\n", in.error());
        return exit_failure;
    }
    if (sniff(in.path()) == input_kind::xml) return run_parse_xml(a, in);
    bool xml = a.format == "xml";
    directory::catalog dirs(directory::catalog::default_roots());
    directory::validator checker(dirs, a.reading.make_validation());
    // Values are shown as read: a character XML cannot carry (a control character a partner sent)
    // becomes U+FFFD here, and the finding about it is on stderr.
    std::optional<xml::writer> writer;
    if (xml) {
        writer.emplace(std::cout, xml::write_options{.indent = true, .replace_invalid = true});
        writer->start("edifact");
        writer->attribute("file", in.display());
    } else {
        fmt::print("{{\"file\":{},\"interchanges\":[", json_text(json(in.display())));
    }
    tree_printer p(writer ? &*writer : nullptr, a.reading.max_findings, a.reading.syntax_only ? nullptr : &checker, in.path());
    bool readable = true;
    edifact::reader(options).read_file(in.path(), p, &readable);
    if (writer) writer->finish();
    else fmt::print("]}}\n");
    std::fflush(stdout);
    core::line_locator lines;
    if (!p.sink_.items().empty()) lines = in.lines();
    for (const auto& d : p.sink_.items()) fmt::print(stderr, "{}\n", render(d, in.display(), &lines));
    if (!readable) return exit_failure;
    return p.sink_.errors() ? exit_invalid : exit_ok;
}

}  // namespace

void add_parse(CLI::App& app, int& exit) {
    auto a = std::make_shared<parse_args>();
    auto* cmd = app.add_subcommand("parse",
                                   "print an EDIFACT file as a tree (JSON or XML) nested and named by its directory, an XML file as the "
                                   "tree the mapping engine sees, or write an EDIFACT tree in XML back as EDIFACT (--from xml); "
                                   "findings go to stderr");
    cmd->add_option("file", a->file, "EDIFACT or XML file (told apart by content; with --from xml, an EDIFACT tree in XML); - reads standard input")
        ->required();
    cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"json", "xml"}))->capture_default_str();
    cmd->add_option("--from", a->from, "input kind: edifact, or xml (a tree as --format xml writes it) to write EDIFACT")
        ->check(CLI::IsMember({"edifact", "xml"}))
        ->capture_default_str();
    a->reading.add_to(*cmd);
    a->xml.add_to(*cmd);
    cmd->footer("Exit codes: 0 valid, 1 the input has errors (the tree is still printed), 2 usage error, 3 I/O failure.");
    cmd->callback([a, &exit] { exit = run_parse(*a); });
}

void add_codes(CLI::App& app, int& exit) {
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("codes", "list the diagnostic codes with their CONTRL (0085) syntax error codes");
    cmd->add_flag("--json", *as_json, "JSON output");
    cmd->callback([as_json, &exit] {
        json all = json::array();
        auto list = [&](const auto& codes) {
            for (const auto& c : codes) {
                int syntax_error = 0;  // EDI-A codes are about our own writing: no 0085 code
                if constexpr (requires { c.syntax_error; }) syntax_error = c.syntax_error;
                if (*as_json)
                    all.push_back({{"code", c.name}, {"syntax_error", syntax_error}, {"severity", core::to_string(c.level)}, {"summary", c.summary}});
                else
                    fmt::print("{}  {:>2}  {:<7}  {}\n", c.name, syntax_error ? std::to_string(syntax_error) : "-", core::to_string(c.level), c.summary);
            }
        };
        list(edifact::all_codes());
        list(directory::all_codes());
        list(ack::all_codes());
        list(xml::all_codes());
        list(mapping::all_codes());
        list(tracking::all_codes());
        list(receipts::all_codes());
        if (*as_json) fmt::print("{}\n", all.dump(2));
        exit = exit_ok;
    });
}

}  // namespace edigate::cli
