// writer.hpp - EDIFACT serializer with computed control counts and references.
//
// The caller gives UNB, UNG and UNH and the data segments; the writer writes UNT, UNE and UNZ
// itself, so a count or control reference can never be wrong. Values are UTF-8 and are encoded
// into the interchange's charset with separators released. Calling the envelope methods out of
// order is a programmer error (std::logic_error). A value the charset cannot carry is a
// diagnostic (see ok()/problems()): output is then incomplete and must not be delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/edifact/segment.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact {

struct writer_options {
    charset encoding = charset::unoa;  ///< also names the syntax identifier written into UNB S001 when empty there
    int syntax_version = 3;
    std::optional<delimiters> delims;  ///< default: the syntax version's defaults
    enum class una_mode { when_needed, always, never } una = una_mode::when_needed;
    std::string segment_suffix;        ///< written after each terminator: "" (one line) or "\n"
};

class writer {
public:
    writer(std::ostream& out, writer_options options = {});
    ~writer();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    /// Writes UNA (when wanted) and UNB. S001 is filled from the options where the segment leaves it empty.
    void begin_interchange(segment unb);
    void begin_group(segment ung);
    void begin_message(segment unh);
    void add(const segment& s);
    void end_message();    ///< writes UNT with the counted segments and the UNH reference
    void end_group();      ///< writes UNE with the counted messages and the UNG reference
    void end_interchange();///< writes UNZ with the counted groups (or messages) and the UNB reference

    bool ok() const noexcept { return problems_.empty(); }
    const std::vector<core::diagnostic>& problems() const noexcept { return problems_; }
    const delimiters& delims() const noexcept { return delims_; }

    /// One segment as text (no terminator suffix), for tests and tools.
    std::string format(const segment& s);

private:
    void put(const segment& s);
    struct impl;
    std::unique_ptr<impl> impl_;
    std::ostream& out_;
    writer_options opt_;
    delimiters delims_;
    std::vector<core::diagnostic> problems_;
    enum class level { none, interchange, group, message } level_ = level::none;
    std::string ich_ref_, group_ref_, msg_ref_;
    std::uint32_t segments_ = 0, messages_ = 0, group_messages_ = 0, groups_ = 0;
};

/// Build a segment from text values: {{"UNOC","3"},{"SENDER"}} -> elements with one repetition each.
segment make_segment(std::string tag, const std::vector<std::vector<std::string>>& elements);

}  // namespace edigate::edifact
