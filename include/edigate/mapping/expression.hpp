// expression.hpp - the value expressions of mapping files.
//
//   'MT1101'                              a literal ('' inside doubles a quote)
//   SG3/TDT[8051='20']/8028               a source path (path.hpp): its first non-empty value;
//                                         a bare number is a path too (3207 is an element name),
//                                         except as the count of number, substring, lpad, rpad
//   $sender  $recipient  $interchange  $message  $now  $file     run variables
//   concat(a, b, ...)                     the values joined; missing when any of them is missing
//   default(a, b, ...)                    the first present value
//   code('table', x)  decode('table', x)  a code table (mappings/codes/) forwards / backwards;
//                                         an unknown code is a problem, never a blank
//   date(x, 'from', 'to')                 dates: from an EDIFACT 2379 code (102 203 204 101 201
//                                         718...) or a pattern, to a pattern (yyyyMMddHHmmssSSS,
//                                         yyyy-MM-dd'T'HH:mm:ss ...)
//   number(x, decimals)                   a number with '.' as decimal mark and fixed decimals,
//                                         rounded half away from zero (2.675 to 2: 2.68)
//   trim(x) upper(x) lower(x)  substring(x, from[, length])  lpad(x, n, 'c')  rpad(x, n, 'c')
//   count(path)  sum(path)  max(path)  min(path)  join(path, 'separator')   over every selection;
//                                         sum() and number() count in decimal (0.1 + 0.2 is 0.3)
//   unique(path, 'separator')             join with each value once
//   not(x)                                '1' when x is missing (a path: selects nothing present)
//   //Message[@type='CUSCAR']/BGM/1004     a path into the other messages of the interchange
//
// A value is present or missing; an empty source element counts as missing. Problems found while
// evaluating (an unknown code, a date that does not fit its format) are returned as text with the
// source they came from, for the engine to report as findings.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/node.hpp"
#include "edigate/mapping/code_table.hpp"
#include "edigate/mapping/path.hpp"

namespace edigate::mapping {

/// What an expression is evaluated against.
struct scope {
    const core::node* node = nullptr;                                ///< the current source element (for-each moves it)
    const core::node* root = nullptr;                                ///< the source message or document
    const core::node* interchange = nullptr;                         ///< its interchange, for '//' paths (may be null)
    const bindings* vars = nullptr;
    const std::map<std::string, code_table, std::less<>>* tables = nullptr;
    path_memo* memo = nullptr;  ///< a run's: paths reuse the qualified parts other paths walked
    /// Set by evaluate() to the source element the first path value came from (for --explain).
    mutable const core::node* origin = nullptr;
};

class expression {
public:
    struct part;  // compiled form, see expression.cpp

    /// Compiles `text`; on error returns nullopt with `error` and the 0-based `offset` in the text.
    static std::optional<expression> compile(std::string_view text, std::string& error, std::size_t& offset);

    std::optional<std::string> evaluate(const scope& s, std::vector<std::string>& problems) const;
    /// evaluate() into `out` (overwritten; left empty without a value), whose memory is reused:
    /// whether there is a value.
    bool evaluate_into(const scope& s, std::string& out, std::vector<std::string>& problems) const;
    /// For tests (if): a path selects anything (an element counts even without text); any other
    /// expression has a value.
    bool holds(const scope& s) const;
    /// The elements a path expression selects (for for-each); empty for other expressions.
    std::vector<const core::node*> elements(const scope& s) const;
    /// The same, appended to `out`.
    void elements(const scope& s, std::vector<const core::node*>& out) const;

    /// The expression as written, each run of white space outside quoted literals one space.
    const std::string& text() const noexcept { return text_; }
    /// The code tables the expression names, to check at load that they exist.
    std::vector<std::string> tables() const;
    /// Whether a path in it reads the interchange ('//'): the run must then see the whole interchange.
    bool reads_interchange() const;
    /// The $variables it names that `vars` does not hold (a partner value not given, most often).
    std::vector<std::string> unset(const bindings& vars) const;

private:
    std::string text_;
    std::shared_ptr<const part> root_;
};

/// Formats a date given in `from` (an EDIFACT 2379 code or a pattern) into the pattern `to`;
/// nullopt when the value does not fit.
std::optional<std::string> convert_date(std::string_view value, std::string_view from, std::string_view to);

}  // namespace edigate::mapping
