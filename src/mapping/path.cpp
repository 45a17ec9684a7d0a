// path.cpp - compiling and evaluating source paths (see path.hpp).
#include "edigate/mapping/path.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

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
    bool counted = false;  ///< one of the predicates is a position ([2]): matches are counted
};

namespace {
std::vector<core::symbol> plain_names(const std::vector<path::step>& steps);

bool reads_variable(const std::vector<path::step>& steps, std::size_t count);

/// The id of a text in one numbering: process-wide, so that a path_memo serves every mapping.
template <int numbering>
std::size_t interned_id(std::string_view key) {
    static std::mutex m;
    static std::unordered_map<std::string, std::size_t> ids;
    std::lock_guard lock(m);
    return ids.try_emplace(std::string(key), ids.size()).first->second;
}
/// The id of a prefix text (path_memo::entries_).
std::size_t prefix_id(std::string_view key) { return interned_id<0>(key); }
/// The id of a join's first step, "SG6[SG7/RFF/C506/1154]" (path_memo::indexes_).
std::size_t join_id(std::string_view key) { return interned_id<1>(key); }
}  // namespace

struct path_builder {
    static const std::vector<core::symbol>& plain(const path& p) { return p.plain_; }
    static const std::vector<path::step>& steps(const path& p) { return *p.steps_; }
    static path make(std::string_view text, path::origin from, std::vector<path::step> steps) {
        path p;
        p.text_ = std::string(text);
        p.origin_ = from;
        p.plain_ = plain_names(steps);
        if (p.plain_.empty()) {
            std::size_t prefix = steps.size();
            while (prefix > 0 && steps[prefix - 1].what == path::step::kind::child && steps[prefix - 1].predicates.empty()) --prefix;
            if (prefix > 0 && !reads_variable(steps, prefix)) {
                std::string_view key = text;
                for (std::size_t i = prefix; i < steps.size(); ++i) {
                    p.tail_.push_back(steps[i].name);
                    key.remove_suffix(std::min(key.size(), steps[i].name.view().size() + 1));  // "/name"
                }
                while (key.starts_with('/')) key.remove_prefix(1);  // which node it starts at is the memo's key
                p.prefix_id_ = prefix_id(key);
                p.prefix_steps_ = prefix;
            }
        }
        // A join: the first step's first predicate compares plain names with a $variable. Indexed
        // when the path starts where it starts for the whole run (the message, the interchange);
        // one from the context node would index again for each node a loop turns to.
        if (from != path::origin::context && !steps.empty() && steps[0].what == path::step::kind::child && !steps[0].predicates.empty()) {
            const predicate& first = steps[0].predicates[0];
            if (first.what == predicate::kind::equals && first.variable && !plain_names(*first.sub->steps_).empty())
                p.join_id_ = join_id(steps[0].name.str() + "[" + first.sub->text_ + "]");
        }
        p.steps_ = std::make_shared<const std::vector<path::step>>(std::move(steps));
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
    bool steps(std::vector<path::step>& out, std::string_view stops) {
        for (;;) {
            path::step s;
            if (!step(s)) return false;
            out.push_back(std::move(s));
            if (at_end() || stops.find(peek()) != std::string_view::npos) return true;
            if (peek() != '/') return fail(fmt::format("expected '/' or the end after a step, found '{}'", peek()));
            if (out.back().what == path::step::kind::attribute) return fail("an attribute (@name) can only be the last step");
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
                std::vector<path::step> inner;
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
            s.counted = s.counted || p.what == predicate::kind::index;
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
    std::vector<step> steps;
    if (!ps.steps(steps, "")) return std::nullopt;
    return path_builder::make(text, from, std::move(steps));
}

bool path::reads_interchange() const noexcept {
    if (origin_ == origin::interchange) return true;
    if (!steps_) return false;
    for (const auto& s : *steps_)
        for (const auto& p : s.predicates)
            if (p.sub && p.sub->reads_interchange()) return true;
    return false;
}

namespace {

/// Whether a predicate of the first `count` steps (or of a path in one) compares with a $variable.
bool reads_variable(const std::vector<path::step>& steps, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
        for (const auto& p : steps[i].predicates)
            if (p.variable || (p.sub && reads_variable(path_builder::steps(*p.sub), path_builder::steps(*p.sub).size()))) return true;
    return false;
}

/// The names of a path of child steps without predicates ("C506/1154"), or empty for any other.
std::vector<core::symbol> plain_names(const std::vector<path::step>& steps) {
    std::vector<core::symbol> out;
    for (const auto& st : steps) {
        if (st.what != path::step::kind::child || !st.predicates.empty()) return {};
        out.push_back(st.name);
    }
    return out;
}

/// A plain path's walk: `f(element)` for each element the names select below `n`, in document
/// order, until it returns true.
template <class F>
bool plain_walk(const core::node& n, const core::symbol* names, std::size_t count, F& f) {
    for (const auto& k : n.children)
        if (k.name == names[0] && (count == 1 ? f(k) : plain_walk(k, names + 1, count - 1, f))) return true;
    return false;
}

/// The position counts of one parent's matches of a step, one per predicate (on the stack for up
/// to eight predicates).
struct counters {
    explicit counters(std::size_t predicates) : more(predicates > 8 ? predicates : 0) {}
    std::size_t* get() { return more.empty() ? local : more.data(); }
    std::size_t local[8] = {};
    std::vector<std::size_t> more;
};

/// One evaluation: the steps from `i` on, applied below `at`, each selection handed to `f`.
struct walker {
    const std::vector<path::step>& steps;
    const core::node& root;
    const bindings* vars;
    const core::node* interchange;
    bool (*f)(void*, const selected&);
    void* fn;
    std::size_t end;  ///< the steps walked: all, or a memo's prefix

    bool passes(const predicate& p, const selected& m) const {
        if (!m.element || m.attribute) return false;
        const auto& plain = path_builder::plain(*p.sub);
        if (p.what == predicate::kind::exists) {
            if (plain.empty()) return p.sub->visit(*m.element, root, vars, interchange, [](const selected& s) { return s.present(); });
            auto present = [](const core::node& k) { return !k.value.empty() || !k.children.empty(); };
            return plain_walk(*m.element, plain.data(), plain.size(), present);
        }
        const std::string* wanted = &p.literal;
        if (p.variable) {
            wanted = vars ? vars->find(p.literal) : nullptr;
            if (!wanted) return false;  // an unknown variable matches nothing
        }
        auto same = [&](const core::node& k) { return k.value == *wanted; };
        bool any = plain.empty() ? p.sub->visit(*m.element, root, vars, interchange, [&](const selected& s) { return s.value() == *wanted; })
                                 : plain_walk(*m.element, plain.data(), plain.size(), same);
        return p.what == predicate::kind::equals ? any : !any;
    }

    bool passes_all(const path::step& s, const core::node& k) const {
        for (const auto& p : s.predicates)
            if (!passes(p, {&k, nullptr})) return false;
        return true;
    }

    /// Predicates filter the matches of one parent in order: a position counts the matches that
    /// passed the predicates before it. `counts`: one per predicate, for this parent.
    bool candidate(std::size_t i, const selected& m, std::size_t* counts, bool& exhausted, std::size_t first = 0) const {
        const auto& preds = steps[i].predicates;
        for (std::size_t j = first; j < preds.size(); ++j) {
            const predicate& p = preds[j];
            if (p.what == predicate::kind::index) {
                if (++counts[j] != p.index) {
                    if (j == 0 && counts[j] > p.index) exhausted = true;  // no later match can pass
                    return false;
                }
                continue;
            }
            if (!passes(p, m)) return false;
        }
        return walk(i + 1, m);
    }

    bool walk(std::size_t i, const selected& at) const {
        if (i == end) return f(fn, at);
        if (!at.element || at.attribute) return false;
        const path::step& s = steps[i];
        if (s.what == path::step::kind::child && !s.counted) {  // nothing to count: each match on its own
            for (const auto& k : at.element->children)
                if (k.name == s.name && passes_all(s, k) && walk(i + 1, {&k, nullptr})) return true;
            return false;
        }
        counters c(s.predicates.size());
        std::size_t* counts = c.get();
        bool exhausted = false;
        switch (s.what) {
        case path::step::kind::self: return candidate(i, at, counts, exhausted);
        case path::step::kind::any:
            for (const auto& k : at.element->children)
                if (candidate(i, {&k, nullptr}, counts, exhausted)) return true;
                else if (exhausted) return false;
            return false;
        case path::step::kind::child:
            for (const auto& k : at.element->children)
                if (k.name == s.name) {
                    if (candidate(i, {&k, nullptr}, counts, exhausted)) return true;
                    if (exhausted) return false;
                }
            return false;
        case path::step::kind::attribute:
            for (const auto& [k, v] : at.element->attributes)
                if (k == s.name.view()) {
                    if (candidate(i, {at.element, &v}, counts, exhausted)) return true;
                    if (exhausted) return false;
                }
            return false;
        }
        return false;
    }
};

/// A memo in use while it lives: the visits made from a memo visit's callback do without it.
struct busy {
    bool& flag;
    explicit busy(bool& b) : flag(b) { flag = true; }
    ~busy() { flag = false; }
};

}  // namespace

path_memo& path_memo::this_thread() {
    thread_local path_memo memo;
    return memo;
}

bool path::visit(const core::node& context, const core::node& root, const bindings* vars, const core::node* interchange,
                 bool (*f)(void*, const selected&), void* fn, path_memo* memo) const {
    const core::node* start = origin_ == origin::context ? &context : origin_ == origin::message ? &root : interchange;
    if (!start || !steps_) return false;
    auto each = [&](const core::node& k) { return f(fn, selected{&k, nullptr}); };
    if (!plain_.empty()) return plain_walk(*start, plain_.data(), plain_.size(), each);
    if (memo && join_id_ != no_prefix && !memo->busy_) return joined(*start, root, vars, interchange, f, fn, *memo);
    if (!memo || prefix_id_ == no_prefix || memo->busy_) return walker{*steps_, root, vars, interchange, f, fn, steps_->size()}.walk(0, {start, nullptr});
    if (memo->entries_.size() <= prefix_id_) memo->entries_.resize(prefix_id_ + 1);
    auto& e = memo->entries_[prefix_id_];
    if (e.generation != memo->generation_ || e.start != start) {
        e.found.clear();
        auto keep = [](void* found, const selected& s) {
            static_cast<std::vector<selected>*>(found)->push_back(s);
            return false;
        };
        walker{*steps_, root, vars, interchange, keep, &e.found, prefix_steps_}.walk(0, {start, nullptr});
        e.generation = memo->generation_;
        e.start = start;
    }
    busy hold(memo->busy_);
    for (const auto& s : e.found)
        if (tail_.empty() ? f(fn, s) : s.element && !s.attribute && plain_walk(*s.element, tail_.data(), tail_.size(), each)) return true;
    return false;
}

bool path::joined(const core::node& start, const core::node& root, const bindings* vars, const core::node* interchange,
                  bool (*f)(void*, const selected&), void* fn, path_memo& memo) const {
    const step& first = steps_->front();
    const predicate& key = first.predicates.front();
    const std::string* wanted = vars ? vars->find(key.literal) : nullptr;
    if (!wanted) return false;  // an unknown variable matches nothing
    if (memo.indexes_.size() <= join_id_) memo.indexes_.resize(join_id_ + 1);
    auto& x = memo.indexes_[join_id_];
    if (x.generation != memo.generation_ || x.start != &start) {
        // Each node under every value its relative path has (once per value), in document order.
        x.by_value.clear();
        const auto& names = path_builder::plain(*key.sub);
        for (const auto& k : start.children) {
            if (k.name != first.name) continue;
            const std::size_t from = x.by_value.size();
            auto add = [&](const core::node& v) {
                for (std::size_t i = from; i < x.by_value.size(); ++i)
                    if (x.by_value[i].first == v.value) return false;
                x.by_value.emplace_back(v.value, &k);
                return false;
            };
            plain_walk(k, names.data(), names.size(), add);
        }
        std::stable_sort(x.by_value.begin(), x.by_value.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        x.generation = memo.generation_;
        x.start = &start;
    }
    auto [lo, hi] = std::equal_range(x.by_value.begin(), x.by_value.end(), std::pair<std::string_view, const core::node*>(*wanted, nullptr),
                                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (lo == hi) return false;
    // The nodes the key predicate passes, in document order: the step's other predicates and the
    // steps after it as the walker applies them.
    walker w{*steps_, root, vars, interchange, f, fn, steps_->size()};
    counters c(first.predicates.size());
    std::size_t* counts = c.get();
    bool exhausted = false;
    busy hold(memo.busy_);  // the callback's own visits do without: this index stays as it is
    for (auto it = lo; it != hi; ++it)
        if (w.candidate(0, {it->second, nullptr}, counts, exhausted, 1)) return true;
    return false;
}

std::vector<selected> path::select(const core::node& context, const core::node& root, const bindings* vars,
                                   const core::node* interchange) const {
    std::vector<selected> out;
    visit(context, root, vars, interchange, [&](const selected& s) {
        out.push_back(s);
        return false;
    });
    return out;
}

std::optional<std::string> path::value(const core::node& context, const core::node& root, const bindings* vars,
                                       const core::node* interchange) const {
    std::optional<std::string> out;
    visit(context, root, vars, interchange, [&](const selected& s) {
        out = s.value();
        return true;
    });
    return out;
}

}  // namespace edigate::mapping
