// tree_check.cpp - see tree_check.hpp.
#include "edigate/xml/tree_check.hpp"

#include <xercesc/framework/psvi/XSAttributeDeclaration.hpp>
#include <xercesc/framework/psvi/XSAttributeUse.hpp>
#include <xercesc/framework/psvi/XSComplexTypeDefinition.hpp>
#include <xercesc/framework/psvi/XSElementDeclaration.hpp>
#include <xercesc/framework/psvi/XSIDCDefinition.hpp>
#include <xercesc/framework/psvi/XSModel.hpp>
#include <xercesc/framework/psvi/XSModelGroup.hpp>
#include <xercesc/framework/psvi/XSNamedMap.hpp>
#include <xercesc/framework/psvi/XSParticle.hpp>
#include <xercesc/framework/psvi/XSSimpleTypeDefinition.hpp>
#include <xercesc/framework/psvi/XSWildcard.hpp>
#include <xercesc/util/regx/RegularExpression.hpp>
#include <xercesc/validators/datatype/AbstractStringValidator.hpp>
#include <xercesc/validators/datatype/DatatypeValidator.hpp>
#include <xercesc/validators/schema/SchemaSymbols.hpp>
#include <xercesc/util/KVStringPair.hpp>
#include <xercesc/util/RefHashTableOf.hpp>

#include <boost/container/small_vector.hpp>
#include <algorithm>
#include <climits>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "detail/pattern.hpp"
#include "xerces_support.hpp"

namespace x = xercesc;

namespace edigate::xml {

namespace {

constexpr std::size_t max_depth = 256;           // the reader's bound (limits::max_depth)
constexpr std::size_t max_checked_value = 1u << 20;  // longer text: Xerces-C decides
constexpr std::size_t max_checked_attributes = 128u << 10;  // one tag's, under the reader's 1 MiB once escaped

bool xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// White space as Xerces-C's scanner normalises element and attribute values before checking them.
std::string_view normalised(std::string_view v, short ws, std::string& scratch) {
    if (ws == x::DatatypeValidator::PRESERVE) return v;
    bool clean = true;
    for (std::size_t i = 0; i < v.size() && clean; ++i) {
        char c = v[i];
        if (c == '\t' || c == '\n' || c == '\r') clean = false;
        else if (c == ' ' && ws == x::DatatypeValidator::COLLAPSE && (i == 0 || i + 1 == v.size() || v[i + 1] == ' ')) clean = false;
    }
    if (clean) return v;
    scratch.clear();
    for (char c : v) {
        if (xml_space(c)) c = ' ';
        if (ws == x::DatatypeValidator::COLLAPSE && c == ' ' && (scratch.empty() || scratch.back() == ' ')) continue;
        scratch += c;
    }
    if (ws == x::DatatypeValidator::COLLAPSE && !scratch.empty() && scratch.back() == ' ') scratch.pop_back();
    return scratch;
}

/// Length as Xerces-C counts it: UTF-16 code units (a character beyond U+FFFF counts two).
std::size_t utf16_length(std::string_view v) {
    std::size_t n = 0;
    for (char c : v) {
        auto b = static_cast<unsigned char>(c);
        n += (b & 0xC0) != 0x80;
        n += b >= 0xF0;
    }
    return n;
}

bool ascii(std::string_view v) {
    for (char c : v)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

/// A decimal (or integer) type's facets, when it has no others: an unsigned value in plain
/// digits that surely meets them is taken here; any other value goes to Xerces-C's validator.
struct decimal_facets {
    std::size_t total_digits = SIZE_MAX, fraction_digits = SIZE_MAX;
    bool integer = false;  ///< the built-in integer pattern [+\-]?[0-9]+ holds at some step
    struct bound {
        std::string digits, fraction;  ///< without leading (whole) and trailing (fraction) zeros
        bool negative = false, lower = false, inclusive = false;
    };
    std::vector<bound> bounds;

    /// An unsigned decimal as written: false when `v` is not [0-9]+(.[0-9]+)?.
    static bool split(std::string_view v, std::string_view& whole, std::string_view& fraction) {
        auto dot = v.find('.');
        whole = v.substr(0, dot);
        fraction = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
        if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return false;
        for (char c : whole)
            if (c < '0' || c > '9') return false;
        for (char c : fraction)
            if (c < '0' || c > '9') return false;
        return true;
    }
    static void trim(std::string_view& whole, std::string_view& fraction) {
        while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
        while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    }
    /// -1, 0, 1 as the unsigned value (w, f) compares with b's magnitude, both trimmed.
    static int compare(std::string_view w, std::string_view f, const bound& b) {
        if (w.size() != b.digits.size()) return w.size() < b.digits.size() ? -1 : 1;
        if (int c = w.compare(b.digits)) return c < 0 ? -1 : 1;
        if (int c = f.compare(b.fraction)) return c < 0 ? -1 : 1;  // trimmed: a prefix is the smaller
        return 0;
    }
    /// True: `v` is surely valid. False: not known here.
    bool surely(std::string_view v) const {
        std::string_view whole, fraction;
        if (v.size() > 64 || !split(v, whole, fraction)) return false;
        // digits counted as written (leading and trailing zeros too): never fewer than Xerces-C counts
        if ((integer && !fraction.empty()) || fraction.size() > fraction_digits || whole.size() + fraction.size() > total_digits) return false;
        trim(whole, fraction);
        const bool zero = whole.empty() && fraction.empty();
        for (const auto& b : bounds) {
            const bool bound_zero = b.digits.empty() && b.fraction.empty();
            int c = b.negative && !bound_zero ? 1 : compare(whole, fraction, b);  // v >= 0 > a negative bound
            if (zero && bound_zero) c = 0;
            if (b.lower ? (b.inclusive ? c < 0 : c <= 0) : (b.inclusive ? c > 0 : c >= 0)) return false;
        }
        return true;
    }
    /// A bound as the schema spells it ([+-]?digits[.digits]); false when it is spelled otherwise.
    static bool make_bound(std::string_view text, bool lower, bool inclusive, bound& out) {
        out = bound{};
        out.lower = lower, out.inclusive = inclusive;
        if (!text.empty() && (text[0] == '-' || text[0] == '+')) out.negative = text[0] == '-', text.remove_prefix(1);
        std::string_view whole, fraction;
        if (!split(text, whole, fraction)) return false;
        trim(whole, fraction);
        out.digits = whole, out.fraction = fraction;
        return true;
    }
};

struct simple_type {
    x::DatatypeValidator* dv = nullptr;
    short ws = x::DatatypeValidator::PRESERVE;
    bool own = false;  ///< a string type checked here; else Xerces-C's validator checks each value
    std::optional<decimal_facets> decimal;  ///< a decimal type whose plain values are decided here
    std::size_t min_length = 0, max_length = SIZE_MAX;
    std::vector<std::vector<std::string>> enumerations;  ///< each derivation step's, all must hold
    struct pattern_facet {
        std::optional<detail::pattern> own;
        std::shared_ptr<x::RegularExpression> xerces;
    };
    std::vector<pattern_facet> patterns;  ///< each derivation step's, all must hold

    bool valid(std::string_view raw) const {
        if (own && min_length == 0 && max_length == SIZE_MAX && enumerations.empty() && patterns.empty()) return true;  // any string
        std::string scratch;
        std::string_view v = normalised(raw, ws, scratch);
        if (!own) {
            if (decimal && decimal->surely(v)) return true;
            auto text = detail::utf16(v);
            try {
                dv->validate(detail::xch(text), nullptr, x::XMLPlatformUtils::fgMemoryManager);
                return true;
            } catch (...) {  // InvalidDatatypeValueException and its kin: not valid
                return false;
            }
        }
        // UTF-16 units are at most the bytes and at least a third of them: counted only when that
        // does not decide the length facets
        if (v.size() > max_length || v.size() / 3 < min_length) {
            std::size_t length = utf16_length(v);
            if (length < min_length || length > max_length) return false;
        }
        for (const auto& e : enumerations)
            if (std::find_if(e.begin(), e.end(), [&](const std::string& a) { return a == v; }) == e.end()) return false;
        if (patterns.empty()) return true;
        bool plain = ascii(v);
        std::u16string text;
        for (const auto& p : patterns) {
            if (plain && p.own) {
                if (!p.own->matches(v)) return false;
                continue;
            }
            if (text.empty()) text = detail::utf16(v);
            if (!p.xerces->matches(detail::xch(text), x::XMLPlatformUtils::fgMemoryManager)) return false;
        }
        return true;
    }
};

struct element_decl;

struct particle {
    enum kind_t { element, sequence, choice, all, wildcard } kind = element;
    std::size_t min = 1, max = 1;  ///< max SIZE_MAX: unbounded
    const element_decl* decl = nullptr;
    std::vector<particle> parts;
    // wildcard (processContents skip only): which namespaces it takes
    enum { any_ns, not_ns, list_ns } ns_rule = any_ns;
    std::vector<core::symbol> namespaces;
};

struct attribute_use {
    std::string name;
    const simple_type* type = nullptr;
    bool required = false;
    std::optional<std::string> fixed;  ///< normalised
};

struct complex_type {
    x::XSComplexTypeDefinition::CONTENT_TYPE content = x::XSComplexTypeDefinition::CONTENTTYPE_EMPTY;
    const simple_type* simple = nullptr;  ///< simple content
    std::optional<particle> model;
    std::vector<attribute_use> attributes;
    std::vector<const element_decl*> elements;  ///< every element the model names (one type per name)
    /// The model is a sequence, once, of elements with distinct names: the children are runs of
    /// those names in that order, so one pass decides, each run as long as it goes.
    bool flat = false;
};

/// xs:unique or xs:key with child paths of unqualified names and one field of a string or decimal type.
struct identity {
    bool key = false;                   ///< every selected element must have the field
    std::vector<core::symbol> selector;  ///< child names from the constraint's element
    std::vector<core::symbol> field;     ///< child names from a selected element
    const simple_type* type = nullptr;   ///< the field's: values compare normalised (strings) or as numbers
};

/// A decimal in one spelling per value ("+01.50" and "1.5" alike), as identity constraints compare them.
std::string canonical_decimal(std::string_view v) {
    bool negative = !v.empty() && v[0] == '-';
    if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
    auto dot = v.find('.');
    std::string_view whole = v.substr(0, dot), fraction = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
    while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (whole.empty() && fraction.empty()) return "0";
    std::string out = negative ? "-" : "";
    out.append(whole.empty() ? std::string_view("0") : whole);
    if (!fraction.empty()) out.append(".").append(fraction);
    return out;
}

struct element_decl {
    core::symbol name, ns;
    const simple_type* simple = nullptr;
    const complex_type* complex = nullptr;
    std::optional<std::string> fixed;  ///< normalised
    bool has_default = false;
    std::vector<identity> constraints;
};

using positions = boost::container::small_vector<std::uint32_t, 4>;  ///< sorted child indexes

void add(positions& p, std::uint32_t at) {
    auto it = std::lower_bound(p.begin(), p.end(), at);
    if (it == p.end() || *it != at) p.insert(it, at);
}

bool named(const core::node& n, const element_decl& d) { return n.name == d.name && n.ns == d.ns; }
bool named_alike(const element_decl& a, const element_decl& b) { return a.name == b.name && a.ns == b.ns; }

/// Which of the children the content model may have consumed: from each start in `in`, where
/// one match of `p` (with its occurrences) can end.
class matcher {
public:
    explicit matcher(const std::vector<core::node>& children) : c_(children) {}

    void occurs(const particle& p, const positions& in, positions& out) const {
        out.clear();
        if (p.min == 0) out = in;
        positions level = in, next;
        for (std::size_t i = 1; i <= p.max; ++i) {
            once(p, level, next);
            if (next.empty()) break;
            if (i < p.min) {
                if (next == level) i = p.min - 1;  // a part that may be empty: the level repeats until min
                level.swap(next);
                continue;
            }
            bool grew = false;
            for (auto at : next)
                if (!std::binary_search(out.begin(), out.end(), at)) add(out, at), grew = true;
            if (!grew && i > p.min) break;  // what follows repeats what is known
            level.swap(next);
        }
    }

private:
    void once(const particle& p, const positions& in, positions& out) const {
        out.clear();
        switch (p.kind) {
        case particle::element:
            for (auto at : in)
                if (at < c_.size() && named(c_[at], *p.decl)) out.push_back(at + 1);
            return;
        case particle::wildcard:
            for (auto at : in)
                if (at < c_.size() && takes(p, c_[at].ns)) out.push_back(at + 1);
            return;
        case particle::sequence: {
            positions level = in, next;
            for (const auto& part : p.parts) {
                occurs(part, level, next);
                level.swap(next);
                if (level.empty()) break;
            }
            out = std::move(level);
            return;
        }
        case particle::choice: {
            positions one;
            for (const auto& part : p.parts) {
                occurs(part, in, one);
                for (auto at : one) add(out, at);
            }
            return;
        }
        case particle::all: return;  // only as a whole content model (see check())
        }
    }
    static bool takes(const particle& p, const core::symbol& ns) {
        bool listed = std::find(p.namespaces.begin(), p.namespaces.end(), ns) != p.namespaces.end();
        return p.ns_rule == particle::any_ns || (p.ns_rule == particle::list_ns ? listed : !listed && !ns.empty());
    }

    const std::vector<core::node>& c_;
};

std::string utf8_or_empty(const XMLCh* s) { return s ? detail::utf8(s) : std::string(); }

}  // namespace

/// The grammars compiled for trees: what Xerces-C's schema model says, in our own terms.
class tree_schema {
public:
    explicit tree_schema(x::XSModel& model) {
        auto* globals = model.getComponents(x::XSConstants::ELEMENT_DECLARATION);
        for (XMLSize_t i = 0; globals && i < globals->getLength() && gaps_.empty(); ++i)
            roots_.push_back(element(static_cast<x::XSElementDeclaration*>(globals->item(i))));
    }
    const std::string& gaps() const { return gaps_; }

    bool valid(const core::node& root) const {
        if (!gaps_.empty()) return false;
        for (const auto* d : roots_)
            if (named(root, *d)) return check(root, *d, 1);
        return false;
    }

private:
    bool check(const core::node& n, const element_decl& d, std::size_t depth) const {
        if (depth >= max_depth || n.value.size() > max_checked_value) return false;
        const complex_type* t = d.complex;
        if (!attributes_valid(n, t)) return false;
        bool empty = n.value.empty() && n.children.empty();
        if (d.simple || (t && t->content == x::XSComplexTypeDefinition::CONTENTTYPE_SIMPLE)) {
            const simple_type& s = d.simple ? *d.simple : *t->simple;
            if (!n.children.empty()) return false;
            if (n.value.empty() && (d.fixed || d.has_default)) return true;  // the schema's value stands in
            if (d.fixed) {
                std::string scratch;
                if (normalised(n.value, s.ws, scratch) != *d.fixed) return false;
            }
            return s.valid(n.value);
        }
        switch (t->content) {
        case x::XSComplexTypeDefinition::CONTENTTYPE_EMPTY: return empty;
        case x::XSComplexTypeDefinition::CONTENTTYPE_ELEMENT:
            for (char c : n.value)
                if (!xml_space(c)) return false;
            break;
        default: break;  // mixed
        }
        if (!t->model) return n.children.empty();
        if (!content_valid(n, t, depth)) return false;
        for (const auto& c : d.constraints)
            if (!identity_holds(n, c)) return false;
        return true;
    }
    bool content_valid(const core::node& n, const complex_type* t, std::size_t depth) const {
        if (t->flat) {
            std::size_t at = 0;
            const auto& c = n.children;
            for (const auto& part : t->model->parts) {
                std::size_t count = 0;
                for (; at < c.size() && count < part.max && named(c[at], *part.decl); ++at, ++count)
                    if (!check(c[at], *part.decl, depth + 1)) return false;
                if (count < part.min) return false;
            }
            return at == c.size();
        }
        if (!model_matches(*t->model, n.children)) return false;
        for (const auto& c : n.children) {
            const element_decl* cd = nullptr;
            for (const auto* e : t->elements)
                if (named(c, *e)) cd = e;
            if (cd && !check(c, *cd, depth + 1)) return false;  // else a wildcard's (skip): not checked
        }
        return true;
    }
    /// The elements a child path selects below `n` (unqualified names, as XSD 1.0 reads them).
    static void select(const core::node& n, const std::vector<core::symbol>& path, std::size_t step, std::vector<const core::node*>& out) {
        if (step == path.size()) {
            out.push_back(&n);
            return;
        }
        for (const auto& c : n.children)
            if (c.name == path[step] && c.ns.empty()) select(c, path, step + 1, out);
    }
    static bool identity_holds(const core::node& n, const identity& c) {
        std::vector<const core::node*> selected, fields;
        select(n, c.selector, 0, selected);
        std::unordered_set<std::string> seen;
        for (const auto* s : selected) {
            fields.clear();
            select(*s, c.field, 0, fields);
            if (fields.size() > 1) return false;  // a field must select one value at most
            if (fields.empty()) {
                if (c.key) return false;
                continue;
            }
            std::string scratch;
            std::string value = c.type->own ? std::string(normalised(fields[0]->value, c.type->ws, scratch))
                                            : canonical_decimal(normalised(fields[0]->value, c.type->ws, scratch));
            if (!seen.insert(std::move(value)).second) return false;
        }
        return true;
    }
    static bool model_matches(const particle& model, const std::vector<core::node>& children) {
        if (model.kind == particle::all) {
            if (children.empty()) return model.min == 0 || std::all_of(model.parts.begin(), model.parts.end(), [](const particle& p) { return p.min == 0; });
            std::vector<bool> seen(model.parts.size());
            for (const auto& c : children) {
                std::size_t k = 0;
                while (k < model.parts.size() && !named(c, *model.parts[k].decl)) ++k;
                if (k == model.parts.size() || seen[k]) return false;
                seen[k] = true;
            }
            for (std::size_t k = 0; k < model.parts.size(); ++k)
                if (model.parts[k].min > 0 && !seen[k]) return false;
            return true;
        }
        positions start{0}, end;
        matcher(children).occurs(model, start, end);
        return std::binary_search(end.begin(), end.end(), static_cast<std::uint32_t>(children.size()));
    }
    static bool attributes_valid(const core::node& n, const complex_type* t) {
        if (!t) return n.attributes.empty();
        std::size_t required = 0, bytes = 0;
        for (std::size_t i = 0; i < n.attributes.size(); ++i) {
            const auto& [name, value] = n.attributes[i];
            bytes += name.size() + value.size();
            if (bytes > max_checked_attributes) return false;  // escaped, the tag could pass the reader's bound
            const attribute_use* use = nullptr;
            for (const auto& a : t->attributes)
                if (a.name == name) use = &a;
            if (!use) return false;  // undeclared, or prefixed (xsi:type...): Xerces-C decides
            for (std::size_t k = 0; k < i; ++k)
                if (n.attributes[k].first == name) return false;  // twice: not even well-formed
            if (use->fixed) {
                std::string scratch;
                if (normalised(value, use->type->ws, scratch) != *use->fixed) return false;
            }
            if (!use->type->valid(value)) return false;
            required += use->required;
        }
        std::size_t needed = 0;
        for (const auto& a : t->attributes) needed += a.required;
        return required == needed;
    }

    void gap(std::string why) {
        if (gaps_.empty()) gaps_ = std::move(why);
    }

    const element_decl* element(x::XSElementDeclaration* e) {
        if (auto it = elements_.find(e); it != elements_.end()) return it->second;
        auto& d = element_store_.emplace_back();
        elements_[e] = &d;
        d.name = core::symbol(utf8_or_empty(e->getName()));
        d.ns = core::symbol(utf8_or_empty(e->getNamespace()));
        if (e->getAbstract() || e->getSubstitutionGroupAffiliation()) gap(d.name.str() + ": substitution groups");
        auto* type = e->getTypeDefinition();
        if (type->getTypeCategory() == x::XSTypeDefinition::SIMPLE_TYPE) d.simple = simple(static_cast<x::XSSimpleTypeDefinition*>(type));
        else d.complex = complex(static_cast<x::XSComplexTypeDefinition*>(type));
        if (auto* idc = e->getIdentityConstraints())
            for (XMLSize_t i = 0; i < idc->getLength(); ++i) identity_constraint(d, *static_cast<x::XSIDCDefinition*>(idc->item(i)));
        const simple_type* s = d.simple ? d.simple : d.complex && d.complex->simple ? d.complex->simple : nullptr;
        if (e->getConstraintType() == x::XSConstants::VALUE_CONSTRAINT_FIXED) {
            if (!s || !s->own) gap(d.name.str() + ": a fixed value on a type other than a string");
            else d.fixed = fixed_value(e->getConstraintValue(), *s);
        }
        d.has_default = e->getConstraintType() == x::XSConstants::VALUE_CONSTRAINT_DEFAULT;
        return &d;
    }
    /// "Persons/Person": the names of a child path; nullopt for more (//, |, *, @, prefixes, '.').
    static std::optional<std::vector<core::symbol>> child_path(std::string text) {
        std::vector<core::symbol> out;
        while (!text.empty() && text.front() == ' ') text.erase(0, 1);
        while (!text.empty() && text.back() == ' ') text.pop_back();
        std::size_t from = 0;
        for (;;) {
            auto slash = text.find('/', from);
            std::string step = text.substr(from, slash - from);
            if (step.empty() || step.find_first_of("|*@:.() ") != std::string::npos) return std::nullopt;
            out.emplace_back(step);
            if (slash == std::string::npos) return out;
            from = slash + 1;
        }
    }
    void identity_constraint(element_decl& d, x::XSIDCDefinition& c) {
        std::string where = d.name.str() + ": identity constraint " + utf8_or_empty(c.getName());
        auto* fields = c.getFieldStrs();
        auto selector = child_path(utf8_or_empty(c.getSelectorStr()));
        auto field = fields && fields->size() == 1 ? child_path(utf8_or_empty(fields->elementAt(0))) : std::nullopt;
        if (c.getCategory() == x::XSIDCDefinition::IC_KEYREF || !selector || !field)
            return gap(where + ": only xs:unique and xs:key with child paths and one field");
        // The field's type, found by walking the declarations down the paths.
        const element_decl* at = &d;
        for (const auto* path : {&*selector, &*field})
            for (const auto& step : *path) {
                const element_decl* next = nullptr;
                if (at && at->complex)
                    for (const auto* e : at->complex->elements)
                        if (e->name == step && e->ns.empty()) next = e;
                at = next;
            }
        const simple_type* type = at ? (at->simple ? at->simple : at->complex ? at->complex->simple : nullptr) : nullptr;
        if (!type || !(type->own || (type->dv && type->dv->getType() == x::DatatypeValidator::Decimal)))
            return gap(where + ": a field that is not a declared string or decimal element");
        d.constraints.push_back(identity{c.getCategory() == x::XSIDCDefinition::IC_KEY, std::move(*selector), std::move(*field), type});
    }
    static std::string fixed_value(const XMLCh* v, const simple_type& s) {
        std::string scratch, text = utf8_or_empty(v);
        return std::string(normalised(text, s.ws, scratch));
    }

    const complex_type* complex(x::XSComplexTypeDefinition* t) {
        if (auto it = complex_.find(t); it != complex_.end()) return it->second;
        auto& c = complex_store_.emplace_back();
        complex_[t] = &c;
        if (t->getAbstract()) gap("an abstract complex type");
        c.content = t->getContentType();
        if (c.content == x::XSComplexTypeDefinition::CONTENTTYPE_SIMPLE) c.simple = simple(t->getSimpleType());
        if (t->getAttributeWildcard()) gap("attribute wildcards (anyAttribute)");
        if (auto* uses = t->getAttributeUses())
            for (XMLSize_t i = 0; i < uses->size(); ++i) {
                auto* u = uses->elementAt(i);
                auto* a = u->getAttrDeclaration();
                attribute_use use;
                use.name = utf8_or_empty(a->getName());
                if (a->getNamespace() && *a->getNamespace()) gap("qualified attributes");
                use.type = simple(a->getTypeDefinition());
                use.required = u->getRequired();
                auto constraint = u->getConstraintType() != x::XSConstants::VALUE_CONSTRAINT_NONE ? u->getConstraintType() : a->getConstraintType();
                const XMLCh* value = u->getConstraintType() != x::XSConstants::VALUE_CONSTRAINT_NONE ? u->getConstraintValue() : a->getConstraintValue();
                if (constraint == x::XSConstants::VALUE_CONSTRAINT_FIXED) {
                    if (!use.type->own) gap(use.name + ": a fixed attribute value on a type other than a string");
                    else use.fixed = fixed_value(value, *use.type);
                }
                c.attributes.push_back(std::move(use));
            }
        if (auto* p = t->getParticle()) {
            c.model = compile(p, c, true);
            c.flat = c.model->kind == particle::sequence && c.model->min == 1 && c.model->max == 1 &&
                     std::all_of(c.model->parts.begin(), c.model->parts.end(), [](const particle& part) { return part.kind == particle::element; });
            for (std::size_t i = 0; c.flat && i < c.model->parts.size(); ++i)
                for (std::size_t k = 0; k < i; ++k)
                    if (named_alike(*c.model->parts[i].decl, *c.model->parts[k].decl)) c.flat = false;
            for (const auto* a : c.elements)
                for (const auto* b : c.elements)
                    if (a != b && named_alike(*a, *b) && (a->simple != b->simple || a->complex != b->complex || a->fixed != b->fixed))
                        gap(a->name.str() + ": two declarations of one name in one content model");
        }
        return &c;
    }

    particle compile(x::XSParticle* p, complex_type& owner, bool top) {
        particle out;
        out.min = p->getMinOccurs();
        out.max = p->getMaxOccursUnbounded() ? SIZE_MAX : p->getMaxOccurs();
        switch (p->getTermType()) {
        case x::XSParticle::TERM_ELEMENT: {
            out.kind = particle::element;
            out.decl = element(p->getElementTerm());
            if (std::find(owner.elements.begin(), owner.elements.end(), out.decl) == owner.elements.end()) owner.elements.push_back(out.decl);
            break;
        }
        case x::XSParticle::TERM_MODELGROUP: {
            auto* g = p->getModelGroupTerm();
            auto compositor = g->getCompositor();
            out.kind = compositor == x::XSModelGroup::COMPOSITOR_SEQUENCE ? particle::sequence
                       : compositor == x::XSModelGroup::COMPOSITOR_CHOICE ? particle::choice
                                                                           : particle::all;
            if (out.kind == particle::all && !top) gap("xs:all inside another group");
            if (auto* parts = g->getParticles())
                for (XMLSize_t i = 0; i < parts->size(); ++i) out.parts.push_back(compile(parts->elementAt(i), owner, false));
            if (out.kind == particle::all)
                for (const auto& part : out.parts)
                    if (part.kind != particle::element || part.max > 1) gap("xs:all with something other than single elements");
            break;
        }
        case x::XSParticle::TERM_WILDCARD: {
            auto* w = p->getWildcardTerm();
            out.kind = particle::wildcard;
            if (w->getProcessContents() != x::XSWildcard::PC_SKIP) gap("element wildcards that check their content (lax, strict)");
            auto rule = w->getConstraintType();
            out.ns_rule = rule == x::XSWildcard::NSCONSTRAINT_ANY ? particle::any_ns : rule == x::XSWildcard::NSCONSTRAINT_NOT ? particle::not_ns : particle::list_ns;
            if (auto* list = w->getNsConstraintList())
                for (XMLSize_t i = 0; i < list->size(); ++i) out.namespaces.emplace_back(utf8_or_empty(list->elementAt(i)));
            break;
        }
        default: gap("an empty particle"); break;
        }
        return out;
    }

    const simple_type* simple(x::XSSimpleTypeDefinition* t) {
        if (auto it = simple_.find(t); it != simple_.end()) return it->second;
        auto& s = simple_store_.emplace_back();
        simple_[t] = &s;
        s.dv = t->getDatatypeValidator();
        if (!s.dv || t->getVariety() != x::XSSimpleTypeDefinition::VARIETY_ATOMIC) {
            gap("list or union types");
            return &s;
        }
        s.ws = s.dv->getWSFacet();
        switch (s.dv->getType()) {
        case x::DatatypeValidator::String: s.own = true; break;
        case x::DatatypeValidator::ID: case x::DatatypeValidator::IDREF: case x::DatatypeValidator::ENTITY:
        case x::DatatypeValidator::NOTATION: case x::DatatypeValidator::QName: case x::DatatypeValidator::List:
        case x::DatatypeValidator::Union: case x::DatatypeValidator::AnySimpleType: case x::DatatypeValidator::UnKnown:
            gap("ID, IDREF, ENTITY, NOTATION, QName or untyped simple types");
            return &s;
        case x::DatatypeValidator::Decimal: s.decimal = decimal(s.dv); return &s;
        default: return &s;  // Xerces-C's validator checks each value
        }
        // Each derivation step's facets, as the schema declared them: every step's must hold.
        for (x::DatatypeValidator* step = s.dv; step; step = step->getBaseValidator()) {
            if (step->getType() == x::DatatypeValidator::AnySimpleType) break;
            if (!dynamic_cast<x::AbstractStringValidator*>(step)) {
                gap("a string type derived from something else");
                break;
            }
            auto facet = [&](const XMLCh* name) -> std::optional<std::string> {
                auto* facets = step->getFacets();
                auto* kv = facets ? facets->get(name) : nullptr;
                return kv ? std::optional<std::string>(utf8_or_empty(kv->getValue())) : std::nullopt;
            };
            auto number = [](const std::string& v) { return static_cast<std::size_t>(std::stoull(v)); };
            if (auto v = facet(x::SchemaSymbols::fgELT_LENGTH)) s.min_length = std::max(s.min_length, number(*v)), s.max_length = std::min(s.max_length, number(*v));
            if (auto v = facet(x::SchemaSymbols::fgELT_MINLENGTH)) s.min_length = std::max(s.min_length, number(*v));
            if (auto v = facet(x::SchemaSymbols::fgELT_MAXLENGTH)) s.max_length = std::min(s.max_length, number(*v));
            if (auto* values = step->getEnumString()) {
                std::vector<std::string> list;
                for (XMLSize_t i = 0; i < values->size(); ++i) {
                    std::string scratch, text = utf8_or_empty(values->elementAt(i));
                    list.emplace_back(normalised(text, s.ws, scratch));
                }
                s.enumerations.push_back(std::move(list));
            }
            if (auto v = facet(x::SchemaSymbols::fgELT_PATTERN)) {
                simple_type::pattern_facet p;
                p.own = detail::pattern::compile(*v);
                // as Xerces-C compiles it (XML Schema mode), owned here
                p.xerces = std::make_shared<x::RegularExpression>(detail::xch(detail::utf16(*v)), x::SchemaSymbols::fgRegEx_XOption);
                s.patterns.push_back(std::move(p));
            }
        }
        return &s;
    }

    /// The facets of a decimal type and of every type it derives from, when they are digits,
    /// bounds and the built-in integer pattern only (else nullopt: Xerces-C checks every value).
    static std::optional<decimal_facets> decimal(x::DatatypeValidator* dv) {
        decimal_facets out;
        for (x::DatatypeValidator* step = dv; step; step = step->getBaseValidator()) {
            if (step->getType() == x::DatatypeValidator::AnySimpleType) break;
            if (step->getType() != x::DatatypeValidator::Decimal || step->getEnumString()) return std::nullopt;
            auto* facets = step->getFacets();
            if (!facets) continue;
            x::RefHashTableOfEnumerator<x::KVStringPair> it(facets, false, x::XMLPlatformUtils::fgMemoryManager);
            while (it.hasMoreElements()) {
                const x::KVStringPair& kv = it.nextElement();
                const std::string name = utf8_or_empty(kv.getKey()), value = utf8_or_empty(kv.getValue());
                auto number = [&](std::size_t& into) {
                    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) return false;
                    into = std::min(into, static_cast<std::size_t>(std::stoul(value)));
                    return true;
                };
                auto bound = [&](bool lower, bool inclusive) {
                    decimal_facets::bound b;
                    if (!decimal_facets::make_bound(value, lower, inclusive, b)) return false;
                    out.bounds.push_back(std::move(b));
                    return true;
                };
                bool known = name == "totalDigits"      ? number(out.total_digits)
                             : name == "fractionDigits" ? number(out.fraction_digits)
                             : name == "minInclusive"   ? bound(true, true)
                             : name == "minExclusive"   ? bound(true, false)
                             : name == "maxInclusive"   ? bound(false, true)
                             : name == "maxExclusive"   ? bound(false, false)
                             : name == "pattern"        ? (value == "[+\\-]?[0-9]+" || value == "[\\-+]?[0-9]+") && (out.integer = true)
                             : name == "whiteSpace";
                if (!known) return std::nullopt;
            }
        }
        return out;
    }

    std::string gaps_;
    std::vector<const element_decl*> roots_;
    std::deque<element_decl> element_store_;
    std::deque<complex_type> complex_store_;
    std::deque<simple_type> simple_store_;
    std::map<const void*, const element_decl*> elements_;
    std::map<const void*, const complex_type*> complex_;
    std::map<const void*, const simple_type*> simple_;
};

namespace {

const tree_schema& compiled(const grammar_set& g) {
    auto& i = g.internals();
    std::call_once(i.tree_once, [&] {
        bool changed = false;
        auto* model = i.pool->getXSModel(changed);
        i.tree = std::make_shared<tree_schema>(*model);
    });
    return *i.tree;
}

}  // namespace

bool surely_valid(const grammar_set& grammars, const core::node& root) { return compiled(grammars).valid(root); }

std::string tree_check_gaps(const grammar_set& grammars) { return compiled(grammars).gaps(); }

}  // namespace edigate::xml
