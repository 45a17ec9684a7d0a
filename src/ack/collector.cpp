// collector.cpp - interchange records from reader events (see collector.hpp).
//
// The reader reports the findings of a UNB before interchange_begin and those of a UNG before
// group_begin, so findings are kept per interchange and placed when it ends, when every message
// and group is known. Error counts are taken as findings arrive, before the cap applies.
#include "edigate/ack/collector.hpp"

#include <algorithm>

namespace edigate::ack {

std::uint32_t interchange_record::total_errors() const noexcept {
    std::uint32_t n = errors;
    for (const auto& g : groups) n += g.errors;
    for (const auto& m : messages) n += m.errors;
    return n;
}

std::uint32_t interchange_record::rejected_messages() const noexcept {
    return static_cast<std::uint32_t>(std::count_if(messages.begin(), messages.end(), [](const auto& m) { return m.rejected(); }));
}

collector::collector(edifact::handler* next, std::size_t max_findings) : next_(next), max_findings_(max_findings) {}

void collector::add(const core::diagnostic& d) {
    if (d.where.interchange == 0) {
        if (outside_.size() < max_findings_) outside_.push_back(d);
        return;
    }
    if (!current_ || current_->header.index != d.where.interchange) {
        if (pending_.size() < max_findings_) pending_.push_back(d);
        return;
    }
    if (d.level == core::severity::error) {
        if (d.where.message) ++message_errors_[d.where.message];
        else if (d.where.group) ++group_errors_[d.where.group];
        else ++interchange_errors_;
    }
    if (kept_.size() < max_findings_) kept_.push_back(d);
    else ++current_->dropped;
}

void collector::start(const edifact::interchange_header& h) {
    current_.emplace();
    current_->header = h;
    message_errors_.clear();
    group_errors_.clear();
    interchange_errors_ = 0;
    kept_.clear();
    auto waiting = std::move(pending_);
    pending_.clear();
    for (const auto& d : waiting) add(d);  // findings the reader gave before interchange_begin
}

void collector::interchange_begin(const edifact::interchange_header& h) {
    if (current_) {
        edifact::interchange_trailer t;
        t.index = current_->header.index;
        interchange_end(t);
    }
    start(h);
    if (next_) next_->interchange_begin(h);
}

void collector::group_begin(const edifact::group_header& g) {
    if (current_) {
        group_record r;
        r.header = g;
        current_->groups.push_back(std::move(r));
    }
    if (next_) next_->group_begin(g);
}

void collector::message_end(const edifact::message& m) {
    if (current_) {
        message_record r;
        r.index = m.index;
        r.group = m.group;
        r.header = m.header;
        r.byte = m.byte;
        r.segment_count = m.segment_count;
        r.has_trailer = m.has_trailer;
        current_->messages.push_back(std::move(r));
    }
    if (next_) next_->message_end(m);
}

void collector::group_end(const edifact::group_trailer& t) {
    if (current_)
        for (auto& g : current_->groups)
            if (g.header.index == t.index) {
                g.messages = t.messages;
                g.has_trailer = t.has_trailer;
            }
    if (next_) next_->group_end(t);
}

void collector::interchange_end(const edifact::interchange_trailer& t) {
    if (!current_ || current_->header.index != t.index) {
        // The interchange ended without a usable begin (e.g. an unterminated UNB): an empty header.
        edifact::interchange_header h;
        h.index = t.index;
        h.has_unb = true;
        start(h);
    }
    current_->has_trailer = t.has_trailer;
    place(*current_);
    if (complete_) complete_(*current_);
    else done_.push_back(std::move(*current_));
    current_.reset();
    kept_.clear();
    if (next_) next_->interchange_end(t);
}

void collector::finding(const core::diagnostic& d) {
    add(d);
    if (next_) next_->finding(d);
}

void collector::progress(std::uint64_t bytes_read) {
    if (next_) next_->progress(bytes_read);
}

void collector::place(interchange_record& r) {
    auto find_message = [&](std::uint32_t index) -> message_record* {
        if (index >= 1 && index <= r.messages.size() && r.messages[index - 1].index == index) return &r.messages[index - 1];
        for (auto& m : r.messages)
            if (m.index == index) return &m;
        return nullptr;
    };
    auto find_group = [&](std::uint32_t index) -> group_record* {
        for (auto& g : r.groups)
            if (g.header.index == index) return &g;
        return nullptr;
    };
    for (auto& d : kept_) {
        if (auto* m = d.where.message ? find_message(d.where.message) : nullptr) m->findings.push_back(std::move(d));
        else if (auto* g = d.where.group ? find_group(d.where.group) : nullptr) g->findings.push_back(std::move(d));
        else r.findings.push_back(std::move(d));
    }
    // Error counts: a count whose message or group never arrived belongs to the interchange.
    r.errors = interchange_errors_;
    for (const auto& [index, n] : message_errors_) {
        if (auto* m = find_message(index)) m->errors = n;
        else r.errors += n;
    }
    for (const auto& [index, n] : group_errors_) {
        if (auto* g = find_group(index)) g->errors = n;
        else r.errors += n;
    }
}

}  // namespace edigate::ack
