// envelope.cpp - reply envelope, charset fallback and service table lengths (see envelope.hpp).
#include "detail/envelope.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <sstream>

#include "edigate/ack/codes.hpp"
#include "edigate/edifact/service_tables.hpp"
#include "edigate/edifact/writer.hpp"

namespace edigate::ack::detail {

namespace {

// tag -> per element: {max of a simple element or 0, max per component}
using layout = std::map<std::string, std::vector<std::pair<std::size_t, std::vector<std::size_t>>>, std::less<>>;

// "an..35" -> 35, "a3" -> 3
std::size_t repr_max(std::string_view r) {
    std::size_t i = r.size();
    while (i > 0 && r[i - 1] >= '0' && r[i - 1] <= '9') --i;
    std::size_t n = 0;
    std::from_chars(r.data() + i, r.data() + r.size(), n);
    return n;
}

layout parse_layout(std::string_view text) {
    layout out;
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>>* seg = nullptr;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        std::vector<std::string_view> f;
        for (std::size_t s = 0, i = 0; i <= line.size(); ++i)
            if (i == line.size() || line[i] == '\t') {
                f.push_back(line.substr(s, i - s));
                s = i + 1;
            }
        if (f[0] == "S" && f.size() >= 2) seg = &out[std::string(f[1])];
        else if (f[0] == "E" && f.size() >= 6 && seg) seg->push_back({f[5] == "-" ? 0 : repr_max(f[5]), {}});
        else if (f[0] == "C" && f.size() >= 5 && seg && !seg->empty()) seg->back().second.push_back(repr_max(f[4]));
    }
    return out;
}

const layout& table(int version) {
    static std::once_flag once;
    static std::array<layout, 4> tables;
    std::call_once(once, [] {
        for (int v = 1; v <= 4; ++v) tables[static_cast<std::size_t>(v - 1)] = parse_layout(edifact::service_table_text(v));
    });
    return tables[static_cast<std::size_t>((version >= 1 && version <= 4 ? version : 4) - 1)];
}

}  // namespace

int answer_version(const edifact::interchange_header& h) noexcept {
    return h.syntax_version >= 1 && h.syntax_version <= 4 ? h.syntax_version : 3;
}

std::size_t char_count(std::string_view s) noexcept {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::size_t max_length(int version, std::string_view tag, std::size_t element, std::size_t component) {
    const auto& t = table(version);
    auto it = t.find(tag);
    if (it == t.end() || element == 0 || element > it->second.size()) return 0;
    const auto& e = it->second[element - 1];
    if (component == 0) return e.first;
    return component <= e.second.size() ? e.second[component - 1] : 0;
}

bool fits(int version, std::string_view tag, std::size_t element, std::size_t component, std::string_view value) {
    // Control characters (a line feed read inside a segment) cannot be written back at all.
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7F) return false;
    std::size_t max = max_length(version, tag, element, component);
    return max == 0 || char_count(value) <= max;
}

std::string unaddressable(const edifact::interchange_header& h, int version) {
    if (!h.has_unb) return "the input has no UNB (message-level input)";
    std::vector<std::string> missing;
    if (h.sender.empty()) missing.push_back("interchange sender (S002/0004)");
    if (h.recipient.empty()) missing.push_back("interchange recipient (S003/0010)");
    if (h.control_reference.empty()) missing.push_back("interchange control reference (0020)");
    if (!missing.empty()) {
        std::string s = "UNB has no ";
        for (std::size_t i = 0; i < missing.size(); ++i) s += (i ? i + 1 == missing.size() ? " and " : ", " : "") + missing[i];
        return s;
    }
    // The UCI copies S002, S003 and 0020 as received; they must fit the UCI's definition (the
    // version 3 table for syntax 1 and 2, which define no UCI) and our UNB's.
    const auto& unb = h.unb;
    int table = version >= 4 ? 4 : 3;
    for (std::size_t e : {2u, 3u})
        for (std::size_t c = 1; c <= unb.component_count(e); ++c)
            if (!fits(version, "UNB", e, c, unb.value(e, c)) || !fits(table, "UCI", e, c, unb.value(e, c)))
                return fmt::format("UNB element {} component {} ('{}') does not fit its definition, so it cannot be copied", e, c, unb.value(e, c));
    if (!fits(table, "UCI", 1, 0, h.control_reference))
        return fmt::format("UNB control reference '{}' is longer than 0020 allows, so it cannot be copied", h.control_reference);
    return {};
}

edifact::charset reply_charset(const edifact::interchange_header& h) noexcept {
    return edifact::charset_from_identifier(h.syntax_identifier).value_or(edifact::charset::unoa);
}

namespace {

std::vector<edifact::charset> candidates(const edifact::interchange_header& h, int version) {
    using cs = edifact::charset;
    std::vector<cs> out{reply_charset(h)};
    for (cs c : {cs::unob, cs::unoc, cs::unoy}) {
        if (c == cs::unoy && version < 4) continue;  // ISO 10646 identifiers exist from syntax version 4 on
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
    return out;
}

std::string unb_date(std::string date, int version) {
    if (version >= 4 && date.size() == 6) return "20" + date;
    if (version < 4 && date.size() == 8) return date.substr(2);
    return date;
}

edifact::segment reply_unb(const edifact::interchange_header& h, int version, const envelope_options& o) {
    const auto& unb = h.unb;
    auto v = [&](std::size_t e, std::size_t c) { return std::string(unb.value(e, c)); };
    // Our S002 is their S003 (identification and qualifier); our S003 is their S002, with their
    // address for reverse routing (0008) as our routing address (0014), ISO 9735 S002/0008.
    std::vector<std::vector<std::string>> elements{{}, {v(3, 1), v(3, 2)}, {v(2, 1), v(2, 2), v(2, 3)},
                                                   {unb_date(o.date, version), o.time}, {o.control_reference}};
    if (h.test_indicator) {  // a CONTRL answering a test interchange is a test too (0035 = 1)
        elements.resize(11);
        elements[10] = {"1"};
    }
    return edifact::make_segment("UNB", elements);
}

}  // namespace

bool write_reply(const edifact::interchange_header& h, int version, const envelope_options& o,
                 const std::vector<reply_message>& messages, std::ostream& out, write_result& result) {
    auto tried = candidates(h, version);
    std::vector<core::diagnostic> first_problems;
    for (std::size_t i = 0; i < tried.size(); ++i) {
        std::ostringstream text;
        edifact::writer_options wo;
        wo.encoding = tried[i];
        wo.syntax_version = version;
        wo.una = edifact::writer_options::una_mode::always;
        wo.segment_suffix = o.segment_suffix;
        edifact::writer w(text, wo);
        w.begin_interchange(reply_unb(h, version, o));
        for (const auto& m : messages) {
            w.begin_message(m.unh);
            for (const auto& s : m.body) w.add(s);
            w.end_message();
        }
        w.end_interchange();
        if (!w.ok()) {
            if (i == 0) first_problems = w.problems();
            continue;
        }
        out << text.str();
        result.written = true;
        result.messages = static_cast<std::uint32_t>(messages.size());
        result.charset = std::string(edifact::identifier(tried[i]));
        if (i > 0)
            result.problems.push_back(make_diagnostic(
                code::charset_changed,
                fmt::format("written as {} instead of {}: {}", result.charset, edifact::identifier(tried[0]),
                            first_problems.empty() ? std::string("copied values do not fit") : first_problems.front().text)));
        return true;
    }
    result.problems.push_back(make_diagnostic(
        code::not_writable, fmt::format("no character set of syntax version {} can carry the copied values: {}", version,
                                        first_problems.empty() ? std::string("unknown") : first_problems.front().text)));
    return false;
}

std::string fit_text(std::string_view text, edifact::charset cs, int version) {
    bool level_a = cs == edifact::charset::unoa || cs == edifact::charset::iata;
    std::ostringstream sink;
    edifact::writer_options wo;
    wo.encoding = cs;
    wo.syntax_version = version;
    edifact::writer probe(sink, wo);
    std::map<std::string, bool, std::less<>> known;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = 1;
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {  // a line break inside a segment would end it for many readers
            out += ' ';
            ++i;
            continue;
        }
        if (c >= 0xF0) n = 4;
        else if (c >= 0xE0) n = 3;
        else if (c >= 0xC0) n = 2;
        std::string ch(text.substr(i, n));
        i += n;
        if (level_a && ch.size() == 1 && ch[0] >= 'a' && ch[0] <= 'z') ch[0] = static_cast<char>(ch[0] - 'a' + 'A');
        auto it = known.find(ch);
        if (it == known.end()) {
            std::size_t before = probe.problems().size();
            probe.format(edifact::make_segment("FTX", {{ch}}));
            it = known.emplace(ch, probe.problems().size() == before).first;
        }
        out += it->second ? ch : "?";
    }
    return out;
}

}  // namespace edigate::ack::detail
