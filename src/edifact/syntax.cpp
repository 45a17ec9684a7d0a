// syntax.cpp - syntax identifiers, charsets and default separators (ISO 9735-1 clause 7, 0001 codes).
#include "edigate/edifact/syntax.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace edigate::edifact {

namespace {
struct charset_row {
    charset cs;
    std::string_view id;
    std::string_view encoding;
};
// 0001 syntax identifiers and the encodings they name (ISO 9735 service code list).
constexpr std::array<charset_row, 18> rows{{
    {charset::unoa, "UNOA", "ASCII"},       {charset::unob, "UNOB", "ASCII"},
    {charset::unoc, "UNOC", "ISO-8859-1"},  {charset::unod, "UNOD", "ISO-8859-2"},
    {charset::unoe, "UNOE", "ISO-8859-5"},  {charset::unof, "UNOF", "ISO-8859-7"},
    {charset::unog, "UNOG", "ISO-8859-3"},  {charset::unoh, "UNOH", "ISO-8859-4"},
    {charset::unoi, "UNOI", "ISO-8859-6"},  {charset::unoj, "UNOJ", "ISO-8859-8"},
    {charset::unok, "UNOK", "ISO-8859-9"},  {charset::unol, "UNOL", "ISO-8859-15"},
    {charset::unow, "UNOW", "UTF-8"},       {charset::unox, "UNOX", "ISO-2022-CN-EXT"},
    {charset::unoy, "UNOY", "UTF-8"},       {charset::iata, "IATA", "ASCII"},
    {charset::iatb, "IATB", "ASCII"},       {charset::gb18030, "GB18030", "GB18030"},
}};

const charset_row& row(charset cs) noexcept {
    for (const auto& r : rows)
        if (r.cs == cs) return r;
    return rows[0];
}
}  // namespace

std::optional<charset> charset_from_identifier(std::string_view id) noexcept {
    for (const auto& r : rows)
        if (r.id == id && r.cs != charset::gb18030) return r.cs;
    return std::nullopt;
}

std::string_view identifier(charset cs) noexcept { return row(cs).id; }
std::string_view encoding_name(charset cs) noexcept { return row(cs).encoding; }

std::optional<charset> charset_from_name(std::string_view name) noexcept {
    std::string up(name);
    std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (up == "GB18030" || up == "GBK" || up == "GB2312") return charset::gb18030;
    if (up == "UTF-8" || up == "UTF8") return charset::unoy;
    if (up == "LATIN1" || up == "ISO-8859-1") return charset::unoc;
    return charset_from_identifier(up);
}

std::string delimiters::una_string() const {
    return std::string{component, element, decimal, release ? release : ' ', repetition ? repetition : ' ', segment};
}

delimiters default_delimiters(int syntax_version, bool level_b_separators) noexcept {
    delimiters d;
    if (level_b_separators) {
        // ISO 9735-1: level B defaults are the information separators IS4 IS3 IS1 IS2, no release character.
        d.segment = '\x1C';
        d.element = '\x1D';
        d.component = '\x1F';
        d.repetition = syntax_version >= 4 ? '\x1E' : ' ';
        d.release = '\0';
        return d;
    }
    if (syntax_version >= 4) d.repetition = '*';
    return d;
}

}  // namespace edigate::edifact
