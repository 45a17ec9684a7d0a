// writer.cpp - serializer: escaping, trailing-separator suppression, computed trailers.
#include "edigate/edifact/writer.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "detail/codec.hpp"

namespace edigate::edifact {

struct writer::impl {
    detail::encoder enc;
};

segment make_segment(std::string tag, const std::vector<std::vector<std::string>>& elements) {
    segment s;
    s.tag = std::move(tag);
    for (const auto& e : elements) {
        repetition_value rep;
        for (const auto& c : e) rep.push_back({c, 0});
        s.elements.push_back({std::move(rep)});
    }
    return s;
}

writer::writer(std::ostream& out, writer_options options)
    : impl_(std::make_unique<impl>()), out_(out), opt_(std::move(options)) {
    delims_ = opt_.delims ? *opt_.delims : default_delimiters(opt_.syntax_version);
    impl_->enc = detail::encoder(opt_.encoding, delims_);
}

writer::~writer() = default;

std::string writer::format(const segment& s) {
    std::string out = s.tag;
    // Drop trailing empty components, repetitions and elements: ISO 9735 says trailing
    // separators are not transmitted.
    auto empty_rep = [](const repetition_value& r) {
        for (const auto& c : r)
            if (!c.text.empty()) return false;
        return true;
    };
    auto empty_el = [&](const element_value& e) {
        for (const auto& r : e)
            if (!empty_rep(r)) return false;
        return true;
    };
    std::size_t ne = s.elements.size();
    while (ne > 0 && empty_el(s.elements[ne - 1])) --ne;
    for (std::size_t e = 0; e < ne; ++e) {
        out += delims_.element;
        const auto& el = s.elements[e];
        std::size_t nr = el.size();
        while (nr > 1 && empty_rep(el[nr - 1])) --nr;
        for (std::size_t r = 0; r < nr; ++r) {
            if (r > 0) {
                if (!delims_.has_repetition())
                    throw std::logic_error(fmt::format("writer: {} element {} repeats but syntax version {} has no repetition separator", s.tag, e + 1, opt_.syntax_version));
                out += delims_.repetition;
            }
            const auto& rep = el[r];
            std::size_t nc = rep.size();
            while (nc > 0 && rep[nc - 1].text.empty()) --nc;
            for (std::size_t c = 0; c < nc; ++c) {
                if (c > 0) out += delims_.component;
                std::string bad;
                if (!impl_->enc.encode(rep[c].text, out, &bad)) {
                    core::diagnostic d;
                    d.code = "EDI-W001";
                    d.syntax_error = 21;
                    d.where.tag = s.tag;
                    d.where.element = static_cast<std::uint16_t>(e + 1);
                    d.where.component = static_cast<std::uint16_t>(c + 1);
                    d.text = fmt::format("{} element {} component {}: '{}' cannot be written in {}", s.tag, e + 1, c + 1, bad, identifier(opt_.encoding));
                    problems_.push_back(std::move(d));
                }
            }
        }
    }
    return out;
}

void writer::put(const segment& s) {
    out_ << format(s) << delims_.segment << opt_.segment_suffix;
}

void writer::begin_interchange(segment unb) {
    if (level_ != level::none) throw std::logic_error("writer: begin_interchange inside an interchange");
    bool needed = delims_ != default_delimiters(opt_.syntax_version);
    if (opt_.una == writer_options::una_mode::always || (opt_.una == writer_options::una_mode::when_needed && needed))
        out_ << "UNA" << delims_.una_string() << opt_.segment_suffix;
    if (unb.elements.empty()) unb.elements.resize(1);
    auto& s001 = unb.elements[0];
    if (s001.empty()) s001.resize(1);
    if (s001[0].empty()) s001[0].push_back({std::string(identifier(opt_.encoding)), 0});
    if (s001[0].size() < 2) s001[0].push_back({std::to_string(opt_.syntax_version), 0});
    ich_ref_ = unb.value(5);
    put(unb);
    level_ = level::interchange;
    messages_ = groups_ = 0;
}

void writer::begin_group(segment ung) {
    if (level_ != level::interchange) throw std::logic_error("writer: begin_group outside an interchange or inside a group");
    if (messages_ > 0 && groups_ == 0) throw std::logic_error("writer: begin_group after messages outside groups");
    group_ref_ = ung.value(5);
    put(ung);
    level_ = level::group;
    ++groups_;
    group_messages_ = 0;
}

void writer::begin_message(segment unh) {
    if (level_ != level::interchange && level_ != level::group) throw std::logic_error("writer: begin_message outside an interchange or inside a message");
    if (level_ == level::interchange && groups_ > 0) throw std::logic_error("writer: message outside a group after groups");
    msg_ref_ = unh.value(1);
    put(unh);
    segments_ = 1;
    level_ = level::message;
}

void writer::add(const segment& s) {
    if (level_ != level::message) throw std::logic_error("writer: add() outside a message");
    if (s.tag == "UNT" || s.tag == "UNH" || s.tag == "UNZ" || s.tag == "UNE")
        throw std::logic_error("writer: " + s.tag + " is written by the writer itself");
    put(s);
    ++segments_;
}

void writer::end_message() {
    if (level_ != level::message) throw std::logic_error("writer: end_message without a message");
    ++segments_;
    put(make_segment("UNT", {{std::to_string(segments_)}, {msg_ref_}}));
    ++messages_;
    level_ = groups_ > 0 ? level::group : level::interchange;
    if (level_ == level::group) ++group_messages_;
}

void writer::end_group() {
    if (level_ != level::group) throw std::logic_error("writer: end_group without a group");
    put(make_segment("UNE", {{std::to_string(group_messages_)}, {group_ref_}}));
    level_ = level::interchange;
}

void writer::end_interchange() {
    if (level_ != level::interchange) throw std::logic_error("writer: end_interchange with a message or group still open");
    put(make_segment("UNZ", {{std::to_string(groups_ > 0 ? groups_ : messages_)}, {ich_ref_}}));
    level_ = level::none;
}

}  // namespace edigate::edifact
