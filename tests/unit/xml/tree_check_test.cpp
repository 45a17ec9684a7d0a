// tree_check_test.cpp - the tree checker against Xerces-C, its reference: our pattern automata
// against Xerces-C's regular expressions on every pattern of the installed schemas, and the
// checker's verdict on thousands of mutated agency documents against writing each one and
// validating it with Xerces-C. The checker may say "not sure" only where it says it would.
#include <catch2/catch.hpp>

#include <xercesc/util/regx/RegularExpression.hpp>
#include <xercesc/validators/schema/SchemaSymbols.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <sstream>

#include "detail/pattern.hpp"
#include "edigate/xml/reader.hpp"
#include "edigate/xml/schemas.hpp"
#include "edigate/xml/tree_check.hpp"
#include "edigate/xml/writer.hpp"
#include "xerces_support.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace edigate::xml::detail {
/// A value the automaton accepts, by a random walk (nullopt when the walk found no way out).
struct pattern_probe {
    static std::optional<std::string> walk(const pattern& p, std::mt19937& rng) {
        std::string out;
        std::uint64_t at = 0;  // 0: the start
        for (int step = 0; step < 80; ++step) {
            bool can_stop = step == 0 ? p.nullable_ : (at & p.last_) != 0;
            if (can_stop && rng() % 4 == 0) return out;
            std::uint64_t next = 0;
            if (step == 0) next = p.first_;
            else
                for (std::uint64_t s = at; s; s &= s - 1) next |= p.follow_[static_cast<unsigned>(__builtin_ctzll(s))];
            std::vector<char> bytes;
            for (int b = 0; b < 128; ++b)  // what XML can carry (the writer refuses the rest)
                if ((p.accepts_[b] & next) && (b >= 0x20 || b == '\t' || b == '\n' || b == '\r')) bytes.push_back(static_cast<char>(b));
            if (bytes.empty()) return can_stop ? std::optional<std::string>(out) : std::nullopt;
            char c = bytes[rng() % bytes.size()];
            out += c;
            at = next & p.accepts_[static_cast<unsigned char>(c)];
        }
        return std::nullopt;
    }
};
}  // namespace edigate::xml::detail

namespace {

/// Every pattern of the schemas under these folders.
std::vector<std::string> schema_patterns(const std::vector<fs::path>& roots) {
    std::vector<std::string> out;
    std::regex facet("<xs:pattern value=\"([^\"]*)\"");
    for (const auto& root : roots) {
        if (!fs::exists(root)) continue;
        for (const auto& f : fs::recursive_directory_iterator(root)) {
            if (f.path().extension() != ".xsd") continue;
            std::ifstream in(f.path());
            std::string text((std::istreambuf_iterator<char>(in)), {});
            for (std::sregex_iterator it(text.begin(), text.end(), facet), end; it != end; ++it) {
                std::string v = (*it)[1];
                for (auto [from, to] : {std::pair<std::string, std::string>{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}})
                    for (std::size_t at; (at = v.find(from)) != std::string::npos;) v.replace(at, from.size(), to);
                out.push_back(v);
            }
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool xerces_matches(xercesc::RegularExpression& re, const std::string& v) {
    auto text = xml::detail::utf16(v);
    return re.matches(xml::detail::xch(text));
}

}  // namespace

TEST_CASE("our pattern automata agree with Xerces-C's regular expressions on ASCII values") {
    xml::detail::init_xerces();
    auto patterns = schema_patterns({fs::path(EDIGATE_SOURCE_DIR) / "xsd", fs::path(EDIGATE_SHARED_DIR) / "agency-formats"});
    REQUIRE(patterns.size() > 60);
    std::mt19937 rng(11);
    const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz/-._: '@|?*+()[]{}^$\\\t\n\r~";
    std::size_t compiled = 0, accepted = 0, tried = 0;
    for (const auto& text : patterns) {
        auto own = xml::detail::pattern::compile(text);
        if (!own) WARN("left to Xerces-C: " << text);
        if (!own) continue;
        ++compiled;
        auto u = xml::detail::utf16(text);
        xercesc::RegularExpression re(xml::detail::xch(u), xercesc::SchemaSymbols::fgRegEx_XOption);
        auto agree = [&](const std::string& v) {
            bool ours = own->matches(v);
            INFO("pattern " << text << ", value '" << v << "'");
            REQUIRE(ours == xerces_matches(re, v));
            ++tried, accepted += ours;
        };
        for (int i = 0; i < 300; ++i) {
            auto walk = xml::detail::pattern_probe::walk(*own, rng);
            if (!walk) continue;
            agree(*walk);
            // one change to a matching value: a byte replaced, dropped or added
            std::string m = *walk;
            std::size_t at = m.empty() ? 0 : rng() % m.size();
            char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
            case 0: if (!m.empty()) m[at] = c; break;
            case 1: if (!m.empty()) m.erase(at, 1); break;
            default: m.insert(m.begin() + static_cast<long>(at), c); break;
            }
            agree(m);
        }
        for (int i = 0; i < 200; ++i) {
            std::string v(rng() % 12, ' ');
            for (auto& ch : v) ch = alphabet[rng() % alphabet.size()];
            agree(v);
        }
    }
    INFO(compiled << " of " << patterns.size() << " patterns compiled");
    CHECK(compiled + 1 == patterns.size());  // all but swimportmessage's "( ?\d{2,4}){0,4}" (see pattern.hpp)
    CHECK(accepted > tried / 4);         // the comparison saw matching values, not just refusals
}

TEST_CASE("patterns: what is covered and what is left to Xerces-C") {
    using xml::detail::pattern;
    CHECK(pattern::compile("[A-Z]{3}[UJZ]\\d{7}")->matches("MSCU1234567"));
    CHECK_FALSE(pattern::compile("[A-Z]{3}[UJZ]\\d{7}")->matches("MSCX1234567"));
    CHECK(pattern::compile("(\\d{6})?")->matches(""));
    CHECK(pattern::compile("^a$")->matches("^a$"));  // ordinary characters in XSD
    CHECK(pattern::compile("[^a-c]+")->matches("xyz"));
    CHECK_FALSE(pattern::compile("[^a-c]+")->matches("xaz"));
    CHECK(pattern::compile("a.c")->matches("a-c"));
    CHECK_FALSE(pattern::compile("a.c")->matches("a\nc"));
    for (const char* unsupported : {"\\w+", "\\p{Lu}", "[a-z-[aeiou]]", "\\i\\c*", "a{1,100}", "(\\d{2,4})*"}) CHECK_FALSE(pattern::compile(unsupported));
    CHECK(pattern::compile("\\d{2,4}\\d"));  // a range outside any repetition backtracks in Xerces-C too
    for (const char* broken : {"(a", "a)", "[a", "a{2,1}", "*a", "[]"}) CHECK_FALSE(pattern::compile(broken));
}

namespace {

struct errors_only final : xml::document_handler {
    std::size_t errors = 0;
    std::string first;
    void finding(const core::diagnostic& d) override {
        if (d.level != core::severity::error) return;
        if (!errors++) first = d.text;
    }
};

/// Xerces-C's verdict: the tree written as a translation writes it, read back against the schema.
bool xerces_valid(const std::shared_ptr<const xml::grammar_set>& g, const core::node& tree, std::string& why) {
    std::ostringstream text;
    try {
        xml::writer w(text, {.indent = true});
        w.node(tree);
        w.finish();
    } catch (const xml::write_error& e) {
        why = e.what();
        return false;
    }
    errors_only f;
    xml::read_options o;
    o.schema = g;
    o.build_tree = false;
    xml::read_memory(text.str(), "mutant", f, o);
    why = f.first;
    return f.errors == 0;
}

void all_nodes(core::node& n, std::vector<core::node*>& out) {
    out.push_back(&n);
    for (auto& c : n.children) all_nodes(c, out);
}

/// One random change of the kind a mapping mistake makes: an element dropped, repeated, moved or
/// renamed, a value that breaks a length, pattern or enumeration, an attribute added or dropped.
void mutate(core::node& root, std::mt19937& rng) {
    std::vector<core::node*> nodes;
    all_nodes(root, nodes);
    core::node& n = *nodes[rng() % nodes.size()];
    static const std::vector<std::string> values = {
        "", " ", "X", "0", "1", "-1", "12345", "1.5", "-0.50", "1e3", "007", "2024", "20240316", "20240316090512",
        "20240316090512345", "20241316090512345", "202403160905123456", "CNSHA", "cnsha", "USD", "MT1101", " MT1101 ",
        "MSCU1234567", "2305", "true", "false", "上海港", "上海港集装箱码头有限公司", "𠀀𠀁", "a&b<c>\"d'", "A  B", " lead",
        "trail ", "tab\there", "line\nbreak", "2024-03-16T09:05:12", "2024-03-16", "9", "99", "999999999999", "0.001",
        std::string(70, 'A'), std::string(600, 'Z'), "E", "I", "1.2.3", "ABC/123", "abc-DEF_1", "P", "22G1", "N"};
    switch (rng() % 10) {
    case 0:
    case 1:
    case 2: {  // a value: replaced, or one character changed
        if (!n.children.empty() && rng() % 4) break;
        if (rng() % 2 || n.value.empty()) n.value = values[rng() % values.size()];
        else {
            std::size_t at = rng() % n.value.size();
            const std::string swaps = "0A9z -./";
            n.value[at] = static_cast<unsigned char>(n.value[at]) < 0x80 ? swaps[rng() % swaps.size()] : n.value[at];
        }
        break;
    }
    case 3:
        if (!n.children.empty()) n.children.erase(n.children.begin() + static_cast<long>(rng() % n.children.size()));
        break;
    case 4:
        if (!n.children.empty()) {
            auto at = rng() % n.children.size();
            core::node copy = n.children[at];
            n.children.insert(n.children.begin() + static_cast<long>(at), std::move(copy));
        }
        break;
    case 5:
        if (n.children.size() > 1) {
            auto at = rng() % (n.children.size() - 1);
            std::swap(n.children[at], n.children[at + 1]);
        }
        break;
    case 6:  // renamed: to a sibling's name or one nobody declares
        if (&n != &root) n.name = rng() % 2 && !nodes.empty() ? nodes[rng() % nodes.size()]->name : core::symbol("Unknown");
        break;
    case 7:
        if (n.attributes.empty() || rng() % 2) n.set_attribute(rng() % 3 ? "ver" : rng() % 2 ? "xsi:nil" : "id", rng() % 2 ? "1.0" : "x");
        else n.attributes.erase(n.attributes.begin());
        break;
    case 8:
        if (&n != &root && rng() % 4 == 0) n.ns = core::symbol(rng() % 2 ? "" : "urn:other");
        break;
    default:  // a child that belongs elsewhere
        if (nodes.size() > 2) {
            core::node copy = *nodes[rng() % nodes.size()];
            if (copy.children.size() < 50) n.children.insert(n.children.begin() + static_cast<long>(rng() % (n.children.size() + 1)), std::move(copy));
        }
        break;
    }
}

}  // namespace

TEST_CASE("the tree checker gives Xerces-C's verdict on agency documents and their mutants") {
    // with the official CEB schemas when ../shared is here (the e-commerce outputs need them)
    xml::schema_catalog catalog({fs::path(EDIGATE_SOURCE_DIR) / "xsd", fs::path(EDIGATE_SHARED_DIR) / "agency-formats/cross-border-ecommerce-ceb/xsd-202205"});
    std::map<std::string, std::size_t> valid_mutants, invalid_mutants;
    std::size_t files = 0;
    std::mt19937 rng(5);
    for (const auto& f : fs::directory_iterator(fs::path(EDIGATE_SOURCE_DIR) / "tests/golden/mapping")) {
        if (f.path().extension() != ".xml") continue;
        core::diagnostic problem;
        auto tree = xml::read_file(f.path(), problem);
        REQUIRE(tree);
        const auto* entry = catalog.find(tree->ns, tree->name);
        if (!entry) continue;  // an agency schema under ../shared (CEB), which is absent
        auto g = catalog.grammars(*entry, problem);
        REQUIRE(g);
        auto gaps = xml::tree_check_gaps(*g);
        INFO(f.path().filename().string() << " against " << entry->name << (gaps.empty() ? "" : ", left to Xerces-C: " + gaps));
        std::string why;
        REQUIRE(xerces_valid(g, *tree, why));
        if (!gaps.empty()) {  // then the checker never claims validity
            WARN(f.path().filename().string() << ": " << gaps);
            CHECK_FALSE(xml::surely_valid(*g, *tree));
            continue;
        }
        ++files;
        CHECK(xml::surely_valid(*g, *tree));
        for (int i = 0; i < 1000; ++i) {
            core::node mutant = *tree;
            for (unsigned k = 0, n = 1 + rng() % 3; k < n; ++k) mutate(mutant, rng);
            bool ours = xml::surely_valid(*g, mutant);
            bool reference = xerces_valid(g, mutant, why);
            if (ours != reference) {
                std::ostringstream text;
                xml::writer w(text, {.indent = true});
                w.node(mutant);
                w.finish();
                INFO("mutant " << i << ": checker " << ours << ", Xerces-C " << reference << " (" << why << ")\n" << text.str());
                REQUIRE(ours == reference);
            }
            ++(reference ? valid_mutants : invalid_mutants)[entry->name];
        }
    }
    CHECK(files >= 15);
    for (const auto& [schema, n] : invalid_mutants) WARN(schema << ": " << valid_mutants[schema] << " valid and " << n << " invalid mutants");
    for (const auto& [schema, n] : invalid_mutants) {
        INFO(schema << ": " << valid_mutants[schema] << " valid and " << n << " invalid mutants");
        CHECK(valid_mutants[schema] > 10);  // both verdicts were compared, not just refusals
        CHECK(n > 10);
    }
}

TEST_CASE("identity constraints: duplicates as Xerces-C compares them (numbers by value, strings as written)") {
    xml::schema_catalog catalog({fs::path(EDIGATE_SOURCE_DIR) / "xsd"});
    core::diagnostic problem;
    auto check = [&](const char* golden, const char* list, const char* item, const char* field, const std::vector<std::string>& values) {
        auto tree = xml::read_file(fs::path(EDIGATE_SOURCE_DIR) / "tests/golden/mapping" / golden, problem);
        REQUIRE(tree);
        const auto* entry = catalog.find(tree->ns, tree->name);
        REQUIRE(entry);
        auto g = catalog.grammars(*entry, problem);
        REQUIRE(g);
        REQUIRE(xml::tree_check_gaps(*g).empty());
        core::node* parent = list ? nullptr : &*tree;
        for (auto& c : tree->children)
            if (list && c.name == list) parent = &c;
        REQUIRE(parent);
        REQUIRE(parent->child(item));
        const core::node model = *parent->child(item);
        parent->children.erase(std::remove_if(parent->children.begin(), parent->children.end(), [&](const core::node& c) { return c.name == item; }),
                               parent->children.end());
        std::size_t at = parent->children.size();
        for (std::size_t i = 0; i + 1 < values.size(); i += 2) {
            core::node first = model, second = model;
            for (auto* n : {&first, &second})
                for (auto& c : n->children)
                    if (c.name == field) c.value = values[i + (n == &second)];
            parent->children.resize(at);
            parent->children.push_back(first);
            parent->children.push_back(second);
            std::string why;
            bool reference = xerces_valid(g, *tree, why);
            INFO(golden << ": " << values[i] << " and " << values[i + 1] << ": Xerces-C " << reference << " (" << why << ")");
            CHECK(xml::surely_valid(*g, *tree) == reference);
        }
    };
    // SequenceNumber is a positiveInteger: 1 and 01 are one number
    check("paxlst-d96a-crew.1.paxlst-crewlist.xml", "Persons", "Person", "SequenceNumber", {"1", "2", "1", "01", "7", "+7", "3", " 3 ", "10", "1"});
    // BILL_LAD_NO is a string: compared as written after its white-space rule
    check("cuscar-d96a-manifest.1.cuscar-ciq-manifest.xml", nullptr, "CIQ_MANIFEST_BILL", "BILL_LAD_NO",
          {"B1", "B2", "B1", "B1", "B1", "b1", "B1", "B1 "});
}

TEST_CASE("numbers: decimal and integer values the checker takes itself get Xerces-C's verdict") {
    // Every leaf of the MT1101, DecMessage and MT4101 goldens given numbers around their types'
    // digits and bounds (xs:decimal with totalDigits/fractionDigits/minInclusive,
    // positiveInteger and nonNegativeInteger with maxInclusive), and other spellings.
    xml::schema_catalog catalog({fs::path(EDIGATE_SOURCE_DIR) / "xsd"});
    std::vector<std::string> numbers = {"0", "00", "0.0", "-0", "+0", "+5", "-5", "1.", ".5", "0.5", "1", "9999", "09999", "10000",
                                        "99999999", "100000000", "0000000000099999999", "1e5", "5.0", "12345678901234", "123456789012345",
                                        "1234567890.1234", "12345678901.1234", "1.23456", "1.2340", "98.6", "20270", "0.0001", "0.00001",
                                        "00000000000001.5", "1 2", "١٢", "1.5.", "--1", ""};
    std::mt19937 rng(11);
    for (int i = 0; i < 200; ++i) {  // plain digits of every length, some with a fraction
        std::string v;
        for (unsigned n = 1 + rng() % 18; n; --n) v += static_cast<char>('0' + rng() % 10);
        if (rng() % 2) {
            v += '.';
            for (unsigned n = 1 + rng() % 6; n; --n) v += static_cast<char>('0' + rng() % 10);
        }
        numbers.push_back(v);
    }
    std::size_t compared = 0, valid = 0;
    for (const char* golden : {"cuscar-d96a-manifest.1.cuscar-mt1101.xml", "cusdec-d96a-declaration.1.cusdec-decmessage.xml",
                               "baplie-d95b-departure.1.baplie-mt4101.xml"}) {
        core::diagnostic problem;
        auto tree = xml::read_file(fs::path(EDIGATE_SOURCE_DIR) / "tests/golden/mapping" / golden, problem);
        REQUIRE(tree);
        auto g = catalog.grammars(*catalog.find(tree->ns, tree->name), problem);
        REQUIRE(g);
        REQUIRE(xml::tree_check_gaps(*g).empty());
        std::vector<core::node*> nodes;
        all_nodes(*tree, nodes);
        for (auto* leaf : nodes) {
            if (!leaf->children.empty() || leaf->value.empty() || leaf->value.find_first_not_of("0123456789.") != std::string::npos) continue;
            const std::string kept = leaf->value;
            for (const auto& v : numbers) {
                leaf->value = v;
                std::string why;
                bool reference = xerces_valid(g, *tree, why);
                INFO(golden << ": " << leaf->name.view() << " = \"" << v << "\": Xerces-C " << reference << " (" << why << ")");
                REQUIRE(xml::surely_valid(*g, *tree) == reference);
                ++compared, valid += reference;
            }
            leaf->value = kept;
        }
    }
    CHECK(compared > 1000);
    CHECK(valid > compared / 4);
    CHECK(valid < compared * 3 / 4);
}
