// acknowledgement.hpp - a partner's CONTRL or APERAK, understood.
//
// read_acknowledgement turns one parsed message (read with keep_segments) into plain values:
// which interchange and messages it answers, whether they were accepted, and the reported errors
// with their positions in our original. A message that is neither CONTRL nor APERAK is a failed
// result (EDI-A010); content that is not understood (an unknown action code, a segment out of
// place, a position that is not a number) is kept as a problem (EDI-A011) and reading goes on.
// Never throws because of input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/core/result.hpp"
#include "edigate/edifact/interchange.hpp"

namespace edigate::ack {

enum class verdict : std::uint8_t {
    accepted,            ///< acknowledged (CONTRL 0083 7 without rejections; APERAK accepted)
    rejected,            ///< rejected (CONTRL 0083 4; APERAK reporting errors)
    partially_accepted,  ///< CONTRL 7 for the interchange with some groups or messages rejected
    received,            ///< CONTRL 0083 8: receipt only, the syntax check is still to come
    unknown,             ///< no or an unknown action code
};

std::string_view to_string(verdict v) noexcept;
/// The UN/EDIFACT name of a syntax error code (data element 0085), e.g. 29 -> "control count does
/// not match number of instances received"; empty for codes not in the list.
std::string_view syntax_error_name(int code) noexcept;

/// One error an acknowledgement reports.
struct reported_error {
    int syntax_error = 0;           ///< CONTRL 0085, 0 when not given (APERAK)
    std::string code;               ///< APERAK ERC 9321 (with :agency when given), empty for CONTRL
    std::string service_segment;    ///< UCI/UCF/UCM 0013/0135: the service segment in error (UNB, UNT...)
    std::uint32_t segment = 0;      ///< UCS 0096: position in the message, UNH = 1 (for a missing segment: the one before it)
    std::uint16_t element = 0;      ///< UCD S011/0098 - 1: first data element after the tag = 1 (as in our positions)
    std::uint16_t component = 0;    ///< S011/0104
    std::uint16_t repetition = 0;   ///< S011/0136 (syntax 4)
    std::string text;               ///< APERAK FTX text; for CONTRL the name of the 0085 code
};

struct acknowledged_group {
    std::string reference;          ///< UCF 0048
    verdict action = verdict::unknown;
    std::vector<reported_error> errors;
};

struct acknowledged_message {
    std::string reference;          ///< 0062 of the message answered (UCM 0062, APERAK RFF ACW)
    std::string type, version, release, agency;  ///< UCM S009 (empty for APERAK)
    std::string group;              ///< UCF 0048 of its group, empty when not in one
    verdict action = verdict::unknown;
    std::vector<reported_error> errors;
};

struct acknowledgement {
    enum class kind : std::uint8_t { contrl, aperak } type = kind::contrl;
    std::string reference;                   ///< UNH 0062 of the acknowledgement itself
    std::string identifier;                  ///< its S009, e.g. "CONTRL:D:3:UN"
    std::string interchange_reference;       ///< UCI 0020: the interchange answered (empty for APERAK)
    std::string sender, recipient;           ///< UCI S002/S003 0004/0010: sender and recipient of the interchange answered
    verdict overall = verdict::unknown;
    std::vector<reported_error> errors;      ///< UCI errors (interchange level); APERAK: none
    std::vector<acknowledged_group> groups;
    std::vector<acknowledged_message> messages;
    std::string document_code;               ///< APERAK BGM 1001
    std::string response_type;               ///< APERAK BGM 4343
    std::vector<core::diagnostic> problems;  ///< EDI-A011: what was not understood
};

/// Reads a CONTRL or APERAK message (its segments UNH..UNT).
core::result<acknowledgement> read_acknowledgement(const edifact::message& m);

}  // namespace edigate::ack
