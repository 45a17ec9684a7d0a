// aperak.cpp - APERAK for directory findings (see aperak.hpp).
#include "edigate/ack/aperak.hpp"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

#include "detail/envelope.hpp"
#include "edigate/ack/codes.hpp"
#include "edigate/edifact/writer.hpp"

namespace edigate::ack {

namespace {

using edifact::make_segment;

constexpr std::size_t chunk = 70;       // C108/4440 an..70 (D.96A, D.01B); later directories allow 512
constexpr std::size_t chunks = 5;       // C108 holds 4440 five times
constexpr std::size_t max_errors = 999; // ERC group: C 999 in D.95B/D.96A (99999 later)

std::string where_text(const core::position& p) {
    std::string out;
    if (p.segment || !p.tag.empty()) {
        out = "segment";
        if (p.segment) out += fmt::format(" {}", p.segment);
        if (!p.tag.empty()) out += " " + p.tag;
    }
    if (p.element) out += fmt::format(", element {}", p.element);
    if (p.component) out += fmt::format(", component {}", p.component);
    if (p.repetition) out += fmt::format(", repetition {}", p.repetition);
    return out;
}

std::vector<std::string> characters(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        out.push_back(text.substr(i, n));
        i += n;
    }
    return out;
}

// The text split into 4440 values of at most `chunk` characters, at a space where one is near
// (the space stays at the end of its piece, so plain concatenation gives the text back); cut
// with "..." when it needs more than five pieces.
std::vector<std::string> split_text(const std::string& text, bool& cut) {
    auto chars = characters(text);
    std::vector<std::vector<std::string>> pieces;
    std::size_t at = 0;
    while (at < chars.size() && pieces.size() < chunks) {
        std::size_t end = std::min(at + chunk, chars.size());
        if (end < chars.size() && pieces.size() + 1 < chunks)
            for (std::size_t k = end; k > at + chunk / 2; --k)
                if (chars[k - 1] == " ") {
                    end = k;
                    break;
                }
        pieces.emplace_back(chars.begin() + static_cast<std::ptrdiff_t>(at), chars.begin() + static_cast<std::ptrdiff_t>(end));
        at = end;
    }
    cut = at < chars.size();
    if (cut) {
        pieces.back().resize(std::min(pieces.back().size(), chunk - 3));
        pieces.back().push_back("...");
    }
    std::vector<std::string> out;
    for (const auto& p : pieces) {
        std::string piece;
        for (const auto& c : p) piece += c;
        out.push_back(std::move(piece));
    }
    return out;
}

// A UN directory's messages are version "D" (draft directory); some senders write another
// version with a directory release ("0:96A"): the APERAK names the directory properly.
std::string directory_version(const edifact::message_header& h) {
    bool release = h.release.size() == 3 && std::isdigit(static_cast<unsigned char>(h.release[0])) &&
                   std::isdigit(static_cast<unsigned char>(h.release[1])) && std::isupper(static_cast<unsigned char>(h.release[2]));
    return h.agency == "UN" && release ? std::string("D") : h.version;
}

std::string document_date(const std::string& date, const std::string& time) {
    return (date.size() == 6 ? "20" + date : date) + time;
}

}  // namespace

std::function<std::string(const edifact::message_header&)> document_codes_from(directory::catalog& dirs) {
    return [&dirs](const edifact::message_header& h) {
        const auto* dir = dirs.find(directory::directory_id(directory_version(h), h.release));
        const auto* list = dir ? dir->codes("1001") : nullptr;
        return !list || list->contains("313") ? std::string("313") : std::string();
    };
}

bool is_application_finding(const core::diagnostic& d) noexcept {
    // EDI-D001 says our installation lacks the directory: nothing about the partner's message.
    // EDI-M002 and EDI-M003 are the mapping engine's findings about the message's content (a value
    // an agency needs is missing, a code or date does not convert); the other M codes are ours.
    return (d.code.rfind("EDI-D", 0) == 0 && d.code != "EDI-D001") || d.code == "EDI-M002" || d.code == "EDI-M003";
}

write_result write_aperak(const interchange_record& ich, std::ostream& out, const aperak_options& options) {
    if (options.control_reference.empty()) throw std::invalid_argument("write_aperak: no control reference for the APERAK interchange");
    write_result result;
    bool any = false;
    for (const auto& m : ich.messages)
        for (const auto& d : m.findings) any = any || is_application_finding(d);
    if (!any) return result;

    int version = detail::answer_version(ich.header);
    core::position at;
    at.interchange = ich.header.index;
    at.byte = ich.header.byte;
    if (auto why = detail::unaddressable(ich.header, version); !why.empty()) {
        result.problems.push_back(make_diagnostic(
            code::not_addressable, fmt::format("interchange {} cannot be answered by APERAK: {}", ich.header.index, why), at));
        return result;
    }
    auto cs = detail::reply_charset(ich.header);
    std::vector<detail::reply_message> messages;
    for (const auto& m : ich.messages) {
        std::vector<const core::diagnostic*> found;
        bool errors = false;
        for (const auto& d : m.findings)
            if (is_application_finding(d)) {
                found.push_back(&d);
                errors = errors || d.level == core::severity::error;
            }
        if (found.empty()) continue;
        const auto& h = m.header;
        if (h.type.empty() || h.version.empty() || h.release.empty() || h.agency.empty()) {
            auto p = at;
            p.message = m.index;
            result.problems.push_back(make_diagnostic(
                code::not_identifiable,
                fmt::format("message {} ('{}') has no complete message identifier, so no directory for its APERAK", m.index, h.reference), p));
            continue;
        }
        std::string n = std::to_string(messages.size() + 1);
        detail::reply_message msg;
        msg.unh = make_segment("UNH", {{n}, {"APERAK", directory_version(h), h.release, h.agency}});
        std::string name = options.document_name_code ? options.document_name_code(h) : std::string("313");
        msg.body.push_back(make_segment("BGM", {{name}, {options.control_reference + "-" + n}, {"9"}, {errors ? "RE" : "AP"}}));
        msg.body.push_back(make_segment("DTM", {{"137", document_date(options.date, options.time), "203"}}));
        msg.body.push_back(make_segment("RFF", {{"ACW", h.reference}}));
        for (std::size_t i = 0; i < found.size(); ++i) {
            const auto& d = *found[i];
            if (i == max_errors) {
                auto p = at;
                p.message = m.index;
                result.problems.push_back(make_diagnostic(
                    code::report_cut,
                    fmt::format("message {} ('{}'): {} application findings; APERAK reports the first {}", m.index, h.reference, found.size(), max_errors), p));
                break;
            }
            std::string where = where_text(d.where);
            bool cut = false;
            auto parts = split_text(detail::fit_text(where.empty() ? d.text : where + ": " + d.text, cs, version), cut);
            if (cut) {
                auto p = d.where;
                result.problems.push_back(make_diagnostic(
                    code::text_cut, fmt::format("message {} ('{}'), {}: the finding text is longer than the APERAK FTX can carry "
                                                "({} pieces of {} characters); cut, ending in '...'",
                                                m.index, h.reference, d.code, chunks, chunk), p));
            }
            msg.body.push_back(make_segment("ERC", {{d.code, "", "ZZZ"}}));
            msg.body.push_back(make_segment("FTX", {{"AAO"}, {}, {}, parts}));
        }
        messages.push_back(std::move(msg));
    }
    if (messages.empty()) return result;
    detail::write_reply(ich.header, version, options, messages, out, result);
    return result;
}

}  // namespace edigate::ack
