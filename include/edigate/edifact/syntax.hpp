// syntax.hpp - ISO 9735 syntax facts: separators (UNA), syntax identifiers, character sets.
//
// Pure data and lookups, no I/O. Unknown syntax identifiers are not an error here: lookups return
// std::nullopt and the reader turns that into a diagnostic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edigate::edifact {

/// Character repertoires named by UNB S001/0001 (plus the partner-only GB18030 override).
enum class charset : std::uint8_t {
    unoa, unob, unoc, unod, unoe, unof, unog, unoh, unoi, unoj, unok, unol,
    unow,     ///< ISO 10646 with code extension, UTF-8
    unox,     ///< ISO 2022 code extension (7-bit with escape sequences)
    unoy,     ///< ISO 10646 without code extension; written as UTF-8
    iata,     ///< IATA airline syntax identifier IATA (treated as level A)
    iatb,     ///< IATA airline syntax identifier IATB (treated as level B)
    gb18030,  ///< not an ISO 9735 identifier: only by partner override for feeds that send Chinese GB18030/GBK under UNOC
};

/// The charset of a syntax identifier such as "UNOC", or nullopt when it is not one we know.
std::optional<charset> charset_from_identifier(std::string_view id) noexcept;
/// The syntax identifier for a charset ("UNOC"); "GB18030" for the override.
std::string_view identifier(charset cs) noexcept;
/// iconv encoding name of a charset, e.g. "ISO-8859-2", "UTF-8".
std::string_view encoding_name(charset cs) noexcept;
/// Parse an operator-given charset name: a syntax identifier (UNOC) or GB18030/GBK.
std::optional<charset> charset_from_name(std::string_view name) noexcept;

/// Service characters of an interchange (UNA, or the defaults of the syntax level).
struct delimiters {
    char component = ':';   ///< component data element separator
    char element = '+';     ///< data element separator
    char decimal = '.';     ///< decimal mark, '.' or ','
    char release = '?';     ///< release character; '\0' = none (level B information separators)
    char repetition = ' ';  ///< repetition separator (syntax 4: '*'); ' ' = reserved / not used
    char segment = '\'';    ///< segment terminator

    bool has_repetition() const noexcept { return repetition != ' ' && repetition != '\0'; }
    bool is_service(char c) const noexcept {
        return c == component || c == element || c == segment || (release && c == release) ||
               (has_repetition() && c == repetition);
    }
    /// The six UNA characters in order.
    std::string una_string() const;
    friend bool operator==(const delimiters&, const delimiters&) = default;
};

/// Defaults when there is no UNA: level B information separators when `level_b_separators`, else
/// ':+.? \'' with the repetition separator '*' from syntax version 4 on.
delimiters default_delimiters(int syntax_version, bool level_b_separators = false) noexcept;

}  // namespace edigate::edifact
