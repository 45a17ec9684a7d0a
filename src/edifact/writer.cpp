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
    for (std::size_t e = 0; e < elements.size(); ++e)
        for (std::size_t c = 0; c < elements[e].size(); ++c)
            s.add(static_cast<std::uint16_t>(e + 1), 1, static_cast<std::uint16_t>(c + 1), elements[e][c]);
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
    // Only non-empty values are written, each preceded by the separators that lead from the
    // previous value to its position. So trailing empty components, repetitions and elements are
    // dropped (ISO 9735: trailing separators are not transmitted) and inner empty ones kept.
    std::size_t e = 0, r = 0, c = 0;  // position written last; element 0 = the tag
    for (const auto& v : s.items()) {
        if (v.text.empty()) continue;
        if (v.element > e) {
            out.append(v.element - e, delims_.element);
            e = v.element;
            r = c = 1;
        }
        if (v.repetition > r) {
            if (!delims_.has_repetition())
                throw std::logic_error(fmt::format("writer: {} element {} repeats but syntax version {} has no repetition separator", s.tag, e, opt_.syntax_version));
            out.append(v.repetition - r, delims_.repetition);
            r = v.repetition;
            c = 1;
        }
        out.append(v.component - c, delims_.component);
        c = v.component;
        std::string bad;
        if (!impl_->enc.encode(v.text, out, &bad)) {
            core::diagnostic d;
            d.code = "EDI-W001";
            d.syntax_error = 21;
            d.where.tag = s.tag;
            d.where.element = v.element;
            d.where.component = v.component;
            d.text = fmt::format("{} element {} component {}: '{}' cannot be written in {}", s.tag, v.element, v.component, bad, identifier(opt_.encoding));
            problems_.push_back(std::move(d));
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
    if (std::size_t have = unb.component_count(1); have < 2) {
        // Fill S001 (syntax identifier, version) where the caller left it out. Values are added
        // in order, so build the UNB again with the missing components in place.
        segment s;
        s.tag = unb.tag;
        s.byte = unb.byte;
        s.number = unb.number;
        s.length = unb.length;
        auto items = unb.items();
        auto it = items.begin();
        for (; it != items.end() && (*it).element == 1 && (*it).repetition == 1; ++it) s.add(1, 1, (*it).component, (*it).text, (*it).offset);
        if (have < 1) s.add(1, 1, 1, identifier(opt_.encoding));
        s.add(1, 1, 2, std::to_string(opt_.syntax_version));
        for (; it != items.end(); ++it) s.add((*it).element, (*it).repetition, (*it).component, (*it).text, (*it).offset);
        unb = std::move(s);
    }
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
