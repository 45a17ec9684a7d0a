// mapping.cpp - loading, checking and running mapping files (see mapping.hpp).
#include "edigate/mapping/mapping.hpp"

#include <fmt/format.h>

#include <charconv>

#include "edigate/core/data_roots.hpp"
#include "edigate/mapping/codes.hpp"
#include "edigate/mapping/expression.hpp"
#include "edigate/xml/reader.hpp"

namespace edigate::mapping {

namespace fs = std::filesystem;

struct mapping::rule {
    enum class kind { element, attribute, for_each, when, variable } what = kind::element;
    std::string name;
    core::symbol symbol;  ///< name, interned once: every output element of this rule carries it
    core::symbol ns;
    std::optional<expression> value;  ///< element/attribute value, for-each select, if test
    bool required = false;
    bool at_least_one = false;
    bool keep_empty = false;
    std::uint32_t width = 0;  ///< a fixed-width field: its width in bytes (0: not a field)
    char align = 'l', pad = ' ';
    std::uint32_t line = 0;
    std::vector<rule> children;
};

namespace {

core::diagnostic problem(code c, std::string text, std::uint32_t line = 0, std::uint32_t column = 0) {
    core::diagnostic d;
    d.code = std::string(info(c).name);
    d.level = info(c).level;
    d.where.line = line;
    d.where.column = column;
    d.text = std::move(text);
    return d;
}

const std::string* attribute(const core::node& n, std::string_view name) {
    for (const auto& [k, v] : n.attributes)
        if (k == name) return &v;
    return nullptr;
}

/// Turns the checked mapping XML into rules; expression errors become problems with their line.
class compiler {
public:
    compiler(const fs::path& file, std::vector<core::diagnostic>& problems) : file_(file), problems_(problems) {}

    bool content(const core::node& n, mapping::rule& parent, const core::symbol& ns) {
        bool ok = true;
        for (const auto& c : n.children) {
            mapping::rule r;
            r.line = c.line;
            if (c.name == "element") {
                r.name = *attribute(c, "name");
                r.symbol = r.name;
                r.ns = ns;
                r.required = flag(c, "required");
                r.keep_empty = flag(c, "keep-empty");
                if (const auto* w = attribute(c, "width")) r.width = static_cast<std::uint32_t>(std::stoul(*w));  // checked by the schema
                if (const auto* a = attribute(c, "align"); a && *a == "right") r.align = 'r';
                if (const auto* pad = attribute(c, "pad"); pad && pad->size() == 1) r.pad = pad->front();
                if (const auto* v = attribute(c, "value")) ok &= compile(*v, c, r.value);
                ok &= content(c, r, ns);
            } else if (c.name == "attribute") {
                r.what = mapping::rule::kind::attribute;
                r.name = *attribute(c, "name");
                if (r.name == "xmlns" || r.name.starts_with("xmlns:")) {  // namespaces come from <output namespace>
                    problems_.push_back(problem(code::bad_file,
                                                fmt::format("{}:{}: attribute '{}' would declare a namespace; the output's namespace is set on <output>",
                                                            file_.string(), c.line, r.name),
                                                c.line));
                    ok = false;
                }
                r.required = flag(c, "required");
                ok &= compile(*attribute(c, "value"), c, r.value);
            } else if (c.name == "for-each") {
                r.what = mapping::rule::kind::for_each;
                r.at_least_one = flag(c, "at-least-one");
                ok &= compile(*attribute(c, "select"), c, r.value);
                ok &= content(c, r, ns);
            } else if (c.name == "variable") {
                r.what = mapping::rule::kind::variable;
                r.name = *attribute(c, "name");
                r.required = flag(c, "required");
                ok &= compile(*attribute(c, "value"), c, r.value);
            } else if (c.name == "if") {
                r.what = mapping::rule::kind::when;
                ok &= compile(*attribute(c, "test"), c, r.value);
                ok &= content(c, r, ns);
            } else {
                continue;
            }
            parent.children.push_back(std::move(r));
        }
        return ok;
    }
    std::vector<std::string> tables;
    bool reads_interchange = false;  ///< a rule's path starts with '//'
    bool reads_position = false;     ///< a rule names $position (in its text: never missed, at worst set unread)

private:
    static bool flag(const core::node& n, std::string_view name) {
        const auto* v = attribute(n, name);
        return v && (*v == "true" || *v == "1");
    }
    bool compile(const std::string& text, const core::node& at, std::optional<expression>& out) {
        std::string error;
        std::size_t offset = 0;
        out = expression::compile(text, error, offset);
        if (!out) {
            problems_.push_back(problem(code::bad_file,
                                        fmt::format("{}:{}: in \"{}\" at offset {}: {}", file_.string(), at.line, text, offset, error),
                                        at.line));
            return false;
        }
        for (auto& t : out->tables()) tables.push_back(std::move(t));
        reads_interchange = reads_interchange || out->reads_interchange();
        reads_position = reads_position || text.find("$position") != std::string::npos;
        return true;
    }

    const fs::path& file_;
    std::vector<core::diagnostic>& problems_;
};

struct collect final : xml::document_handler {
    std::vector<core::diagnostic> found;
    void finding(const core::diagnostic& d) override {
        if (d.level == core::severity::error) found.push_back(d);
    }
};

/// A fixed-width target is records (the root's elements) of fields (their elements, each with a
/// width and nothing inside); widths belong to fixed-width targets only. `depth`: elements above.
bool fixed_layout(const mapping::rule& r, bool fixed, int depth, const fs::path& file, std::vector<core::diagnostic>& problems) {
    bool ok = true;
    auto refuse = [&](const mapping::rule& at, std::string what) {
        problems.push_back(problem(code::bad_file, fmt::format("{}:{}: {}", file.string(), at.line, what), at.line));
        ok = false;
    };
    for (const auto& c : r.children) {
        if (c.what == mapping::rule::kind::attribute && fixed) refuse(c, "a fixed-width record has no attributes");
        if (c.what == mapping::rule::kind::for_each || c.what == mapping::rule::kind::when) ok &= fixed_layout(c, fixed, depth, file, problems);
        if (c.what != mapping::rule::kind::element) continue;
        if (c.width && !fixed) refuse(c, fmt::format("element {} has a width, but only target=\"fixed\" has fixed-width fields", c.name));
        else if (fixed && depth == 0 && c.width) refuse(c, fmt::format("{} is a record (a child of the root); its fields have the widths", c.name));
        else if (fixed && depth == 0 && c.value) refuse(c, fmt::format("record {} has a value; a record's content is its fields", c.name));
        else if (fixed && depth == 1 && !c.width) refuse(c, fmt::format("field {} needs a width (bytes)", c.name));
        else if (fixed && depth >= 1 && !c.children.empty()) refuse(c, fmt::format("field {} has content; a field holds a value only", c.name));
        else ok &= fixed_layout(c, fixed, depth + 1, file, problems);
    }
    return ok;
}

/// Where in the output a rule writes, e.g. "Manifest/Consignment[3]/@unitCode": kept as links
/// up the output and spelled out only for a finding or a trace.
struct place {
    const place* up = nullptr;
    std::string_view name;
    bool attribute = false;
    /// An element: its parent and its position there, to count its same-named siblings from.
    const core::node* parent = nullptr;
    std::size_t position = 0;

    std::string text() const {
        std::string s = up ? up->text() + "/" : std::string();
        if (attribute) s += '@';
        s += name;
        if (!parent) return s;
        std::size_t index = 0;  // among same-named siblings, from 1
        for (std::size_t i = 0; i <= position; ++i) index += parent->children[i].name == name;
        if (index > 1) s += fmt::format("[{}]", index);
        return s;
    }
};

/// Runs the rules of one mapping on one source tree.
class runner {
public:
    runner(const mapping& m, const mapping::rule& root, bool reads_position, const core::node& source, const variables& vars,
           const std::map<std::string, code_table, std::less<>>& tables, std::vector<core::diagnostic>& findings, std::vector<trace>* explain,
           const core::node* interchange)
        : m_(m), root_(root), findings_(findings), explain_(explain), vars_(&vars), reads_position_(reads_position) {
        scope_.root = &source;
        scope_.interchange = interchange;
        scope_.node = &source;
        scope_.vars = &vars_;
        scope_.tables = &tables;
        scope_.memo = &path_memo::this_thread();
        scope_.memo->renew();  // a new source tree
    }

    /// Fills `out` (refilling what a previous run left there); false when a rule failed.
    bool run(core::node& out) {
        out.name = root_.symbol;
        out.ns = root_.ns;
        out.value.clear();
        out.attributes.clear();
        std::size_t used = 0;
        body(root_, out, used, place{nullptr, root_.name});
        out.trim(used);
        return !failed_;
    }

private:
    void fail(code c, const mapping::rule& r, const place& where, std::string what) {
        auto d = problem(c, fmt::format("{}: {} (rule at {}:{})", where.text(), what, m_.file().filename().string(), r.line));
        d.where.byte = scope_.node->byte;
        d.where.line = scope_.node->line;
        if (at_segment()) d.where.tag = scope_.node->name;  // "segment NAD" in reports and APERAKs; not for a group or the message
        findings_.push_back(std::move(d));
        failed_ = true;
    }
    /// The rule's value into `out` (its memory reused); whether there is one.
    bool value(const mapping::rule& r, const place& where, std::string& out) {
        std::vector<std::string> problems;
        scope_.origin = nullptr;
        bool got = r.value->evaluate_into(scope_, out, problems);
        for (auto& p : problems) fail(code::bad_value, r, where, std::move(p));
        if (got && explain_) {
            trace t{where.text(), out, r.line, r.value->text()};
            if (const auto* o = scope_.origin) t.source = o->name, t.source_byte = o->byte, t.source_line = o->line;
            explain_->push_back(std::move(t));
        }
        return got;
    }
    /// ": $x is not set (-s x=...)" for the variables the rule names that the run lacks: a partner
    /// value left out reads better so than as a missing source value.
    std::string not_given(const mapping::rule& r) const {
        auto names = r.value->unset(*scope_.vars);
        if (names.empty()) return {};
        std::string list, how;
        for (const auto& n : names) {
            list += fmt::format("{}${}", list.empty() ? "" : ", ", n);
            how += fmt::format("{}-s {}=...", how.empty() ? "" : " ", n);
        }
        return fmt::format("; of its variables, {} {} not set ({})", list, names.size() == 1 ? "is" : "are", how);
    }
    /// Whether the context node is an EDIFACT segment (a for-each over segments): a tag of three
    /// letters or digits at a byte offset, not a group (SG1..SG9 have three characters too).
    bool at_segment() const {
        const core::node& n = *scope_.node;
        std::string_view t = n.name;
        auto tag_char = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
        return &n != scope_.root && n.byte && !n.line && t.size() == 3 && tag_char(t[0]) && tag_char(t[1]) && tag_char(t[2]) &&
               !(t[0] == 'S' && t[1] == 'G' && t[2] >= '0' && t[2] <= '9');
    }
    std::string source_place() const {
        if (scope_.node == scope_.root && scope_.node->byte) return fmt::format("the message (UNH at byte {})", scope_.node->byte);
        return scope_.node->byte ? fmt::format("{} at byte {}", scope_.node->name.view(), scope_.node->byte)
                                 : scope_.node->line ? fmt::format("{} at line {}", scope_.node->name.view(), scope_.node->line)
                                                     : scope_.node->name.str();
    }
    /// The rules of `parent` into `out`, whose first `used` children are filled so far.
    void body(const mapping::rule& parent, core::node& out, std::size_t& used, const place& where) {
        // Variables set in this body are seen by the rules after them here, nested ones included.
        const std::size_t mark = vars_.mark();
        for (const auto& r : parent.children) {
            switch (r.what) {
            case mapping::rule::kind::variable: {
                std::vector<std::string> problems;
                auto v = r.value->evaluate(scope_, problems);
                for (auto& p : problems) fail(code::bad_value, r, where, std::move(p));
                bool missing = !v;
                vars_.set(r.name, v);
                if (missing && r.required)
                    fail(code::missing_value, r, where,
                         fmt::format("required variable ${} ({}) has no value in {}{}", r.name, r.value->text(), source_place(), not_given(r)));
                break;
            }
            case mapping::rule::kind::attribute: {
                place at{&where, r.name, true};
                if (std::string v; value(r, at, v)) out.set_attribute(r.name, std::move(v));
                else if (r.required) fail(code::missing_value, r, at, fmt::format("required value {} is missing in {}{}", r.value->text(), source_place(), not_given(r)));
                break;
            }
            case mapping::rule::kind::element: element(r, out, used, where); break;
            case mapping::rule::kind::for_each: {
                // The selection goes on a stack the runner keeps (inner loops add theirs above it).
                const std::size_t from = selected_.size();
                r.value->elements(scope_, selected_);
                const std::size_t count = selected_.size() - from;
                if (count == 0 && r.at_least_one)
                    fail(code::missing_value, r, where, fmt::format("nothing selected by {} in {}, at least one required", r.value->text(), source_place()));
                const core::node* saved = scope_.node;
                const std::size_t turn = vars_.mark();
                for (std::size_t i = 0; i < count; ++i) {
                    scope_.node = selected_[from + i];
                    if (reads_position_) {  // $position: the 1-based turn of this loop
                        char digits[24];
                        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, i + 1);
                        vars_.set("position", std::string_view(digits, static_cast<std::size_t>(end - digits)));
                    }
                    body(r, out, used, where);
                    vars_.undo_to(turn);
                }
                selected_.resize(from);
                scope_.node = saved;
                break;
            }
            case mapping::rule::kind::when: {
                if (r.value->holds(scope_)) body(r, out, used, where);
                break;
            }
            }
        }
        vars_.undo_to(mark);
    }
    void element(const mapping::rule& r, core::node& parent, std::size_t& used, const place& where) {
        core::node& n = parent.refill_child(used);
        n.name = r.symbol;
        n.ns = r.ns;
        place at{&where, r.name, false, &parent, used - 1};
        if (r.value) {
            if (!value(r, at, n.value) && r.required) fail(code::missing_value, r, at, fmt::format("required value {} is missing in {}{}", r.value->text(), source_place(), not_given(r)));
        }
        std::size_t children = 0;
        if (!r.children.empty()) body(r, n, children, at);
        n.trim(children);
        if (r.width) {  // a fixed-width field takes its place, empty or not; the writer pads it
            n.set_attribute("width", std::to_string(r.width));
            if (r.align == 'r') n.set_attribute("align", "right");
            if (r.pad != ' ') n.set_attribute("pad", std::string(1, r.pad));
            return;
        }
        if (n.value.empty() && n.attributes.empty() && n.children.empty() && !r.keep_empty) {
            if (r.required && !r.value) fail(code::missing_value, r, at, fmt::format("required element has no content from {}", source_place()));
            --used;  // an optional element with nothing in it is left out (its node refilled next, or trimmed)
        }
    }

    const mapping& m_;
    const mapping::rule& root_;
    std::vector<core::diagnostic>& findings_;
    std::vector<trace>* explain_;
    scope scope_;
    bindings vars_;  ///< the run's, with what the rules set so far
    std::vector<const core::node*> selected_;  ///< what the open for-each loops go over, outermost first
    bool reads_position_;  ///< a rule reads $position: each turn of a loop sets it
    bool failed_ = false;
};

}  // namespace

std::optional<mapping> mapping::load(const fs::path& file, const xml::schema_catalog& schemas, const fs::path& codes,
                                     std::vector<core::diagnostic>& problems) {
    auto fail = [&](std::string text, std::uint32_t line = 0, std::uint32_t column = 0) {
        problems.push_back(problem(code::bad_file, std::move(text), line, column));
        return std::nullopt;
    };
    core::diagnostic read_problem;
    auto tree = xml::read_file(file, read_problem);
    if (!tree) return fail(fmt::format("{}: {}", file.string(), read_problem.text), read_problem.where.line, read_problem.where.column);
    const auto* schema = schemas.named("mapping-v1");
    if (!schema) return fail("xsd/mapping-v1.xsd is not installed: mapping files cannot be checked");
    auto grammars = schemas.grammars(*schema, read_problem);
    if (!grammars) return fail(read_problem.text);
    collect c;
    xml::read_options o;
    o.schema = grammars;
    o.build_tree = false;
    xml::read(file, c, o);
    if (tree->ns != "urn:edigate:mapping:1")
        return fail(fmt::format("{}: not a mapping file (root {{{}}}{}, expected {{urn:edigate:mapping:1}}mapping)", file.string(), tree->ns.str(), tree->name), tree->line);
    for (const auto& d : c.found) fail(fmt::format("{}:{}:{}: {} ({})", file.string(), d.where.line, d.where.column, d.text, d.where.path), d.where.line, d.where.column);
    if (!c.found.empty()) return std::nullopt;

    mapping m;
    m.file_ = file;
    m.name_ = *attribute(*tree, "name");
    m.source_ = *attribute(*tree, "source");
    m.target_ = *attribute(*tree, "target");
    if (const auto* when = attribute(*tree, "when")) {
        std::string error;
        std::size_t offset = 0;
        auto e = expression::compile(*when, error, offset);
        if (!e) return fail(fmt::format("{}:{}: in when=\"{}\" at offset {}: {}", file.string(), tree->line, *when, offset, error), tree->line);
        m.reads_interchange_ = e->reads_interchange();
        m.when_ = std::make_shared<const expression>(std::move(*e));
    }
    const core::node& output = *tree->child("output");
    auto root = std::make_shared<rule>();
    root->name = *attribute(output, "root");
    root->symbol = root->name;
    if (const auto* ns = attribute(output, "namespace")) root->ns = *ns;
    root->line = output.line;
    compiler comp(file, problems);
    if (!comp.content(output, *root, root->ns)) return std::nullopt;
    m.reads_interchange_ = m.reads_interchange_ || comp.reads_interchange;
    m.reads_position_ = comp.reads_position;
    if (!fixed_layout(*root, m.target_ == "fixed", 0, file, problems)) return std::nullopt;
    for (const auto& t : comp.tables) {
        if (m.tables_.contains(t)) continue;
        core::diagnostic table_problem;
        auto table = code_table::load(codes / (t + ".csv"), table_problem);
        if (!table) return fail(table_problem.text, table_problem.where.line);
        m.tables_.emplace(t, std::move(*table));
    }
    m.output_ = std::move(root);
    return m;
}

std::optional<core::node> mapping::run(const core::node& source, const variables& vars, std::vector<core::diagnostic>& findings,
                                       std::vector<trace>* explain, const core::node* interchange) const {
    core::node out;
    if (!fill(out, source, vars, findings, explain, interchange)) return std::nullopt;
    return out;
}

bool mapping::fill(core::node& out, const core::node& source, const variables& vars, std::vector<core::diagnostic>& findings,
                   std::vector<trace>* explain, const core::node* interchange) const {
    return runner(*this, *output_, reads_position_, source, vars, tables_, findings, explain, interchange).run(out);
}

bool mapping::applies(const core::node& source, const variables& vars, const core::node* interchange) const {
    if (!when_) return true;
    scope s;
    s.node = s.root = &source;
    s.interchange = interchange;
    bindings b(&vars);
    s.vars = &b;
    s.tables = &tables_;
    return when_->holds(s);
}

std::vector<fs::path> default_mapping_roots() { return core::data_roots("EDIGATE_MAPPINGS", "mappings"); }

std::optional<fs::path> find_mapping(std::string_view name, const std::vector<fs::path>& roots) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(name), ec)) return fs::path(name);
    std::string wanted = std::string(name) + ".map.xml";
    for (const auto& root : roots) {
        if (!fs::is_directory(root, ec)) continue;
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->path().filename() == wanted) return it->path();
    }
    return std::nullopt;
}

}  // namespace edigate::mapping
