// collector.hpp - records what the reader hands on, per interchange, for acknowledgements.
//
// A reader handler that may decorate another one (everything is passed on to `next` unchanged).
// For each interchange it builds an interchange_record and, when the interchange ends, hands it to
// the completion callback (then forgets it, so memory stays bounded by one interchange) or keeps it
// in interchanges() when no callback is set. Findings from other sources (directory validation)
// are added with add(); they are placed by their position like the reader's. Findings outside
// any interchange (junk between interchanges, no data) cannot be acknowledged and are kept in
// outside(). Never throws because of input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "edigate/ack/interchange_record.hpp"
#include "edigate/edifact/reader.hpp"

namespace edigate::ack {

class collector : public edifact::handler {
public:
    using completion = std::function<void(interchange_record&)>;

    /// `next` (may be null) receives every event after the collector has seen it.
    explicit collector(edifact::handler* next = nullptr, std::size_t max_findings = 100000);

    /// Called with each completed interchange; without it, completed interchanges are kept.
    void on_complete(completion f) { complete_ = std::move(f); }
    /// A finding from another source, e.g. the directory validator; placed by its position.
    void add(const core::diagnostic& d);

    std::vector<interchange_record>& interchanges() noexcept { return done_; }
    const std::vector<core::diagnostic>& outside() const noexcept { return outside_; }

    void interchange_begin(const edifact::interchange_header& h) override;
    void group_begin(const edifact::group_header& g) override;
    void message_end(const edifact::message& m) override;
    void group_end(const edifact::group_trailer& t) override;
    void interchange_end(const edifact::interchange_trailer& t) override;
    void finding(const core::diagnostic& d) override;
    void progress(std::uint64_t bytes_read) override;

private:
    void place(interchange_record& r);
    void start(const edifact::interchange_header& h);  ///< a fresh record for h, with the findings that came before it

    edifact::handler* next_;
    std::size_t max_findings_;
    completion complete_;
    std::optional<interchange_record> current_;
    std::vector<core::diagnostic> pending_;   // findings of an interchange whose begin has not come yet (UNB checks)
    std::vector<core::diagnostic> kept_;      // findings of the current interchange, placed when it ends
    std::map<std::uint32_t, std::uint32_t> message_errors_, group_errors_;
    std::uint32_t interchange_errors_ = 0;
    std::vector<interchange_record> done_;
    std::vector<core::diagnostic> outside_;
};

}  // namespace edigate::ack
