// validator.hpp - checks one message against the directory its UNH names.
//
// Streams like the reader: either validate() a kept message from handler::message_end, or, with
// the reader's stream_segments, begin() / segment() / plain() / end() as the message is read, so
// that no message is kept at all and clean segments are checked raw, without being built. Checks segment order and group nesting, mandatory/conditional status,
// repeats, and per data element and component: presence, representation (a, n, an), length,
// decimal mark and (optionally) the UNCL code list. A missing segment is reported where it was
// expected, with its group path ("SG2/NAD"). Findings are diagnostics with EDI-Dnnn codes.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/node.hpp"
#include "edigate/directory/catalog.hpp"
#include "edigate/edifact/interchange.hpp"

namespace edigate::directory {

/// A partner's tolerance: which finding codes become warnings, and which checks run.
struct validation_options {
    bool code_lists = true;               ///< check values against UNCL code lists
    std::string profile;                  ///< partner profile name recorded on downgraded findings
    std::vector<std::string> downgrade;   ///< codes ("EDI-D014") this profile turns into warnings
};

struct message_verdict {
    const message_def* definition = nullptr;  ///< nullptr: not installed (only syntax checks ran)
    std::string directory;                    ///< "D96A"
    std::uint32_t errors = 0, warnings = 0;
};

/// One open occurrence of a segment group; `serial` tells occurrences apart within a message.
struct group_occurrence {
    const structure_entry* group;
    std::uint32_t serial;
};

class validator {
public:
    using emit_fn = std::function<void(core::diagnostic)>;
    /// Told, for each segment in order, the structure entry it matched (nullptr when it fits
    /// nowhere) and the segment group occurrences it sits in, outermost first. It may return a
    /// node for a data segment whose entry has a definition: the validator names and fills it
    /// from the segment (elements and components by their directory codes) in the same pass that
    /// checks the values.
    using placement_fn = std::function<core::node*(const edifact::segment&, const structure_entry*, std::span<const group_occurrence>)>;
    validator(catalog& dirs, validation_options options = {});

    validator(const validator&) = delete;
    validator& operator=(const validator&) = delete;
    ~validator();

    /// Validates a message read with keep_segments; findings go to `emit`, placements to `place`.
    message_verdict validate(const edifact::message& m, const edifact::interchange_header& ich, const emit_fn& emit,
                             const placement_fn* place = nullptr);

    /// Streaming, for the reader's stream_segments (nothing of the message is kept): begin() when
    /// UNH has been read (m has its header, index and group), then every segment of the message in
    /// order, built (segment) or raw (plain), then end() with the closed message. Findings go to
    /// `emit` as they are found; `ich` must stay valid until end(). validate() is these calls over
    /// a kept message, so both give the same findings.
    void begin(const edifact::message& m, const edifact::interchange_header& ich, emit_fn emit, const placement_fn* place = nullptr);
    void segment(const edifact::segment& s);
    /// A plain data segment, raw (see edifact::handler::plain_segment; 15 bytes past its end are
    /// read): true when it was checked and has no findings; false, and nothing happened: build it
    /// and call segment() with it.
    bool plain(std::string_view raw, std::uint64_t byte, std::uint32_t number);
    message_verdict end(const edifact::message& m);

    const validation_options& options() const noexcept { return options_; }

private:
    class run;
    catalog& dirs_;
    validation_options options_;
    std::unique_ptr<run> run_;  ///< reused from message to message
    bool running_ = false;      ///< between begin() and end(), with a definition to check against
    message_verdict verdict_;   ///< of the message begun
    struct lookup {  ///< the last message type resolved without findings
        std::string type, version, release, agency;
        int syntax_version = 0;
        const directory* dir = nullptr;
        const message_def* def = nullptr;
        std::string id;  ///< verdict.directory
    } last_;
};

}  // namespace edigate::directory
