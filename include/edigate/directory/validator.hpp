// validator.hpp - checks one message against the directory its UNH names.
//
// Streams like the reader: call validate() from handler::message_end for each message; nothing
// is kept between messages. Checks segment order and group nesting, mandatory/conditional status,
// repeats, and per data element and component: presence, representation (a, n, an), length,
// decimal mark and (optionally) the UNCL code list. A missing segment is reported where it was
// expected, with its group path ("SG2/NAD"). Findings are diagnostics with EDI-Dnnn codes.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "edigate/core/diagnostic.hpp"
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
    /// nowhere) and the segment group occurrences it sits in, outermost first.
    using placement_fn = std::function<void(const edifact::segment&, const structure_entry*, std::span<const group_occurrence>)>;
    validator(catalog& dirs, validation_options options = {});

    /// Validates a message read with keep_segments; findings go to `emit`, placements to `place`.
    message_verdict validate(const edifact::message& m, const edifact::interchange_header& ich, const emit_fn& emit,
                             const placement_fn* place = nullptr);

    const validation_options& options() const noexcept { return options_; }

private:
    catalog& dirs_;
    validation_options options_;
    struct lookup {  ///< the last message type resolved without findings
        std::string type, version, release, agency;
        int syntax_version = 0;
        const directory* dir = nullptr;
        const message_def* def = nullptr;
        std::string id;  ///< verdict.directory
    } last_;
};

}  // namespace edigate::directory
