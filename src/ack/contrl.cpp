// contrl.cpp - the CONTRL for one interchange record (see contrl.hpp).
//
// Where each error goes (ISO 9735-4 5.3 and the CONTRL D:3 segment notes): each reporting level
// carries one 0085 code for the service segments it stands for, and every other error is reported
// at the lowest level that locates it:
//   UCI  the first error of the interchange itself; 0013/0135 names UNA/UNB/UNZ when the error is in one
//   UCF  the first error of a group (UNG/UNE)
//   UCM  the first error about the message's UNH or UNT (a wrong UNT count, a missing UNT)
//   UCS  a segment with an error; for a missing segment the position of the last segment processed
//        before it (data element 0096), with 0085 13
//   UCD  a data element or component: S011 0098 counts the segment tag as 1, so our element e is e+1
// Action 4 at a level rejects it and everything below, so lower levels repeat 4; 7 acknowledges
// the level and whatever below is not reported as rejected.
#include "edigate/ack/contrl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "detail/envelope.hpp"
#include "edigate/ack/codes.hpp"
#include "edigate/edifact/writer.hpp"

namespace edigate::ack {

edifact::message_header contrl_identifier(int syntax_version) {
    // ISO 9735-4:2002 for syntax 4 (0052 4, 0054 1); the CONTRL of syntax 1/2 interchanges as EANCOM
    // 2000 and Ediel use it (2, 2); CONTRL D:3, the service message specification of syntax 3.
    std::string version = syntax_version >= 4 ? "4" : syntax_version == 1 || syntax_version == 2 ? "2" : "D";
    std::string release = syntax_version >= 4 ? "1" : syntax_version == 1 || syntax_version == 2 ? "2" : "3";
    return edifact::message_header{std::string(), std::string("CONTRL"), std::move(version), std::move(release), std::string("UN"), std::string()};
}

namespace {

using edifact::make_segment;

constexpr std::size_t max_ucd = 99;   // UCD C 99 in SG2/SG5
constexpr std::size_t max_ucs = 999;  // SG2/SG5 C 999 per UCM

struct level_error {
    int code = 0;
    std::string tag;  // service segment it is about, only when the level may name it
    std::uint16_t element = 0, component = 0, repetition = 0;
};

struct element_error {
    int code = 0;
    std::uint16_t element = 0, component = 0, repetition = 0;
    friend bool operator==(const element_error&, const element_error&) = default;
};

struct segment_errors {
    int code = 0;
    std::vector<element_error> elements;
};

struct message_report {
    level_error own;
    std::map<std::uint32_t, segment_errors> segments;
};

int code_of(const core::diagnostic& d) { return d.syntax_error > 0 ? d.syntax_error : 18; }  // 18 = unspecified error

// The segment a finding is about: a trailer the reader found missing, the expected segment for
// other missing things, else the segment where it was found.
std::string about_tag(const core::diagnostic& d) {
    if (d.code == "EDI-E002") return "UNZ";
    if (d.code == "EDI-E010") return "UNE";
    if (d.code == "EDI-E005") return "UNT";
    if (d.expected_at && !d.expected_at->tag.empty()) return d.expected_at->tag;
    return d.where.tag;
}

bool missing_segment(const core::diagnostic& d) {
    return d.expected_at && d.expected_at->element == 0 && d.where.element == 0;
}

// 0096 for a missing segment: "the numerical count position of the last segment that was processed
// before the position where the missing segment was expected to be". The two sources say it
// differently: the syntax engine's expected_at for a missing UNT is the position UNT would have
// had (so the one before it), the directory validator's is already the last segment processed.
std::uint32_t last_processed_before(const core::diagnostic& d, std::uint32_t segment_count) {
    if (!d.expected_at || d.expected_at->segment == 0) return segment_count;
    return d.code.rfind("EDI-D", 0) == 0 ? d.expected_at->segment : d.expected_at->segment - 1;
}

level_error first_error(const std::vector<core::diagnostic>& findings, std::initializer_list<std::string_view> tags) {
    for (const auto& d : findings) {
        if (d.level != core::severity::error) continue;
        level_error e;
        e.code = code_of(d);
        std::string tag = about_tag(d);
        for (auto t : tags)
            if (tag == t) e.tag = tag;
        if (!e.tag.empty() && !missing_segment(d) && tag == d.where.tag) {
            e.element = d.where.element;
            e.component = d.where.component;
            e.repetition = d.where.repetition;
        }
        return e;
    }
    return {};
}

message_report report(const message_record& m) {
    message_report r;
    for (const auto& d : m.findings) {
        if (d.level != core::severity::error) continue;
        std::string tag = about_tag(d);
        bool missing = missing_segment(d) || d.code == "EDI-E005";
        std::uint32_t pos = d.where.segment;
        if (missing) pos = last_processed_before(d, m.segment_count);
        bool header = tag == "UNH" || tag == "UNT" || pos == 0;
        if (header && r.own.code == 0) {
            r.own.code = code_of(d);
            if (tag == "UNH" || tag == "UNT") r.own.tag = tag;
            if (!missing && tag == d.where.tag) {
                r.own.element = d.where.element;
                r.own.component = d.where.component;
                r.own.repetition = d.where.repetition;
            }
            continue;
        }
        if (pos == 0) continue;  // a second message-level error without a segment: UCM carries one
        auto& s = r.segments[pos];
        if (missing || d.where.element == 0) {
            if (s.code == 0) s.code = code_of(d);
            continue;
        }
        element_error e{code_of(d), d.where.element, d.where.component, d.where.repetition};
        if (std::find(s.elements.begin(), s.elements.end(), e) == s.elements.end()) s.elements.push_back(e);
    }
    return r;
}

std::string number(unsigned n) { return n ? std::to_string(n) : std::string(); }

// S011: 0098 counts the segment tag as position 1; 0104 component; 0136 occurrence (syntax 4).
std::vector<std::string> s011(std::uint16_t element, std::uint16_t component, std::uint16_t repetition, int version) {
    if (element == 0) return {};
    std::vector<std::string> c{std::to_string(element + 1), number(component)};
    if (version >= 4) c.push_back(number(repetition));
    return c;
}

std::vector<std::string> components(const edifact::segment& s, std::size_t e, std::size_t max) {
    std::vector<std::string> out;
    for (std::size_t c = 1; c <= max && c <= s.component_count(e); ++c) out.emplace_back(s.value(e, c));
    return out;
}

std::string code_text(int code) { return code ? std::to_string(code) : std::string(); }

// UCI/UCF/UCM share the tail: 0083 action, 0085 error, 0013/0135 segment tag, S011 position.
void add_tail(std::vector<std::vector<std::string>>& e, bool rejected, const level_error& err, int version) {
    e.push_back({rejected ? "4" : "7"});
    e.push_back({code_text(err.code)});
    e.push_back({err.tag});
    e.push_back(err.tag.empty() ? std::vector<std::string>{} : s011(err.element, err.component, err.repetition, version));
}

class builder {
public:
    builder(const interchange_record& ich, int version, write_result& result)
        : ich_(ich), v_(version), table_(version >= 4 ? 4 : 3), result_(result) {}

    std::vector<edifact::segment> build() {
        // First pass: a rejected message or group that cannot be named rejects the interchange.
        bool whole = ich_.rejected();
        bool grouped = !ich_.groups.empty();
        for (const auto& g : ich_.groups) {
            bool rejected = g.rejected();
            for (const auto& m : ich_.messages)
                if (m.group == g.header.index) rejected = rejected || m.rejected();
            if (!identifiable(g) && rejected) {
                whole = true;
                problem(fmt::format("group {} ('{}'): its reference or application identifications are missing or too long to be "
                                    "copied into a UCF; the interchange is rejected instead", g.header.index, g.header.reference));
            }
        }
        for (const auto& m : ich_.messages) {
            if (!m.rejected()) continue;
            if (grouped && m.group == 0) {
                whole = true;
                problem(fmt::format("message {} ('{}') is outside the groups of an interchange that uses groups; CONTRL can "
                                    "report it only by rejecting the interchange", m.index, m.header.reference));
            } else if (!identifiable(m)) {
                whole = true;
                problem(fmt::format("message {} ('{}'): its reference or message identifier is missing or too long to be copied "
                                    "into a UCM; the interchange is rejected instead", m.index, m.header.reference));
            }
        }

        std::vector<edifact::segment> out;
        const auto& unb = ich_.header.unb;
        std::vector<std::vector<std::string>> uci{{ich_.header.control_reference},
                                                  components(unb, 2, table_ == 4 ? 4 : 3),
                                                  components(unb, 3, table_ == 4 ? 4 : 3)};
        add_tail(uci, whole, first_error(ich_.findings, {"UNA", "UNB", "UNZ"}), v_);
        out.push_back(make_segment("UCI", uci));

        if (!grouped) {
            for (const auto& m : ich_.messages)
                if (identifiable(m)) add_message(out, m, whole);
            return out;
        }
        for (const auto& g : ich_.groups) {
            if (!identifiable(g)) continue;
            bool rejected = whole || g.rejected();
            std::vector<std::vector<std::string>> ucf{{g.header.reference}, components(g.header.ung, 2, 2), components(g.header.ung, 3, 2)};
            add_tail(ucf, rejected, first_error(g.findings, {"UNG", "UNE"}), v_);
            out.push_back(make_segment("UCF", ucf));
            for (const auto& m : ich_.messages)
                if (m.group == g.header.index && identifiable(m)) add_message(out, m, rejected);
        }
        return out;
    }

private:
    bool identifiable(const message_record& m) const {
        const auto& h = m.header;
        bool s009 = !h.type.empty() && !h.version.empty() && !h.release.empty() && !h.agency.empty();
        bool fit = fits(1, h.reference) && fits_s009(h);
        if (table_ == 4) return fit;  // 0062 and S009 are conditional in the syntax 4 UCM
        return !h.reference.empty() && s009 && fit;
    }
    bool fits(std::size_t element, std::string_view value) const { return detail::fits(table_, "UCM", element, 0, value); }
    bool fits_s009(const edifact::message_header& h) const {
        const std::string* parts[] = {&h.type, &h.version, &h.release, &h.agency};
        for (std::size_t c = 0; c < 4; ++c)
            if (!detail::fits(table_, "UCM", 2, c + 1, *parts[c])) return false;
        return true;
    }
    // S009/0057 is conditional: one that cannot be copied (too long) is left out.
    std::string association(const edifact::message_header& h) const {
        return detail::fits(table_, "UCM", 2, 5, h.association) ? h.association : std::string();
    }
    bool identifiable(const group_record& g) const {
        const auto& ung = g.header.ung;
        if (g.header.reference.empty() || !detail::fits(table_, "UCF", 1, 0, g.header.reference)) return false;
        for (std::size_t e : {2u, 3u})
            for (std::size_t c = 1; c <= 2; ++c)
                if (!detail::fits(table_, "UCF", e, c, ung.value(e, c))) return false;
        // S006 and S007 are mandatory in the syntax 3 UCF
        return table_ == 4 || (!ung.value(2, 1).empty() && !ung.value(3, 1).empty());
    }

    void add_message(std::vector<edifact::segment>& out, const message_record& m, bool parent_rejected) {
        const auto& h = m.header;
        message_report r = report(m);
        bool complete_s009 = !h.type.empty() && !h.version.empty() && !h.release.empty() && !h.agency.empty();
        std::vector<std::vector<std::string>> ucm{{h.reference}};
        if (complete_s009) ucm.push_back({h.type, h.version, h.release, h.agency, association(h)});
        else ucm.push_back({});
        add_tail(ucm, parent_rejected || m.rejected(), r.own, v_);
        out.push_back(make_segment("UCM", ucm));
        std::size_t ucs = 0;
        for (const auto& [pos, s] : r.segments) {
            if (++ucs > max_ucs) {
                problem(fmt::format("message {} ('{}'): errors in {} segments; CONTRL reports the first {}", m.index, h.reference,
                                    r.segments.size(), max_ucs), code::report_cut);
                break;
            }
            out.push_back(make_segment("UCS", {{std::to_string(pos)}, {code_text(s.code)}}));
            for (std::size_t i = 0; i < s.elements.size(); ++i) {
                if (i == max_ucd) {
                    problem(fmt::format("message {} ('{}'), segment {}: {} data element errors; CONTRL reports the first {}", m.index,
                                        h.reference, pos, s.elements.size(), max_ucd), code::report_cut);
                    break;
                }
                const auto& e = s.elements[i];
                out.push_back(make_segment("UCD", {{code_text(e.code)}, s011(e.element, e.component, e.repetition, v_)}));
            }
        }
    }

    void problem(std::string text, code c = code::not_identifiable) {
        core::position p;
        p.interchange = ich_.header.index;
        p.byte = ich_.header.byte;
        result_.problems.push_back(make_diagnostic(c, std::move(text), p));
    }

    const interchange_record& ich_;
    int v_, table_;
    write_result& result_;
};

}  // namespace

write_result write_contrl(const interchange_record& ich, std::ostream& out, const contrl_options& options) {
    if (options.control_reference.empty()) throw std::invalid_argument("write_contrl: no control reference for the CONTRL interchange");
    write_result result;
    int version = detail::answer_version(ich.header);
    if (auto why = detail::unaddressable(ich.header, version); !why.empty()) {
        core::position p;
        p.interchange = ich.header.index;
        p.byte = ich.header.byte;
        p.tag = ich.header.has_unb ? "UNB" : "";
        result.problems.push_back(make_diagnostic(
            code::not_addressable, fmt::format("interchange {} cannot be acknowledged by CONTRL: {}", ich.header.index, why), p));
        return result;
    }
    detail::reply_message msg;
    auto id = contrl_identifier(version);
    msg.unh = make_segment("UNH", {{options.message_reference}, {id.type, id.version, id.release, id.agency}});
    msg.body = builder(ich, version, result).build();
    detail::write_reply(ich.header, version, options, {msg}, out, result);
    return result;
}

}  // namespace edigate::ack
