// envelope.hpp - what CONTRL and APERAK writing share: the reply envelope and the service tables.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/ack/contrl.hpp"
#include "edigate/edifact/segment.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::ack::detail {

/// The syntax version we answer in: the interchange's (1-4), 3 when it was unreadable.
int answer_version(const edifact::interchange_header& h) noexcept;

/// Characters (not bytes) of a UTF-8 string.
std::size_t char_count(std::string_view utf8) noexcept;

/// Maximum length of a service data element from the embedded tables of a syntax version:
/// segment tag, element position (1-based), component position (1-based, 0 for a simple
/// element). 0 when the table does not define the position.
std::size_t max_length(int syntax_version, std::string_view tag, std::size_t element, std::size_t component);
/// Whether `value` can be copied to that position: no control characters, and no longer than
/// defined (any length when the table does not define the position).
bool fits(int syntax_version, std::string_view tag, std::size_t element, std::size_t component, std::string_view value);

/// Empty when the interchange can be answered; else what is missing or unusable in its UNB.
std::string unaddressable(const edifact::interchange_header& h, int version);

/// A reply message: UNH and the segments after it (UNT is written by the writer).
struct reply_message {
    edifact::segment unh;
    std::vector<edifact::segment> body;
};

/// Writes one reply interchange (UNA, UNB back to the sender, the messages, UNZ) in the
/// interchange's character set, or in the first of UNOB, UNOC, UNOY (syntax 4) that can carry the
/// copied values (EDI-A002). Returns false with EDI-A006 when none can.
bool write_reply(const edifact::interchange_header& h, int version, const envelope_options& options,
                 const std::vector<reply_message>& messages, std::ostream& out, write_result& result);

/// `text` made writable in `cs`: level A upper-cased, control characters as spaces, characters
/// outside the repertoire as '?'.
std::string fit_text(std::string_view text, edifact::charset cs, int version);
/// The character set the reply will be written in (first candidate), for fitting free text.
edifact::charset reply_charset(const edifact::interchange_header& h) noexcept;

}  // namespace edigate::ack::detail
