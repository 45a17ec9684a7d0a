// parse.cpp - `edigate parse FILE --format json|xml`: the parsed interchanges as a generic tree.
//
// Output is streamed one message at a time, so memory stays bounded by the largest message.
// Trailers (UNT, UNE, UNZ) are not part of the tree: a writer computes them. Findings go to
// stderr; the exit code is that of validate.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "edigate/edifact/codes.hpp"
#include "edigate/edifact/tree.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

json node_json(const core::node& n) {
    json j;
    j["name"] = n.name;
    if (!n.value.empty()) j["value"] = n.value;
    if (!n.attributes.empty()) {
        json a = json::object();
        for (const auto& [k, v] : n.attributes) a[k] = v;
        j["attributes"] = a;
    }
    j["byte"] = n.byte;
    if (!n.children.empty()) {
        json c = json::array();
        for (const auto& ch : n.children) c.push_back(node_json(ch));
        j["children"] = c;
    }
    return j;
}

std::string xml_name(const std::string& n) {
    return !n.empty() && n[0] >= '0' && n[0] <= '9' ? "D_" + n : n;  // XML names cannot start with a digit
}

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xEF\xBF\xBD";
            else out += c;
        }
    }
    return out;
}

void open_tag(std::string& out, const core::node& n, int depth, bool close_now) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += "<" + xml_name(n.name);
    for (const auto& [k, v] : n.attributes) out += fmt::format(" {}=\"{}\"", k, xml_escape(v));
    out += close_now ? "/>\n" : ">";
}

void node_xml(std::string& out, const core::node& n, int depth) {
    if (n.children.empty() && n.value.empty()) {
        open_tag(out, n, depth, true);
        return;
    }
    open_tag(out, n, depth, false);
    if (n.children.empty()) {
        out += xml_escape(n.value) + "</" + xml_name(n.name) + ">\n";
        return;
    }
    out += "\n";
    for (const auto& c : n.children) node_xml(out, c, depth + 1);
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += "</" + xml_name(n.name) + ">\n";
}

class tree_printer final : public edifact::handler {
public:
    tree_printer(bool xml, std::size_t cap) : xml_(xml), sink_(cap) {}

    void interchange_begin(const edifact::interchange_header& h) override {
        version_ = h.syntax_version;
        auto n = edifact::interchange_node(h);
        if (xml_) {
            std::string out;
            open_tag(out, n, 1, false);
            out += "\n";
            for (const auto& c : n.children) node_xml(out, c, 2);
            fmt::print("{}", out);
        } else {
            auto j = node_json(n);
            j.erase("children");
            json kids = json::array();
            for (const auto& c : n.children) kids.push_back(node_json(c));
            std::string s = json_text(j);
            s.pop_back();
            std::string k = json_text(kids);
            k.pop_back();  // leave the children array open for the messages
            fmt::print("{}{},\"children\":{}", first_ ? "" : ",", s, k);
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
            std::string out;
            open_tag(out, n, 2, false);
            out += "\n";
            node_xml(out, n.children[0], 3);
            fmt::print("{}", out);
        } else {
            auto j = node_json(n);
            std::string s = json_text(j);
            s.erase(s.size() - 2);  // reopen children: ...}]} -> ...}
            fmt::print("{}{}", first_child_ ? "" : ",", s);
            first_child_ = false;
        }
        in_group_ = true;
    }
    void message_end(const edifact::message& m) override {
        auto n = edifact::to_node(m, version_);
        if (xml_) {
            std::string out;
            node_xml(out, n, in_group_ ? 3 : 2);
            fmt::print("{}", out);
        } else {
            fmt::print("{}{}", first_child_ ? "" : ",", json_text(node_json(n)));
            first_child_ = false;
        }
    }
    void group_end(const edifact::group_trailer&) override {
        if (xml_) fmt::print("    </Group>\n");
        else fmt::print("]}}");
        in_group_ = false;
    }
    void interchange_end(const edifact::interchange_trailer&) override {
        if (xml_) fmt::print("  </Interchange>\n");
        else fmt::print("]}}");
    }
    void finding(const core::diagnostic& d) override { sink_.add(d); }

    bool xml_;
    core::diagnostic_sink sink_;
    int version_ = 0;
    bool first_ = true, first_child_ = true, in_group_ = false;
};

struct parse_args {
    std::string file;
    std::string format = "json";
    reading_options reading;
};

int run_parse(const parse_args& a) {
    auto options = a.reading.make(true);
    input_file in(a.file);
    if (!in.ok()) {
        fmt::print(stderr, "error: {}\n", in.error());
        return exit_failure;
    }
    bool xml = a.format == "xml";
    tree_printer p(xml, a.reading.max_findings);
    if (xml) fmt::print("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edifact file=\"{}\">\n", xml_escape(in.display()));
    else fmt::print("{{\"file\":{},\"interchanges\":[", json_text(json(in.display())));
    bool readable = true;
    edifact::reader(options).read_file(in.path(), p, &readable);
    if (xml) fmt::print("</edifact>\n");
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
    auto* cmd = app.add_subcommand("parse", "print an EDIFACT file as a generic tree (JSON or XML); findings go to stderr");
    cmd->add_option("file", a->file, "EDIFACT file; - reads standard input")->required();
    cmd->add_option("--format", a->format, "output format")->check(CLI::IsMember({"json", "xml"}))->capture_default_str();
    a->reading.add_to(*cmd);
    cmd->footer("Exit codes: 0 valid, 1 the input has errors (the tree is still printed), 2 usage error, 3 I/O failure.");
    cmd->callback([a, &exit] { exit = run_parse(*a); });
}

void add_codes(CLI::App& app, int& exit) {
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("codes", "list the diagnostic codes with their CONTRL (0085) syntax error codes");
    cmd->add_flag("--json", *as_json, "JSON output");
    cmd->callback([as_json, &exit] {
        json all = json::array();
        for (const auto& c : edifact::all_codes()) {
            if (*as_json)
                all.push_back({{"code", c.name}, {"syntax_error", c.syntax_error}, {"severity", core::to_string(c.level)}, {"summary", c.summary}});
            else
                fmt::print("{}  {:>2}  {:<7}  {}\n", c.name, c.syntax_error ? std::to_string(c.syntax_error) : "-", core::to_string(c.level), c.summary);
        }
        if (*as_json) fmt::print("{}\n", all.dump(2));
        exit = exit_ok;
    });
}

}  // namespace edigate::cli
