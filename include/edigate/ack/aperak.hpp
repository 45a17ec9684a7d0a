// aperak.hpp - writes APERAK (application error and acknowledgement) for directory findings.
//
// One APERAK per received message that has application-level findings (codes EDI-D..., from
// directory validation), all in one interchange addressed back to the sender, each in the
// directory of the message it answers (APERAK:D:96A:UN answers a D96A message). Content, per the
// APERAK segment table (D.96A and later):
//   BGM  C002/1001 document name code (313 "application error message" where the directory's
//        UNCL 1001 has it; D.96A's has no fitting code, so C002 is left out there), 1004 our
//        document number, 1225 9 (original), 4343 RE (rejected) or AP (accepted: warnings only)
//   DTM  137 (document date/time), format 203 CCYYMMDDHHMM
//   RFF  ACW (reference number to previous message) with the original UNH 0062
//   ERC  per finding: 9321 our stable code (EDI-D011 fits an..8; no installed UNCL has a 9321
//        list), 3055 ZZZ (mutually defined)
//   FTX  AAO (error description): where and what, in pieces of at most 70 characters split at a
//        space where one is near (4440 is an..70 in D.95B to D.01B, an..512 in D.16A and D.21B;
//        70 fits all), at most five pieces; longer text is cut and ends in "..." (EDI-A005)
// Text is made writable in the interchange's character set (upper case under UNOA; characters
// outside the repertoire become '?'). Problems are reported in the result, never thrown.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "edigate/ack/contrl.hpp"
#include "edigate/directory/catalog.hpp"

namespace edigate::ack {

struct aperak_options : envelope_options {
    /// BGM 1001 for an APERAK in the directory of this message; empty leaves C002 out. Unset: "313".
    std::function<std::string(const edifact::message_header& original)> document_name_code;
};

/// A document_name_code that asks the catalog: "313" where the original message's directory lists
/// it in UNCL 1001 or is not installed, empty (C002 left out) where its 1001 list lacks it.
std::function<std::string(const edifact::message_header&)> document_codes_from(directory::catalog& dirs);

/// Whether a finding is application-level, i.e. reported by APERAK: the directory's EDI-D codes
/// except EDI-D001 (directory not installed here), and the mapping engine's EDI-M002 (a value the
/// agency needs is missing) and EDI-M003 (a value does not convert).
bool is_application_finding(const core::diagnostic& d) noexcept;

/// Writes the APERAK interchange for the messages of `ich` with application-level findings;
/// writes nothing (written = false, no problem) when there are none.
write_result write_aperak(const interchange_record& ich, std::ostream& out, const aperak_options& options);

}  // namespace edigate::ack
