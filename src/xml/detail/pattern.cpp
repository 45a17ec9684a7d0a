// pattern.cpp - see pattern.hpp.
#include "detail/pattern.hpp"

#include <bitset>
#include <climits>
#include <unordered_map>
#include <vector>

namespace edigate::xml::detail {

namespace {

/// A parsed pattern: a character class, a concatenation, an alternation or a repetition.
struct expr {
    enum kind_t { cls, cat, alt, rep } kind = cat;
    std::bitset<128> set;  ///< cls: the ASCII bytes it holds
    std::vector<expr> parts;
    unsigned min = 1, max = 1;  ///< rep; max UINT_MAX: unbounded
};

/// First, last and nullable of a fragment of the automaton being built.
struct fragment {
    std::uint64_t first = 0, last = 0;
    bool nullable = true;
};

}  // namespace

class pattern_compiler {
public:
    explicit pattern_compiler(std::string_view s) : s_(s) {}

    std::optional<pattern> run() {
        expr e = alternatives(0);
        if (!ok_ || i_ != s_.size()) return std::nullopt;
        fragment f = build(e);
        if (!ok_) return std::nullopt;
        out_.first_ = f.first, out_.last_ = f.last, out_.nullable_ = f.nullable;
        out_.determinise();
        return out_;
    }

private:
    bool more() const { return i_ < s_.size(); }
    char peek() const { return s_[i_]; }
    expr fail() {
        ok_ = false;
        return {};
    }

    expr alternatives(int depth) {
        if (depth > 64) return fail();
        expr first = branch(depth);
        if (!more() || peek() != '|') return first;
        expr a;
        a.kind = expr::alt;
        a.parts.push_back(std::move(first));
        while (ok_ && more() && peek() == '|') {
            ++i_;
            a.parts.push_back(branch(depth));
        }
        return a;
    }
    expr branch(int depth) {
        expr c;
        c.kind = expr::cat;
        while (ok_ && more() && peek() != '|' && peek() != ')') c.parts.push_back(piece(depth));
        return c;
    }
    expr piece(int depth) {
        expr a = atom(depth);
        if (!ok_ || !more()) return a;
        unsigned min = 1, max = 1;
        char q = peek();
        if (q == '?') min = 0, max = 1;
        else if (q == '*') min = 0, max = UINT_MAX;
        else if (q == '+') min = 1, max = UINT_MAX;
        else if (q == '{') {
            ++i_;
            min = number();
            max = min;
            if (more() && peek() == ',') {
                ++i_;
                max = more() && peek() == '}' ? UINT_MAX : number();
            }
            if (!more() || peek() != '}' || max < min) return fail();
        } else {
            return a;
        }
        ++i_;
        // Xerces-C expands x{n,m} into nested optional parts and, inside another repetition of
        // varying count that may repeat, does not backtrack into them: "(\d{2,4})*" refuses
        // "12345". Xerces-C is the reference, so such a pattern stays with its regular expressions.
        if (min != max && max >= 2 && holds_range(a)) return fail();
        expr r;
        r.kind = expr::rep;
        r.min = min, r.max = max;
        r.parts.push_back(std::move(a));
        return r;
    }
    /// Whether `e` holds a repetition whose count varies by two or more ({2,4}, not ? or *).
    static bool holds_range(const expr& e) {
        if (e.kind == expr::rep && e.max != UINT_MAX && e.max - e.min >= 2) return true;
        for (const auto& p : e.parts)
            if (holds_range(p)) return true;
        return false;
    }
    unsigned number() {
        unsigned n = 0;
        bool any = false;
        while (more() && peek() >= '0' && peek() <= '9' && n < 100000) n = n * 10 + static_cast<unsigned>(peek() - '0'), ++i_, any = true;
        if (!any || n >= 100000) fail();
        return n;
    }
    static expr single(std::bitset<128> set) {
        expr e;
        e.kind = expr::cls;
        e.set = set;
        return e;
    }
    expr atom(int depth) {
        char c = peek();
        ++i_;
        if (c == '(') {
            expr inner = alternatives(depth + 1);
            if (!more() || peek() != ')') return fail();
            ++i_;
            return inner;
        }
        if (c == '[') return char_class();
        if (c == '.') {
            std::bitset<128> any;
            any.set();
            any.reset('\n'), any.reset('\r');
            return single(any);
        }
        std::bitset<128> set;
        if (c == '\\') {
            if (!escape(set)) return fail();
            return single(set);
        }
        if (static_cast<unsigned char>(c) >= 0x80 || c == '?' || c == '*' || c == '+' || c == '{' || c == '}' || c == ')' || c == ']')
            return fail();
        set.set(static_cast<unsigned char>(c));
        return single(set);
    }
    /// After a backslash: a single-character escape or \d \D \s \S, added to `set`.
    bool escape(std::bitset<128>& set) {
        if (!more()) return false;
        char c = peek();
        ++i_;
        std::bitset<128> multi;
        switch (c) {
        case 'n': set.set('\n'); return true;
        case 'r': set.set('\r'); return true;
        case 't': set.set('\t'); return true;
        case '\\': case '|': case '.': case '?': case '*': case '+': case '(': case ')':
        case '{': case '}': case '-': case '[': case ']': case '^':
            set.set(static_cast<unsigned char>(c));
            return true;
        case 'd': case 'D':
            for (char d = '0'; d <= '9'; ++d) multi.set(static_cast<unsigned char>(d));
            break;
        case 's': case 'S':
            multi.set(' '), multi.set('\t'), multi.set('\n'), multi.set('\r');
            break;
        default: return false;  // \w \i \c \p{..}: Unicode categories, left to Xerces-C
        }
        set |= c == 'D' || c == 'S' ? ~multi : multi;
        return true;
    }
    /// After '[': a class with ranges, maybe negated; class subtraction is not covered.
    expr char_class() {
        std::bitset<128> set;
        bool negate = more() && peek() == '^';
        if (negate) ++i_;
        bool any = false;
        while (ok_ && more() && peek() != ']') {
            std::bitset<128> item;
            char c = peek();
            if (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == '[') return fail();  // subtraction
            if (c == '[') return fail();
            ++i_;
            int low = -1;
            if (c == '\\') {
                std::size_t at = i_;
                if (!escape(item)) return fail();
                if (item.count() == 1 && s_[at] != 'd' && s_[at] != 's') low = static_cast<int>(item._Find_first());
            } else {
                if (static_cast<unsigned char>(c) >= 0x80) return fail();
                item.set(static_cast<unsigned char>(c));
                low = static_cast<unsigned char>(c);
            }
            // a range low-high ('-' before ']' is an ordinary character)
            if (low >= 0 && more() && peek() == '-' && i_ + 1 < s_.size() && s_[i_ + 1] != ']' && s_[i_ + 1] != '[') {
                ++i_;
                char h = peek();
                ++i_;
                int high;
                if (h == '\\') {
                    std::bitset<128> e;
                    std::size_t at = i_;
                    if (!escape(e) || e.count() != 1 || s_[at] == 'd' || s_[at] == 's') return fail();
                    high = static_cast<int>(e._Find_first());
                } else {
                    if (static_cast<unsigned char>(h) >= 0x80) return fail();
                    high = static_cast<unsigned char>(h);
                }
                if (high < low) return fail();
                for (int b = low; b <= high; ++b) item.set(static_cast<std::size_t>(b));
            }
            set |= item;
            any = true;
        }
        if (!more() || !any) return fail();
        ++i_;  // ']'
        return single(negate ? ~set : set);
    }

    fragment concat(fragment a, fragment b) {
        for (std::uint64_t s = a.last; s; s &= s - 1) out_.follow_[static_cast<unsigned>(__builtin_ctzll(s))] |= b.first;
        return {a.first | (a.nullable ? b.first : 0), b.last | (b.nullable ? a.last : 0), a.nullable && b.nullable};
    }
    fragment build(const expr& e) {
        if (!ok_) return {};
        switch (e.kind) {
        case expr::cls: {
            if (states_ == 64) return ok_ = false, fragment{};
            std::uint64_t bit = std::uint64_t{1} << states_++;
            for (std::size_t b = 0; b < 128; ++b)
                if (e.set.test(b)) out_.accepts_[b] |= bit;
            return {bit, bit, false};
        }
        case expr::cat: {
            fragment f;
            for (const auto& p : e.parts) f = concat(f, build(p));
            return f;
        }
        case expr::alt: {
            fragment f{0, 0, false};
            for (const auto& p : e.parts) {
                fragment g = build(p);
                f.first |= g.first, f.last |= g.last, f.nullable = f.nullable || g.nullable;
            }
            return f;
        }
        case expr::rep: {
            fragment f;
            for (unsigned k = 0; k < e.min && ok_; ++k) f = concat(f, build(e.parts[0]));
            if (e.max == UINT_MAX) {
                fragment loop = build(e.parts[0]);
                for (std::uint64_t s = loop.last; s; s &= s - 1) out_.follow_[static_cast<unsigned>(__builtin_ctzll(s))] |= loop.first;
                loop.nullable = true;
                return concat(f, loop);
            }
            for (unsigned k = e.min; k < e.max && ok_; ++k) {
                fragment optional = build(e.parts[0]);
                optional.nullable = true;
                f = concat(f, optional);
            }
            return f;
        }
        }
        return {};
    }

    std::string_view s_;
    std::size_t i_ = 0;
    bool ok_ = true;
    unsigned states_ = 0;
    pattern out_;
};

std::optional<pattern> pattern::compile(std::string_view xsd) { return pattern_compiler(xsd).run(); }

void pattern::determinise() {
    // Sets by number: 0 the dead (empty) set, 1 the start (before any byte: first_ follows it).
    std::vector<std::uint64_t> sets = {0, 0};
    std::unordered_map<std::uint64_t, std::uint16_t> number;  // of the sets after the start
    std::vector<std::uint16_t> next;
    std::vector<bool> accepting = {false, nullable_};
    for (std::size_t k = 1; k < sets.size(); ++k) {
        std::uint64_t follows = first_;
        if (k != start) {
            follows = 0;
            for (std::uint64_t s = sets[k]; s; s &= s - 1) follows |= follow_[static_cast<unsigned>(__builtin_ctzll(s))];
        }
        next.resize((k + 1) * 128, dead);
        for (std::size_t b = 0; b < 128; ++b) {
            std::uint64_t to = follows & accepts_[b];
            if (!to) continue;
            auto [it, added] = number.try_emplace(to, static_cast<std::uint16_t>(sets.size()));
            if (added) {
                if (sets.size() == max_sets) return;  // too many: matching steps through the sets
                sets.push_back(to);
                accepting.push_back((to & last_) != 0);
            }
            next[k * 128 + b] = it->second;
        }
    }
    next_ = std::move(next);
    accepting_ = std::move(accepting);
}

}  // namespace edigate::xml::detail
