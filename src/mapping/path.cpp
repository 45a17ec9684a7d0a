// path.cpp - compiling and evaluating source paths (see path.hpp).
#include "edigate/mapping/path.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace edigate::mapping {

struct predicate {
    enum class kind { index, equals, not_equals, exists } what = kind::exists;
    std::size_t index = 0;
    std::optional<path> sub;
    std::string literal;
    bool variable = false;  ///< literal names a variable ($name)
};

struct path::step {
    enum class kind { child, any, self, attribute } what = kind::child;
    core::symbol name;  ///< interned: a child step compares names by address
    std::vector<predicate> predicates;
};

struct path_builder {
    static path make(std::string_view text, path::origin from, std::vector<std::shared_ptr<const path::step>> steps) {
        path p;
        p.text_ = std::string(text);
        p.origin_ = from;
        p.steps_ = std::move(steps);
        return p;
    }
};

namespace {

bool name_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' || c == '-' || c == '.' || u >= 0x80;
}

/// Recursive descent over the path text; `pos` is the offset of the next character.
class parser {
public:
    parser(std::string_view text, path_error& error) : text_(text), error_(error) {}

    bool fail(std::string what) {
        if (!failed_) error_ = {std::move(what), pos_}, failed_ = true;
        return false;
    }
    bool at_end() const { return pos_ >= text_.size(); }
    void skip() { ++pos_; }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    std::size_t pos() const { return pos_; }
    std::string_view text() const { return text_; }

    /// steps until the end or one of `stops` (for predicate sub-paths).
    bool steps(std::vector<std::shared_ptr<const path::step>>& out, std::string_view stops) {
        for (;;) {
            auto s = std::make_shared<path::step>();
            if (!step(*s)) return false;
            out.push_back(std::move(s));
            if (at_end() || stops.find(peek()) != std::string_view::npos) return true;
            if (peek() != '/') return fail(fmt::format("expected '/' or the end after a step, found '{}'", peek()));
            if (out.back()->what == path::step::kind::attribute) return fail("an attribute (@name) can only be the last step");
            ++pos_;
        }
    }

private:
    bool step(path::step& s) {
        if (peek() == '@') {
            ++pos_;
            s.what = path::step::kind::attribute;
            std::string n;
            if (!name(n)) return fail("expected an attribute name after '@'");
            s.name = n;
            return predicates(s);
        }
        if (peek() == '*') {
            ++pos_;
            s.what = path::step::kind::any;
            return predicates(s);
        }
        std::string n;
        if (!name(n)) return fail(at_end() ? "expected a step (a name, '*', '.' or '@name') at the end" : fmt::format("expected a step, found '{}'", peek()));
        if (n == ".") s.what = path::step::kind::self;
        s.name = n;
        return predicates(s);
    }
    bool name(std::string& out) {
        std::size_t start = pos_;
        while (!at_end() && name_char(peek())) ++pos_;
        out.assign(text_.substr(start, pos_ - start));
        return !out.empty();
    }
    bool predicates(path::step& s) {
        while (peek() == '[') {
            ++pos_;
            predicate p;
            std::size_t digits = pos_;
            while (digits < text_.size() && text_[digits] >= '0' && text_[digits] <= '9') ++digits;
            if (digits > pos_ && digits < text_.size() && text_[digits] == ']') {  // [2]; [3035='CN'] is a path
                std::size_t start = pos_;
                pos_ = digits;
                p.what = predicate::kind::index;
                p.index = std::stoul(std::string(text_.substr(start, pos_ - start)));
                if (p.index == 0) return fail("positions count from 1");
            } else {
                std::size_t start = pos_;
                std::vector<std::shared_ptr<const path::step>> inner;
                if (!steps(inner, "=!]")) return false;
                p.sub.emplace(path_builder::make(text_.substr(start, pos_ - start), path::origin::context, std::move(inner)));
                if (peek() == '=' || peek() == '!') {
                    bool negate = peek() == '!';
                    ++pos_;
                    if (negate && peek() != '=') return fail("expected '!=' ");
                    if (negate) ++pos_;
                    p.what = negate ? predicate::kind::not_equals : predicate::kind::equals;
                    if (peek() == '$') {
                        ++pos_;
                        p.variable = true;
                        if (!name(p.literal)) return fail("expected a variable name after '$'");
                    } else if (!literal(p.literal)) {
                        return false;
                    }
                }
            }
            if (peek() != ']') return fail(fmt::format("expected ']' to close the predicate{}", at_end() ? "" : fmt::format(", found '{}'", peek())));
            ++pos_;
            s.predicates.push_back(std::move(p));
        }
        return true;
    }
    bool literal(std::string& out) {
        char q = peek();
        if (q != '\'' && q != '"') return fail("expected a quoted value ('CN' or \"CN\") or a $variable after the comparison");
        ++pos_;
        for (;;) {
            if (at_end()) return fail("the quoted value is not closed");
            char c = text_[pos_++];
            if (c == q) {
                if (peek() != q) return true;  // a doubled quote stands for itself
                ++pos_;
            }
            out += c;
        }
    }
    std::string_view text_;
    path_error& error_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace

std::optional<path> path::compile(std::string_view text, path_error& error) {
    parser ps(text, error);
    origin from = origin::context;
    if (ps.peek() == '/') {
        ps.skip();
        from = origin::message;
        if (ps.peek() == '/') ps.skip(), from = origin::interchange;
    }
    std::vector<std::shared_ptr<const step>> steps;
    if (!ps.steps(steps, "")) return std::nullopt;
    return path_builder::make(text, from, std::move(steps));
}

bool path::reads_interchange() const noexcept {
    if (origin_ == origin::interchange) return true;
    for (const auto& s : steps_)
        for (const auto& p : s->predicates)
            if (p.sub && p.sub->reads_interchange()) return true;
    return false;
}

std::vector<selected> path::select(const core::node& context, const core::node& root, const variables* vars,
                                   const core::node* interchange) const {
    const core::node* start = origin_ == origin::context ? &context : origin_ == origin::message ? &root : interchange;
    if (!start) return {};
    std::vector<selected> current{{start, nullptr}};
    std::vector<selected> next, matches;
    for (const auto& s : steps_) {
        next.clear();
        for (const auto& c : current) {
            if (!c.element) continue;
            matches.clear();
            switch (s->what) {
            case step::kind::self: matches.push_back(c); break;
            case step::kind::any:
                for (const auto& k : c.element->children) matches.push_back({&k, nullptr});
                break;
            case step::kind::child:
                for (const auto& k : c.element->children)
                    if (k.name == s->name) matches.push_back({&k, nullptr});
                break;
            case step::kind::attribute:
                for (const auto& [k, v] : c.element->attributes)
                    if (k == s->name.view()) matches.push_back({c.element, &v});
                break;
            }
            // Predicates filter the matches of one parent, in order (positions count per parent).
            for (const auto& p : s->predicates) {
                if (p.what == predicate::kind::index) {
                    if (p.index <= matches.size()) matches = {matches[p.index - 1]};
                    else matches.clear();
                    continue;
                }
                std::erase_if(matches, [&](const selected& m) {
                    if (!m.element || m.attribute) return true;
                    auto found = p.sub->select(*m.element, root, vars, interchange);
                    if (p.what == predicate::kind::exists)
                        return std::none_of(found.begin(), found.end(), [](const selected& f) { return f.present(); });
                    const std::string* wanted = &p.literal;
                    if (p.variable) {
                        auto it = vars ? vars->find(p.literal) : variables::const_iterator{};
                        if (!vars || it == vars->end()) return true;  // an unknown variable matches nothing
                        wanted = &it->second;
                    }
                    bool any = std::any_of(found.begin(), found.end(), [&](const selected& f) { return f.value() == *wanted; });
                    return p.what == predicate::kind::equals ? !any : any;
                });
            }
            next.insert(next.end(), matches.begin(), matches.end());
        }
        std::swap(current, next);
    }
    return current;
}

std::optional<std::string> path::value(const core::node& context, const core::node& root, const variables* vars,
                                       const core::node* interchange) const {
    auto s = select(context, root, vars, interchange);
    if (s.empty()) return std::nullopt;
    return s.front().value();
}

}  // namespace edigate::mapping
