// expression.cpp - compiling and evaluating mapping value expressions (see expression.hpp).
#include "edigate/mapping/expression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <boost/container/small_vector.hpp>

#include "edigate/mapping/path.hpp"

namespace edigate::mapping {

/// The functions a mapping can call (see `functions` below).
enum class function : std::uint8_t {
    not_, max, min, unique, concat, default_, code, decode, date, number, trim, upper, lower, substring, lpad, rpad, count, sum, join, first
};

struct expression::part {
    enum class kind { literal, path, variable, call } what = kind::literal;
    std::string text;  ///< the literal, the variable name or the function name
    function fn{};     ///< a call's function, named once at compile
    std::optional<mapping::path> source;
    std::vector<std::shared_ptr<const part>> args;
};

namespace {

using part = expression::part;
using part_ptr = std::shared_ptr<const part>;

/// Function name, least and most arguments (most 0 = any number).
struct function_def {
    std::string_view name;
    std::size_t min, max;
    function id;
};
constexpr std::array<function_def, 20> functions{{
    {"not", 1, 1, function::not_}, {"max", 1, 1, function::max}, {"min", 1, 1, function::min}, {"unique", 2, 2, function::unique},
    {"concat", 1, 0, function::concat}, {"default", 1, 0, function::default_}, {"code", 2, 2, function::code}, {"decode", 2, 2, function::decode},
    {"date", 3, 3, function::date}, {"number", 2, 2, function::number}, {"trim", 1, 1, function::trim}, {"upper", 1, 1, function::upper},
    {"lower", 1, 1, function::lower}, {"substring", 2, 3, function::substring}, {"lpad", 3, 3, function::lpad}, {"rpad", 3, 3, function::rpad},
    {"count", 1, 1, function::count}, {"sum", 1, 1, function::sum}, {"join", 2, 2, function::join}, {"first", 1, 0, function::first},
}};

const function_def* find_function(std::string_view name) {
    for (const auto& f : functions)
        if (f.name == name) return &f;
    return nullptr;
}

class parser {
public:
    parser(std::string_view text, std::string& error, std::size_t& offset) : text_(text), error_(error), offset_(offset) {}

    part_ptr parse_all() {
        auto p = parse();
        skip();
        if (p && pos_ < text_.size()) return fail(fmt::format("unexpected '{}' after the expression", text_[pos_]));
        return p;
    }

private:
    part_ptr fail(std::string what, std::size_t at = std::string::npos) {
        if (error_.empty()) error_ = std::move(what), offset_ = at == std::string::npos ? pos_ : at;
        return nullptr;
    }
    void skip() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    part_ptr parse() {
        skip();
        auto p = std::make_shared<part>();
        char c = peek();
        if (c == '\'') {
            ++pos_;
            for (;;) {
                if (pos_ >= text_.size()) return fail("the quoted value is not closed");
                char ch = text_[pos_++];
                if (ch == '\'') {
                    if (peek() != '\'') break;
                    ++pos_;
                }
                p->text += ch;
            }
            return p;
        }
        if (c == '$') {
            ++pos_;
            p->what = part::kind::variable;
            while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) p->text += text_[pos_++];
            if (p->text.empty()) return fail("expected a variable name after '$'");
            return p;
        }
        // A function is a lower-case name followed by '('; anything else is a path or a number.
        std::size_t start = pos_, end = pos_;
        while (end < text_.size() && ((text_[end] >= 'a' && text_[end] <= 'z') || text_[end] == '_')) ++end;
        std::size_t after = end;
        while (after < text_.size() && text_[after] == ' ') ++after;
        if (end > start && after < text_.size() && text_[after] == '(') {
            p->what = part::kind::call;
            p->text = std::string(text_.substr(start, end - start));
            const auto* def = find_function(p->text);
            if (!def) return fail(fmt::format("unknown function '{}'", p->text), start);
            p->fn = def->id;
            pos_ = after + 1;
            skip();
            if (peek() != ')')
                for (;;) {
                    auto arg = parse();
                    if (!arg) return nullptr;
                    p->args.push_back(std::move(arg));
                    skip();
                    if (peek() == ',') {
                        ++pos_;
                        continue;
                    }
                    break;
                }
            if (peek() != ')') return fail(fmt::format("expected ',' or ')' in the arguments of {}()", p->text));
            ++pos_;
            // Counts are written bare (number(x, 2), lpad(x, 10, '0')); a bare number elsewhere is a
            // path, since EDIFACT element names are numbers (3207).
            for (std::size_t i = 1; i < p->args.size(); ++i) {
                auto& a = p->args[i];
                bool count = (p->text == "number" || p->text == "substring" || p->text == "lpad" || p->text == "rpad") && i <= 2;
                if (count && a->what == part::kind::path && a->source->text().find_first_not_of("0123456789") == std::string::npos) {
                    auto lit = std::make_shared<part>();
                    lit->text = a->source->text();
                    a = lit;
                }
            }
            if (p->args.size() < def->min || (def->max && p->args.size() > def->max))
                return fail(fmt::format("{}() takes {} argument{}", p->text,
                                        def->max == def->min ? std::to_string(def->min)
                                        : def->max           ? fmt::format("{} to {}", def->min, def->max)
                                                             : fmt::format("{} or more", def->min),
                                        def->max == 1 || (def->max == 0 && def->min == 1) ? "" : "s"),
                            start);
            return p;
        }
        // A path runs to the next ',' or ')' outside brackets and quotes.
        std::size_t depth = 0;
        char quote = 0;
        end = pos_;
        for (; end < text_.size(); ++end) {
            char ch = text_[end];
            if (quote) {
                if (ch == quote) quote = 0;
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == '[') {
                ++depth;
            } else if (ch == ']') {
                if (depth) --depth;
            } else if (depth == 0 && (ch == ',' || ch == ')')) {
                break;
            }
        }
        std::string_view source = text_.substr(pos_, end - pos_);
        while (!source.empty() && source.back() == ' ') source.remove_suffix(1);
        if (source.empty()) return fail("expected a value: a 'quoted literal', a path, $variable or function(...)");
        path_error pe;
        auto compiled = path::compile(source, pe);
        if (!compiled) return fail(fmt::format("in the path '{}': {}", source, pe.text), pos_ + pe.offset);
        p->what = part::kind::path;
        p->source = std::move(compiled);
        pos_ = end;
        return p;
    }

    std::string_view text_;
    std::string& error_;
    std::size_t& offset_;
    std::size_t pos_ = 0;
};

std::optional<std::string> present(std::string v) {
    if (v.empty()) return std::nullopt;
    return v;
}

bool parse_decimal(std::string_view s, double& out) {
    std::string t(s);
    for (auto& ch : t)
        if (ch == ',') ch = '.';  // EDIFACT decimal mark ',' (UNA) arrives as written
    auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    return r.ec == std::errc() && r.ptr == t.data() + t.size();
}

/// A number as EDIFACT and XML write one (a '-', digits, a '.' or ',' mark, digits), held exactly:
/// units / 10^scale. Sums of such numbers are exact, where binary floating point turns 0.1 + 0.2
/// into 0.30000000000000004 (which a schema's fractionDigits refuses).
__extension__ typedef __int128 wide;
__extension__ typedef unsigned __int128 uwide;

struct exact_decimal {
    wide units = 0;
    int scale = 0;

    static constexpr int max_digits = 30;  ///< per value: far beyond n..18, far below __int128's 38

    /// False when `s` is written otherwise (an exponent, 'inf', spaces, a '+') or has too many
    /// digits. What it takes, parse_decimal() takes too.
    static bool parse(std::string_view s, exact_decimal& out) {
        out = {};
        bool negative = !s.empty() && s[0] == '-';
        if (negative) s.remove_prefix(1);
        bool mark = false, digit = false;
        int digits = 0;
        for (char c : s) {
            if (c >= '0' && c <= '9') {
                digit = true;
                if (out.units == 0 && c == '0' && !mark) continue;  // leading zeros
                if (++digits > max_digits) return false;
                out.units = out.units * 10 + (c - '0');
                out.scale += mark;
            } else if ((c == '.' || c == ',') && !mark) {
                mark = true;
            } else {
                return false;
            }
        }
        if (!digit) return false;
        if (negative) out.units = -out.units;
        return true;
    }
    /// Adds `d`; false when the sum would not fit.
    bool add(exact_decimal d) {
        auto rescale = [](exact_decimal& x, int to) {
            for (; x.scale < to; ++x.scale)
                if (__builtin_mul_overflow(x.units, 10, &x.units)) return false;
            return true;
        };
        int to = std::max(scale, d.scale);
        return rescale(*this, to) && rescale(d, to) && !__builtin_add_overflow(units, d.units, &units);
    }
    /// Without trailing fraction zeros: "126", "98.6", "-0.25", "0".
    std::string text() const {
        bool negative = units < 0;
        uwide u = negative ? -static_cast<uwide>(units) : static_cast<uwide>(units);
        int sc = scale;
        while (sc > 0 && u % 10 == 0) u /= 10, --sc;
        return spelled(negative, u, sc);
    }
    /// With `decimals` fraction digits, rounded half away from zero ("2.675" to 2: "2.68"); false
    /// when it would not fit.
    bool fixed(int decimals, std::string& out) const {
        bool negative = units < 0;
        uwide u = negative ? -static_cast<uwide>(units) : static_cast<uwide>(units);
        int sc = scale;
        for (; sc < decimals; ++sc)
            if (__builtin_mul_overflow(u, 10, &u)) return false;
        for (; sc > decimals; --sc) {
            bool up = sc - 1 == decimals && u % 10 >= 5;  // the first digit dropped decides
            u = u / 10 + up;
        }
        out = spelled(negative && u != 0, u, sc);
        return true;
    }

private:
    static std::string spelled(bool negative, uwide u, int sc) {
        std::string digits;
        do digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10))), u /= 10;
        while (u);
        if (static_cast<int>(digits.size()) <= sc) digits.insert(0, static_cast<std::size_t>(sc - static_cast<int>(digits.size()) + 1), '0');
        if (sc > 0) digits.insert(digits.size() - static_cast<std::size_t>(sc), 1, '.');
        return negative ? "-" + digits : digits;
    }
};

std::optional<std::string> eval(const part& p, const scope& s, std::vector<std::string>& problems);
bool append(const part& p, const scope& s, std::string& out, std::vector<std::string>& problems);

std::optional<std::string> arg(const part& p, std::size_t i, const scope& s, std::vector<std::string>& problems) {
    return eval(*p.args[i], s, problems);
}

/// p's value as a view, when it has one: a literal, a variable or a path points at what it reads
/// (nothing copied); a call's value is made in `scratch`. Valid while `scratch`, the variables and
/// the source tree are.
bool view(const part& p, const scope& s, std::string& scratch, std::string_view& out, std::vector<std::string>& problems) {
    switch (p.what) {
    case part::kind::literal: out = p.text; return true;
    case part::kind::variable: {
        const std::string* v = s.vars ? s.vars->find(p.text) : nullptr;
        if (!v || v->empty()) return false;
        out = *v;
        return true;
    }
    case part::kind::path:
        return p.source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [&](const selected& x) {
            if (x.value().empty()) return false;
            if (!s.origin) s.origin = x.element;
            out = x.value();
            return true;
        });
    case part::kind::call:
        scratch.clear();
        if (!append(p, s, scratch, problems)) return false;
        out = scratch;
        return true;
    }
    return false;
}

/// The functions that make a value of their own (the others append as they go, see call()).
std::optional<std::string> compute(const part& p, const scope& s, std::vector<std::string>& problems) {
    const function f = p.fn;
    if (f == function::not_) {  // '1' when its argument is missing (a path: selects nothing present)
        const part& a = *p.args[0];
        bool there = false;
        if (a.what == part::kind::path) {
            there = a.source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [](const selected& x) { return x.present(); });
        } else {
            std::vector<std::string> ignored;
            there = eval(a, s, ignored).has_value();
        }
        return there ? std::nullopt : std::optional<std::string>("1");
    }
    if (f == function::count || f == function::sum || f == function::max || f == function::min) {
        const part& a = *p.args[0];
        if (a.what != part::kind::path) {
            problems.push_back(fmt::format("{}() needs a path", p.text));
            return std::nullopt;
        }
        std::vector<selected> sel;  // through the run's memo: the qualified part and a join's index as other paths use them
        a.source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [&](const selected& x) {
            sel.push_back(x);
            return false;
        });
        if (!s.origin && !sel.empty()) s.origin = sel.front().element;
        if (f == function::count) return std::to_string(sel.size());
        if (f == function::max || f == function::min) {  // numbers compare as numbers, other values as text
            std::optional<std::string> best;
            double best_number = 0;
            for (const auto& x : sel) {
                if (x.value().empty()) continue;
                double d;
                bool numeric = parse_decimal(x.value(), d);
                bool better = !best || (numeric ? (f == function::max ? d > best_number : d < best_number)
                                                : (f == function::max ? x.value() > *best : x.value() < *best));
                if (better) best = x.value(), best_number = numeric ? d : 0;
            }
            return best;
        }
        exact_decimal exact;
        bool any = false, exactly = true;  // every value a plain decimal, the sum within bounds
        for (const auto& x : sel) {
            exact_decimal e;
            if (x.value().empty()) continue;
            any = true;
            if (!exact_decimal::parse(x.value(), e) || !exact.add(e)) {
                exactly = false;
                break;
            }
        }
        if (!any) return std::nullopt;
        if (exactly) return exact.text();
        double total = 0;  // else in binary, as far as the values are numbers at all
        for (const auto& x : sel) {
            double d;
            if (x.value().empty()) continue;
            if (!parse_decimal(x.value(), d)) {
                problems.push_back(fmt::format("sum({}): '{}' is not a number", a.source->text(), x.value()));
                return std::nullopt;
            }
            total += d;
        }
        return fmt::format("{}", total);
    }
    auto x = arg(p, 0, s, problems);
    if (!x) return std::nullopt;
    if (f == function::number) {
        double d;
        if (!parse_decimal(*x, d)) {
            problems.push_back(fmt::format("'{}' is not a number", *x));
            return std::nullopt;
        }
        int decimals = std::clamp(std::atoi(arg(p, 1, s, problems).value_or("0").c_str()), 0, 12);
        exact_decimal e;
        std::string out;
        if (exact_decimal::parse(*x, e) && e.fixed(decimals, out)) return out;
        return fmt::format("{:.{}f}", d, decimals);
    }
    if (f == function::trim) {
        auto b = x->find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return std::nullopt;
        return x->substr(b, x->find_last_not_of(" \t\r\n") - b + 1);
    }
    if (f == function::upper || f == function::lower) {
        for (auto& ch : *x)
            if (static_cast<unsigned char>(ch) < 0x80) ch = static_cast<char>(f == function::upper ? std::toupper(ch) : std::tolower(ch));
        return x;
    }
    if (f == function::substring) {
        // Characters, not bytes: UTF-8 sequences are never cut.
        std::size_t from = static_cast<std::size_t>(std::max(1, std::atoi(arg(p, 1, s, problems).value_or("1").c_str())));
        std::size_t length = p.args.size() > 2 ? static_cast<std::size_t>(std::max(0, std::atoi(arg(p, 2, s, problems).value_or("0").c_str())))
                                               : std::string::npos;
        std::string out;
        std::size_t index = 0;
        for (std::size_t i = 0; i < x->size();) {
            std::size_t len = 1;
            auto b = static_cast<unsigned char>((*x)[i]);
            if (b >= 0xF0) len = 4;
            else if (b >= 0xE0) len = 3;
            else if (b >= 0xC0) len = 2;
            ++index;
            if (index >= from && (length == std::string::npos || index < from + length)) out.append(*x, i, len);
            i += len;
        }
        return present(out);
    }
    if (f == function::lpad || f == function::rpad) {
        std::size_t n = static_cast<std::size_t>(std::max(0, std::atoi(arg(p, 1, s, problems).value_or("0").c_str())));
        std::string fill = arg(p, 2, s, problems).value_or(" ");
        std::string out = *x;
        while (out.size() < n) out = f == function::lpad ? fill + out : out + fill;
        return out;
    }
    problems.push_back(fmt::format("function {}() is not implemented", p.text));
    return std::nullopt;
}

/// A call's value appended to `out` (true), or `out` as it was (false). The functions of almost
/// every rule (concat, default, join, date, code) work on views and append: no value is copied
/// but into the output.
bool call(const part& p, const scope& s, std::string& out, std::vector<std::string>& problems) {
    const function f = p.fn;  // compared as a number: this runs for every value of every message
    const std::size_t mark = out.size();
    if (f == function::concat) {  // every part or nothing: a half-built identifier must not pass as a value
        for (const auto& a : p.args)
            if (!append(*a, s, out, problems)) {
                out.resize(mark);
                return false;
            }
        return true;
    }
    if (f == function::default_ || f == function::first) {
        for (const auto& a : p.args)
            if (append(*a, s, out, problems)) return true;
        return false;
    }
    if (f == function::join || f == function::unique) {  // unique: each value once, in the order first seen
        const part& a = *p.args[0];
        if (a.what != part::kind::path) {
            problems.push_back(fmt::format("{}() needs a path", p.text));
            return false;
        }
        // The separator is read after the first selection, as when the selection came first.
        std::string scratch;
        std::string_view sep;
        bool have_sep = false;
        auto separator = [&] {
            if (!have_sep && !view(*p.args[1], s, scratch, sep, problems)) sep = {};
            have_sep = true;
        };
        boost::container::small_vector<std::string_view, 8> seen;
        a.source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [&](const selected& x) {
            if (!s.origin) s.origin = x.element;
            const std::string& v = x.value();
            if (v.empty()) return false;
            if (f == function::unique) {
                if (std::find(seen.begin(), seen.end(), v) != seen.end()) return false;
                seen.push_back(v);
            }
            separator();
            if (out.size() > mark) out.append(sep);
            out.append(v);
            return false;
        });
        separator();
        return out.size() > mark;
    }
    if (f != function::code && f != function::decode && f != function::date) {
        auto v = compute(p, s, problems);
        if (!v) return false;
        out.append(*v);
        return true;
    }
    std::string scratch_x;
    std::string_view x;
    if (!view(*p.args[0], s, scratch_x, x, problems)) return false;
    if (f == function::date) {
        std::string scratch_from, scratch_to;
        std::string_view from, to;
        if (!view(*p.args[1], s, scratch_from, from, problems)) from = {};
        if (!view(*p.args[2], s, scratch_to, to, problems)) to = {};
        auto date = convert_date(x, from, to);
        if (!date) {
            problems.push_back(fmt::format("date '{}' does not fit format {}", x, from));
            return false;
        }
        out.append(*date);
        return true;
    }
    std::string scratch_name, scratch_value;  // code(), decode(): the table named again, as it always was
    std::string_view name, value;
    view(*p.args[0], s, scratch_name, name, problems);
    if (!view(*p.args[1], s, scratch_value, value, problems)) return false;
    const auto t = s.tables ? s.tables->find(name) : decltype(s.tables->end()){};
    if (!s.tables || t == s.tables->end()) {
        problems.push_back(fmt::format("code table '{}' is not loaded", name));
        return false;
    }
    auto code = f == function::code ? t->second.forward(value) : t->second.backward(value);
    if (!code) {
        problems.push_back(fmt::format("code '{}' from {} is not in code table {} ({} -> {})", value, p.args[1]->what == part::kind::path ? p.args[1]->source->text() : "the expression",
                                       t->second.name(), f == function::code ? t->second.from_list() : t->second.to_list(),
                                       f == function::code ? t->second.to_list() : t->second.from_list()));
        return false;
    }
    out.append(*code);
    return true;
}

/// p's value appended to `out` (true), or `out` as it was (false).
bool append(const part& p, const scope& s, std::string& out, std::vector<std::string>& problems) {
    if (p.what == part::kind::call) return call(p, s, out, problems);
    std::string unused;  // only calls use it
    std::string_view v;
    if (!view(p, s, unused, v, problems)) return false;
    out.append(v);
    return true;
}

std::optional<std::string> eval(const part& p, const scope& s, std::vector<std::string>& problems) {
    std::string out;
    if (!append(p, s, out, problems)) return std::nullopt;
    return out;
}

void collect_tables(const part& p, std::vector<std::string>& out) {
    if (p.what == part::kind::call && (p.text == "code" || p.text == "decode") && p.args[0]->what == part::kind::literal)
        out.push_back(p.args[0]->text);
    for (const auto& a : p.args) collect_tables(*a, out);
}

// ---- dates ----------------------------------------------------------------------------------

struct moment {
    int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0;
};

std::string_view edifact_pattern(std::string_view code) {
    if (code == "102") return "yyyyMMdd";
    if (code == "101") return "yyMMdd";
    if (code == "201") return "yyMMddHHmm";
    if (code == "203") return "yyyyMMddHHmm";
    if (code == "204") return "yyyyMMddHHmmss";
    if (code == "401") return "HHmm";
    if (code == "718") return "yyyyMMdd";  // a period: its first date
    return code;
}

/// Reads `value` by `pattern` (yyyy yy MM dd HH mm ss SSS, other characters literal, 'quoted' text).
bool read_moment(std::string_view value, std::string_view pattern, moment& m) {
    std::size_t v = 0;
    auto digits = [&](std::size_t n, int& out) {
        if (v + n > value.size()) return false;
        int x = 0;
        for (std::size_t i = 0; i < n; ++i) {
            char c = value[v + i];
            if (c < '0' || c > '9') return false;
            x = x * 10 + (c - '0');
        }
        out = x;
        v += n;
        return true;
    };
    for (std::size_t i = 0; i < pattern.size();) {
        auto is = [&](std::string_view token) { return pattern.substr(i, token.size()) == token; };
        bool ok = true;
        if (is("yyyy")) ok = digits(4, m.year), i += 4;
        else if (is("yy")) {
            ok = digits(2, m.year);
            m.year += m.year < 70 ? 2000 : 1900;
            i += 2;
        } else if (is("MM")) ok = digits(2, m.month), i += 2;
        else if (is("dd")) ok = digits(2, m.day), i += 2;
        else if (is("HH")) ok = digits(2, m.hour), i += 2;
        else if (is("mm")) ok = digits(2, m.minute), i += 2;
        else if (is("ss")) ok = digits(2, m.second), i += 2;
        else if (is("SSS")) ok = digits(3, m.milli), i += 3;
        else if (pattern[i] == '\'') {
            auto close = pattern.find('\'', i + 1);
            auto literal = pattern.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1);
            ok = value.substr(v, literal.size()) == literal;
            v += literal.size();
            i = close == std::string_view::npos ? pattern.size() : close + 1;
        } else {
            ok = v < value.size() && value[v] == pattern[i];
            ++v, ++i;
        }
        if (!ok) return false;
    }
    if (v != value.size()) return false;
    static constexpr std::array<int, 12> days{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (m.year % 4 == 0 && m.year % 100 != 0) || m.year % 400 == 0;
    return m.month >= 1 && m.month <= 12 && m.day >= 1 && m.day <= days[static_cast<std::size_t>(m.month - 1)] &&
           !(m.month == 2 && m.day == 29 && !leap) && m.hour <= 24 && m.minute <= 59 && m.second <= 59;
}

std::string write_moment(const moment& m, std::string_view pattern) {
    std::string out;
    auto put = [&](int x, int width) {  // zero-padded; every field read is 0..9999
        char digits[4];
        for (int k = width; k-- > 0; x /= 10) digits[k] = static_cast<char>('0' + x % 10);
        out.append(digits, static_cast<std::size_t>(width));
    };
    for (std::size_t i = 0; i < pattern.size();) {
        auto is = [&](std::string_view token) { return pattern.substr(i, token.size()) == token; };
        if (is("yyyy")) put(m.year, 4), i += 4;
        else if (is("yy")) put(m.year % 100, 2), i += 2;
        else if (is("MM")) put(m.month, 2), i += 2;
        else if (is("dd")) put(m.day, 2), i += 2;
        else if (is("HH")) put(m.hour, 2), i += 2;
        else if (is("mm")) put(m.minute, 2), i += 2;
        else if (is("ss")) put(m.second, 2), i += 2;
        else if (is("SSS")) put(m.milli, 3), i += 3;
        else if (pattern[i] == '\'') {
            auto close = pattern.find('\'', i + 1);
            out += pattern.substr(i + 1, close == std::string_view::npos ? std::string_view::npos : close - i - 1);
            i = close == std::string_view::npos ? pattern.size() : close + 1;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> convert_date(std::string_view value, std::string_view from, std::string_view to) {
    std::string_view pattern = edifact_pattern(from);
    if (from == "718") value = value.substr(0, value.find('-'));
    moment m;
    if (!read_moment(value, pattern, m)) return std::nullopt;
    return write_moment(m, edifact_pattern(to));
}

std::optional<expression> expression::compile(std::string_view text, std::string& error, std::size_t& offset) {
    error.clear();
    offset = 0;
    parser p(text, error, offset);
    auto root = p.parse_all();
    if (!root) return std::nullopt;
    expression e;
    // As findings and --explain quote it: an expression written over several lines of the mapping
    // file reads as one, its runs of white space (outside quoted literals) made one space.
    char quote = 0;
    for (char c : text) {
        bool space = !quote && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
        if (space && (e.text_.empty() || e.text_.back() == ' ')) continue;
        e.text_ += space ? ' ' : c;
        if (c == '\'' || c == '"') quote = quote == c ? 0 : quote ? quote : c;
    }
    if (!e.text_.empty() && e.text_.back() == ' ') e.text_.pop_back();
    e.root_ = std::move(root);
    return e;
}

std::optional<std::string> expression::evaluate(const scope& s, std::vector<std::string>& problems) const {
    return eval(*root_, s, problems);
}

bool expression::evaluate_into(const scope& s, std::string& out, std::vector<std::string>& problems) const {
    out.clear();  // its memory reused: an output node's text, message after message
    return append(*root_, s, out, problems);
}

bool expression::holds(const scope& s) const {
    if (root_->what == part::kind::path)
        return root_->source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [](const selected& x) { return x.present(); });
    std::vector<std::string> ignored;  // a test that cannot be evaluated is false
    return evaluate(s, ignored).has_value();
}

std::vector<const core::node*> expression::elements(const scope& s) const {
    std::vector<const core::node*> out;
    elements(s, out);
    return out;
}

void expression::elements(const scope& s, std::vector<const core::node*>& out) const {
    if (root_->what != part::kind::path) return;
    root_->source->visit(*s.node, *s.root, s.vars, s.interchange, s.memo, [&](const selected& x) {
        if (x.element && !x.attribute) out.push_back(x.element);
        return false;
    });
}

namespace {
bool reads_interchange(const expression::part& p) {
    if (p.source && p.source->reads_interchange()) return true;
    for (const auto& a : p.args)
        if (reads_interchange(*a)) return true;
    return false;
}
}  // namespace

bool expression::reads_interchange() const { return mapping::reads_interchange(*root_); }

std::vector<std::string> expression::unset(const bindings& vars) const {
    std::vector<std::string> out;
    auto walk = [&](const auto& self, const part& p) -> void {
        if (p.what == part::kind::variable && !vars.contains(p.text) && std::find(out.begin(), out.end(), p.text) == out.end()) out.push_back(p.text);
        for (const auto& a : p.args) self(self, *a);
    };
    walk(walk, *root_);
    return out;
}

std::vector<std::string> expression::tables() const {
    std::vector<std::string> out;
    collect_tables(*root_, out);
    return out;
}

}  // namespace edigate::mapping
