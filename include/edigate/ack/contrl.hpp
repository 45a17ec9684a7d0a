// contrl.hpp - writes the CONTRL (syntax and service report) for a received interchange.
//
// One CONTRL interchange per received interchange, addressed back to its sender, in its syntax
// version and (when the copied identifiers allow) its character set. UCI reports the interchange,
// UCF each group, UCM each message (accepted ones too), UCS/UCD the segment and data element
// positions of the errors with their 0085 codes (ISO 9735-4 / CONTRL D:3). Only error-level
// findings reject; warnings, including errors a partner profile downgraded, are not reported.
// What cannot be said is a problem in the result, never an exception: an interchange without the
// UNB values a CONTRL must copy gets no CONTRL (EDI-A001). Bad options (no control reference)
// are a programmer error: std::invalid_argument.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "edigate/ack/interchange_record.hpp"
#include "edigate/core/diagnostic.hpp"
#include "edigate/edifact/interchange.hpp"

namespace edigate::ack {

/// Our side of an acknowledgement interchange: values the caller decides.
struct envelope_options {
    std::string control_reference;      ///< UNB/UNZ 0020 of the interchange written (an..14), required
    std::string date;                   ///< YYMMDD or CCYYMMDD; written as YYMMDD (syntax 1-3) or CCYYMMDD (4)
    std::string time;                   ///< HHMM
    std::string segment_suffix = "\n";  ///< after each segment terminator: "\n" one segment per line, "" all on one line
};

struct contrl_options : envelope_options {
    std::string message_reference = "1";  ///< UNH 0062 of the CONTRL message
};

struct write_result {
    bool written = false;                    ///< an interchange was written to the stream
    std::uint32_t messages = 0;              ///< messages in it
    std::string charset;                     ///< syntax identifier used, e.g. "UNOA"
    std::vector<core::diagnostic> problems;  ///< EDI-Annn: why nothing was written, or what was adjusted or left out
};

/// UNH S009 of the CONTRL answering an interchange of this syntax version: 4 -> CONTRL:4:1:UN,
/// 3 (and unreadable versions) -> CONTRL:D:3:UN, 1 and 2 -> CONTRL:2:2:UN.
edifact::message_header contrl_identifier(int syntax_version);

/// Writes the CONTRL interchange for `ich` to `out` (nothing when it cannot be addressed).
write_result write_contrl(const interchange_record& ich, std::ostream& out, const contrl_options& options);

}  // namespace edigate::ack
