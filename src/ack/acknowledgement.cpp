// acknowledgement.cpp - reading a partner's CONTRL or APERAK (see acknowledgement.hpp).
//
// CONTRL: UCI (interchange), then either UCM/UCS/UCD per message or UCF per group followed by its
// UCM/UCS/UCD; the element positions are the same in the syntax 3 and 4 segments. APERAK: BGM
// says accepted or rejected (4343 RE/AP, else 1225 27/48 or 29/34/44/45; without them and
// without ERC it is an acknowledgement, with ERC the verdict is unknown), RFF (ACW first) names
// the message answered, each ERC with its FTX is one reported error or acknowledgement code.
#include "edigate/ack/acknowledgement.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "edigate/ack/codes.hpp"

namespace edigate::ack {

std::string_view to_string(verdict v) noexcept {
    switch (v) {
    case verdict::accepted: return "accepted";
    case verdict::rejected: return "rejected";
    case verdict::partially_accepted: return "partially accepted";
    case verdict::received: return "received";
    case verdict::unknown: break;
    }
    return "unknown";
}

std::string_view syntax_error_name(int code) noexcept {
    // Data element 0085, ISO 9735 syntax version 3 code list, with 45-48 from version 4.
    static constexpr std::array<std::pair<int, std::string_view>, 38> names{{
        {2, "syntax version or level not supported"},
        {7, "interchange recipient not actual recipient"},
        {12, "invalid value"},
        {13, "missing"},
        {14, "value not supported in this position"},
        {15, "not supported in this position"},
        {16, "too many constituents"},
        {17, "no agreement"},
        {18, "unspecified error"},
        {19, "invalid decimal notation"},
        {20, "character invalid as service character"},
        {21, "invalid character(s)"},
        {22, "invalid service character(s)"},
        {23, "unknown interchange sender"},
        {24, "too old"},
        {25, "test indicator not supported"},
        {26, "duplicate detected"},
        {27, "security function not supported"},
        {28, "references do not match"},
        {29, "control count does not match number of instances received"},
        {30, "functional groups and messages mixed"},
        {31, "more than one message type in group"},
        {32, "lower level empty"},
        {33, "invalid occurrence outside message or functional group"},
        {34, "nesting indicator not allowed"},
        {35, "too many segment repetitions"},
        {36, "too many segment group repetitions"},
        {37, "invalid type of character(s)"},
        {38, "missing digit in front of decimal sign"},
        {39, "data element too long"},
        {40, "data element too short"},
        {41, "permanent communication network error"},
        {42, "temporary communication network error"},
        {43, "unknown interchange recipient"},
        {45, "trailing separator"},
        {46, "character set not supported"},
        {47, "envelope functionality not supported"},
        {48, "dependency condition violated"},
    }};
    for (const auto& [c, name] : names)
        if (c == code) return name;
    return {};
}

namespace {

class parser {
public:
    explicit parser(acknowledgement& a) : a_(a) {}

    void problem(const edifact::segment& s, std::size_t element, std::string text) {
        core::position p;
        p.byte = element ? s.byte_of(element) : s.byte;
        p.segment = s.number;
        p.tag = s.tag;
        p.element = static_cast<std::uint16_t>(element);
        a_.problems.push_back(make_diagnostic(code::not_understood, std::move(text), p));
    }

    unsigned number(const edifact::segment& s, std::size_t e, std::size_t c = 1) {
        std::string_view v = s.value(e, c);
        if (v.empty()) return 0;
        unsigned n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || p != v.data() + v.size()) {
            problem(s, e, fmt::format("{} element {} '{}' is not a number", s.tag, e, v));
            return 0;
        }
        return n;
    }

    verdict action(const edifact::segment& s, std::size_t e) {
        std::string_view v = s.value(e);
        if (v == "4") return verdict::rejected;
        if (v == "7") return verdict::accepted;
        if (v == "8") return verdict::received;
        problem(s, e, v.empty() ? fmt::format("{} has no action code (0083)", s.tag)
                                : fmt::format("{} action code '{}' is not 4, 7 or 8", s.tag, v));
        return verdict::unknown;
    }

    // The 0085 / 0013-0135 / S011 tail of UCI, UCF and UCM, starting at element `e`.
    void level_error(const edifact::segment& s, std::size_t e, std::vector<reported_error>& into) {
        int code = static_cast<int>(number(s, e));
        if (!code) return;
        reported_error r;
        r.syntax_error = code;
        r.service_segment = s.value(e + 1);
        position(s, e + 2, r);
        r.text = std::string(syntax_error_name(code));
        into.push_back(std::move(r));
    }

    void position(const edifact::segment& s, std::size_t e, reported_error& r) {
        unsigned element = number(s, e, 1);
        r.element = static_cast<std::uint16_t>(element > 0 ? element - 1 : 0);
        r.component = static_cast<std::uint16_t>(number(s, e, 2));
        r.repetition = static_cast<std::uint16_t>(number(s, e, 3));
    }

    void contrl(const edifact::message& m) {
        bool seen_uci = false;
        acknowledged_message* msg = nullptr;
        std::uint32_t segment = 0;
        bool in_ucs = false;
        std::string group;
        for (const auto& s : m.segments) {
            if (s.tag == "UNH" || s.tag == "UNT") continue;
            if (s.tag == "UCI") {
                if (seen_uci) problem(s, 0, "a second UCI; only the first one is read");
                else {
                    a_.interchange_reference = s.value(1);
                    a_.sender = s.value(2, 1);
                    a_.recipient = s.value(3, 1);
                    a_.overall = action(s, 4);
                    level_error(s, 5, a_.errors);
                }
                seen_uci = true;
                continue;
            }
            if (s.tag == "UCF") {
                acknowledged_group g;
                g.reference = group = s.value(1);
                g.action = action(s, 4);
                level_error(s, 5, g.errors);
                a_.groups.push_back(std::move(g));
                msg = nullptr;
                in_ucs = false;
                continue;
            }
            if (s.tag == "UCM") {
                acknowledged_message am;
                am.reference = s.value(1);
                am.type = s.value(2, 1);
                am.version = s.value(2, 2);
                am.release = s.value(2, 3);
                am.agency = s.value(2, 4);
                am.group = group;
                am.action = action(s, 3);
                level_error(s, 4, am.errors);
                a_.messages.push_back(std::move(am));
                msg = &a_.messages.back();
                in_ucs = false;
                continue;
            }
            if (s.tag == "UCS" || s.tag == "UCD") {
                if (!msg) {
                    problem(s, 0, fmt::format("{} before any UCM; it names no message", s.tag));
                    continue;
                }
                if (s.tag == "UCS") {
                    segment = number(s, 1);
                    in_ucs = true;
                    if (int code = static_cast<int>(number(s, 2))) {
                        reported_error r;
                        r.syntax_error = code;
                        r.segment = segment;
                        r.text = std::string(syntax_error_name(code));
                        msg->errors.push_back(std::move(r));
                    }
                    continue;
                }
                if (!in_ucs) {
                    problem(s, 0, "UCD without a UCS before it; the segment is unknown");
                    continue;
                }
                reported_error r;
                r.syntax_error = static_cast<int>(number(s, 1));
                r.segment = segment;
                position(s, 2, r);
                r.text = std::string(syntax_error_name(r.syntax_error));
                msg->errors.push_back(std::move(r));
                continue;
            }
            problem(s, 0, fmt::format("segment {} is not part of a CONTRL message", s.tag));
        }
        if (!seen_uci) {
            core::position p;
            p.byte = m.byte;
            a_.problems.push_back(make_diagnostic(code::not_understood, "CONTRL without UCI: the interchange answered is unknown", p));
        }
        // An acknowledged interchange with rejected parts is only partially accepted.
        if (a_.overall == verdict::accepted) {
            bool some = false;
            for (const auto& g : a_.groups) some = some || g.action == verdict::rejected;
            for (const auto& x : a_.messages) some = some || x.action == verdict::rejected;
            if (some) a_.overall = verdict::partially_accepted;
        }
    }

    void aperak(const edifact::message& m) {
        acknowledged_message am;
        reported_error* last = nullptr;
        bool seen_erc = false, in_error_group = false, have_acw = false;
        std::string function;
        for (const auto& s : m.segments) {
            if (s.tag == "BGM") {
                a_.document_code = s.value(1, 1);
                function = s.value(3);
                a_.response_type = s.value(4);
            } else if (s.tag == "RFF") {
                bool acw = s.value(1, 1) == "ACW";
                if (in_error_group) {
                    if (last && s.has(1, 2)) last->text += fmt::format(" (reference {} {})", s.value(1, 1), s.value(1, 2));
                } else if (acw || (!have_acw && am.reference.empty())) {
                    am.reference = s.value(1, 2);
                }
                have_acw = have_acw || acw;
            } else if (s.tag == "ERC") {
                reported_error r;
                r.code = s.value(1, 1);
                if (s.has(1, 3)) r.code += ":" + std::string(s.value(1, 3));
                am.errors.push_back(std::move(r));
                last = &am.errors.back();
                seen_erc = in_error_group = true;
            } else if (s.tag == "FTX" && last) {
                std::string text;
                for (std::size_t c = 1; c <= s.component_count(4); ++c) text += s.value(4, c);
                if (!last->text.empty() && !text.empty()) last->text += " ";
                last->text += text;
            } else if (s.tag == "UNH" || s.tag == "UNT" || s.tag == "DTM" || s.tag == "FTX" || s.tag == "CNT" ||
                       s.tag == "NAD" || s.tag == "CTA" || s.tag == "COM" || s.tag == "DOC") {
                // context the verdict does not depend on
            } else {
                problem(s, 0, fmt::format("segment {} is not part of an APERAK message", s.tag));
            }
        }
        // BGM 4343 (response type) decides, else 1225 (message function); ERC alone does not:
        // it carries "application error or acknowledgement" codes (APERAK segment notes).
        const std::string& rt = a_.response_type;
        if (rt == "RE") a_.overall = verdict::rejected;
        else if (rt == "AP" || rt == "AD" || rt == "AC") a_.overall = verdict::accepted;
        else if (function == "27" || function == "48") a_.overall = verdict::rejected;
        else if (function == "29" || function == "34" || function == "44" || function == "45") a_.overall = verdict::accepted;
        else if (!seen_erc) a_.overall = verdict::accepted;
        else {
            a_.overall = verdict::unknown;
            core::position p;
            p.byte = m.byte;
            a_.problems.push_back(make_diagnostic(
                code::not_understood,
                fmt::format("APERAK reports {} code{} but says neither accepted nor rejected (BGM 4343 '{}', 1225 '{}'); read the texts",
                            am.errors.size(), am.errors.size() == 1 ? "" : "s", rt, function),
                p));
        }
        am.action = a_.overall;
        if (am.reference.empty()) {
            core::position p;
            p.byte = m.byte;
            a_.problems.push_back(make_diagnostic(code::not_understood, "APERAK without a reference (RFF) to the message it answers", p));
        }
        a_.messages.push_back(std::move(am));
    }

private:
    acknowledgement& a_;
};

}  // namespace

core::result<acknowledgement> read_acknowledgement(const edifact::message& m) {
    const auto& h = m.header;
    core::position where;
    where.byte = m.byte;
    where.message = m.index;
    where.segment = 1;
    where.tag = "UNH";
    if (h.type != "CONTRL" && h.type != "APERAK")
        return make_diagnostic(code::not_acknowledgement,
                               fmt::format("message {} ('{}') is a {}, not a CONTRL or APERAK", m.index, h.reference,
                                           h.type.empty() ? "message without type" : h.type),
                               where);
    if (m.segments.empty())
        return make_diagnostic(code::not_acknowledgement,
                               fmt::format("message {} ('{}') was read without its segments", m.index, h.reference), where);
    acknowledgement a;
    a.type = h.type == "CONTRL" ? acknowledgement::kind::contrl : acknowledgement::kind::aperak;
    a.reference = h.reference;
    a.identifier = fmt::format("{}:{}:{}:{}", h.type, h.version, h.release, h.agency);
    parser p(a);
    if (a.type == acknowledgement::kind::contrl) p.contrl(m);
    else p.aperak(m);
    return a;
}

}  // namespace edigate::ack
