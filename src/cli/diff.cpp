// diff.cpp - `edigate diff A B`: a semantic comparison of two EDIFACT or two XML files, by path.
//
// Both files become generic trees (EDIFACT: interchanges and messages named by their directory;
// XML: elements by local name and namespace), what changes on every run is set aside (control
// references, preparation dates and times, message identifiers and sending times, plus any
// --ignore path), and the trees are compared element by element: same-named siblings pair up in
// order. Layout (separators, line breaks, indentation, namespace prefixes, encoding) never counts.
// This is what a migration team uses to compare a legacy application's output with edigate's.
#include <fmt/format.h>

#include <functional>
#include <set>

#include "commands.hpp"
#include "edigate/directory/tree.hpp"
#include "edigate/edifact/tree.hpp"
#include "edigate/mapping/path.hpp"
#include "edigate/xml/reader.hpp"

namespace edigate::cli {

namespace {

using json = nlohmann::ordered_json;

/// What differs, by path.
struct difference {
    std::string kind;  ///< "changed", "only in A", "only in B"
    std::string path;
    std::string a, b;
};

/// An EDIFACT file as one tree: edifact > Interchange (UNB, Message...) as `parse` shows it.
class edifact_document final : public edifact::handler {
public:
    explicit edifact_document(directory::validator& v) : v_(v) {}
    void interchange_begin(const edifact::interchange_header& h) override {
        header_ = h;
        current_ = &root.children.emplace_back(edifact::interchange_node(h));
    }
    void message_end(const edifact::message& m) override {
        current_->children.push_back(directory::message_tree(m, header_, v_, [](core::diagnostic) {}));
    }
    void interchange_end(const edifact::interchange_trailer& t) override {
        core::node unz("UNZ");
        unz.add("0036", std::to_string(t.messages));
        current_->children.push_back(std::move(unz));
    }
    void finding(const core::diagnostic& d) override {
        if (d.level == core::severity::error) ++errors;
    }
    core::node root{"edifact"};
    std::size_t errors = 0;

private:
    directory::validator& v_;
    edifact::interchange_header header_;
    core::node* current_ = nullptr;
};

/// What changes on every run and is not compared: interchange and message control references,
/// preparation date and time, and the agencies' message identifiers and sending times.
const std::vector<std::string> edifact_volatile = {
    "Interchange/UNB/0020", "Interchange/UNB/S004", "Interchange/Message/UNH/0062", "Interchange/Message/UNT/0062",
    "Interchange/@reference", "Interchange/Message/@reference", "Interchange/Message/@index", "Interchange/@index",
    "Interchange/@separators", "Interchange/@una",  // layout, not content
};
const std::vector<std::string> xml_volatile = {"Head/MessageID", "Head/SendTime", "TransInfo/CreatTime", "TransInfo/MsgId"};

void set_aside(core::node& root, const std::vector<std::string>& paths) {
    std::set<const void*> drop;
    for (const auto& text : paths) {
        mapping::path_error e;
        auto p = mapping::path::compile(text, e);
        if (!p) throw CLI::ValidationError("--ignore", fmt::format("'{}': {} at offset {}", text, e.text, e.offset));
        for (const auto& s : p->select(root)) drop.insert(s.attribute ? static_cast<const void*>(s.attribute) : s.element);
    }
    std::function<void(core::node&)> prune = [&](core::node& n) {
        std::erase_if(n.attributes, [&](const auto& a) { return drop.count(&a.second) > 0; });
        std::erase_if(n.children, [&](const core::node& c) { return drop.count(&c) > 0; });
        for (auto& c : n.children) prune(c);
    };
    prune(root);
}

void compare(const core::node& a, const core::node& b, const std::string& path, std::vector<difference>& out) {
    if (a.value != b.value) out.push_back({"changed", path, a.value, b.value});
    if (a.ns != b.ns) out.push_back({"changed", path + "/namespace()", a.ns.str(), b.ns.str()});
    for (const auto& [k, v] : a.attributes) {
        auto it = std::find_if(b.attributes.begin(), b.attributes.end(), [&](const auto& x) { return x.first == k; });
        if (it == b.attributes.end()) out.push_back({"only in A", path + "/@" + k, v, ""});
        else if (it->second != v) out.push_back({"changed", path + "/@" + k, v, it->second});
    }
    for (const auto& [k, v] : b.attributes)
        if (std::none_of(a.attributes.begin(), a.attributes.end(), [&](const auto& x) { return x.first == k; }))
            out.push_back({"only in B", path + "/@" + k, "", v});
    // Same-named children pair up in order: the n-th NAD of A with the n-th NAD of B.
    std::vector<std::string> names;
    for (const auto* side : {&a, &b})
        for (const auto& c : side->children)
            if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name.str());
    for (const auto& name : names) {
        std::vector<const core::node*> xs, ys;
        for (const auto& c : a.children)
            if (c.name == name) xs.push_back(&c);
        for (const auto& c : b.children)
            if (c.name == name) ys.push_back(&c);
        for (std::size_t i = 0; i < std::max(xs.size(), ys.size()); ++i) {
            std::string p = fmt::format("{}/{}{}", path, name, std::max(xs.size(), ys.size()) > 1 ? fmt::format("[{}]", i + 1) : "");
            if (i >= ys.size()) out.push_back({"only in A", p, xs[i]->value, ""});
            else if (i >= xs.size()) out.push_back({"only in B", p, "", ys[i]->value});
            else compare(*xs[i], *ys[i], p, out);
        }
    }
}

struct diff_args {
    std::string a, b;
    std::vector<std::string> ignore;
    bool keep_volatile = false;
    bool json = false;
    reading_options reading;
};

int run_diff(diff_args d) {
    d.reading.resolve();
    directory::catalog dirs(directory::catalog::default_roots());
    directory::validator v(dirs, d.reading.make_validation());
    std::vector<core::node> trees;
    std::optional<input_kind> kind;
    for (const auto& name : {d.a, d.b}) {
        input_file in(name);
        if (!in.ok()) {
            fmt::print(stderr, "error: {}\n", in.error());
            return exit_failure;
        }
        auto k = sniff(in.path());
        if (kind && *kind != k) throw CLI::ValidationError("diff", "one file is EDIFACT and the other XML: compare like with like");
        kind = k;
        if (k == input_kind::xml) {
            core::diagnostic problem;
            auto tree = xml::read_file(in.path(), problem);
            if (!tree) {
                fmt::print(stderr, "error: {}: {} [{}]\n", in.display(), problem.text, problem.code);
                return exit_failure;
            }
            trees.push_back(std::move(*tree));
        } else {
            edifact_document doc(v);
            bool readable = true;
            edifact::reader(d.reading.make(true)).read_file(in.path(), doc, &readable);
            if (!readable) {
                fmt::print(stderr, "error: {}: cannot be read as EDIFACT\n", in.display());
                return exit_failure;
            }
            trees.push_back(std::move(doc.root));
        }
    }
    std::vector<std::string> ignore = d.ignore;
    if (!d.keep_volatile) {
        const auto& v2 = *kind == input_kind::xml ? xml_volatile : edifact_volatile;
        ignore.insert(ignore.end(), v2.begin(), v2.end());
    }
    for (auto& t : trees) set_aside(t, ignore);
    std::vector<difference> diffs;
    if (trees[0].name != trees[1].name) diffs.push_back({"changed", "/name()", trees[0].name.str(), trees[1].name.str()});
    else compare(trees[0], trees[1], "/" + trees[0].name, diffs);
    if (d.json) {
        json all = json::array();
        for (const auto& x : diffs) all.push_back({{"kind", x.kind}, {"path", x.path}, {"a", x.a}, {"b", x.b}});
        fmt::print("{}\n", json_text(json{{"a", d.a}, {"b", d.b}, {"ignored", ignore}, {"differences", all}, {"same", diffs.empty()}}));
    } else {
        for (const auto& x : diffs) {
            if (x.kind == "changed") fmt::print("changed   {}: '{}' -> '{}'\n", x.path, x.a, x.b);
            else fmt::print("{} {}{}\n", x.kind, x.path, (x.a + x.b).empty() ? "" : fmt::format(": '{}'", x.a + x.b));
        }
        fmt::print("{} and {}: {}\n", d.a, d.b, diffs.empty() ? "same content" : fmt::format("{} difference{}", diffs.size(), diffs.size() == 1 ? "" : "s"));
    }
    return diffs.empty() ? exit_ok : exit_invalid;
}

}  // namespace

void add_diff(CLI::App& app, int& exit) {
    auto d = std::make_shared<diff_args>();
    auto* cmd = app.add_subcommand("diff",
                                   "compare two EDIFACT or two XML files by content and report the differences by path, ignoring "
                                   "layout and what changes on every run (control references, preparation times, message ids)");
    cmd->add_option("a", d->a, "first file")->required();
    cmd->add_option("b", d->b, "second file")->required();
    cmd->add_option("--ignore", d->ignore, "also ignore what this path selects (mappings/README.md path syntax), e.g. Head/SenderID")
        ->type_name("PATH")
        ->allow_extra_args(false);
    cmd->add_flag("--keep-volatile", d->keep_volatile, "compare control references, times and message ids too");
    cmd->add_flag("--json", d->json, "JSON report");
    d->reading.add_to(*cmd);
    cmd->footer("Exit codes: 0 same content, 1 differences, 2 usage error, 3 a file cannot be read.");
    cmd->callback([d, &exit] { exit = run_diff(*d); });
}

}  // namespace edigate::cli
