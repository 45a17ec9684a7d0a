// interchange.hpp - what the reader hands on: interchange, group and message envelopes.
//
// Header structs are filled from UNB/UNG/UNH even when those segments are incomplete (missing
// values stay empty); the diagnostics say what was wrong. A message is handed on complete, with
// its segments UNH..UNT when the reader keeps segments, and counts only when it does not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edigate/edifact/segment.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact {

struct interchange_header {
    std::uint32_t index = 0;           ///< 1-based in the file
    std::uint64_t byte = 0;            ///< offset of UNA, or UNB when there is no UNA
    bool has_una = false;
    bool has_unb = true;               ///< false for message-level input (UNH..UNT without UNB)
    delimiters delims;
    std::string syntax_identifier;     ///< S001/0001 as written, e.g. "UNOC"
    int syntax_version = 0;            ///< S001/0002, 0 when unreadable
    charset declared_charset = charset::unoa;
    charset decoding = charset::unoa;  ///< what the bytes are decoded as (differs under a partner override)
    std::string sender, sender_qualifier, recipient, recipient_qualifier;
    std::string date, time, control_reference, application_reference;
    bool test_indicator = false;
    segment unb;                       ///< the UNB as parsed
};

struct group_header {
    std::uint32_t index = 0;
    std::uint64_t byte = 0;
    std::string reference;             ///< UNG 0048
    std::string message_group_id;      ///< UNG 0038
    std::string application_sender, application_recipient;
    segment ung;
};

struct message_header {
    std::string reference;             ///< UNH 0062
    std::string type;                  ///< S009/0065, e.g. "CUSCAR"
    std::string version;               ///< S009/0052, e.g. "D"
    std::string release;               ///< S009/0054, e.g. "96A"
    std::string agency;                ///< S009/0051, e.g. "UN"
    std::string association;           ///< S009/0057, e.g. "EAN008"
};

struct message {
    std::uint32_t index = 0;           ///< 1-based in the interchange
    std::uint32_t group = 0;           ///< 1-based group index, 0 = not in a group
    std::uint64_t byte = 0;            ///< offset of UNH
    std::uint64_t end_byte = 0;        ///< offset just past the UNT terminator (or where the message was cut off)
    message_header header;
    std::uint32_t segment_count = 0;   ///< segments actually read, UNH and UNT included
    std::uint32_t declared_count = 0;  ///< UNT 0074 as written, 0 when missing
    bool has_trailer = false;          ///< a UNT closed the message
    std::uint32_t errors = 0;          ///< error diagnostics raised inside this message
    std::vector<segment> segments;     ///< UNH..UNT when reader_options::keep_segments
    bool oversized = false;            ///< longer than reader_options::max_message_bytes: its segments were not kept
};

struct group_trailer {
    std::uint32_t index = 0;
    std::uint32_t messages = 0;
    bool has_trailer = false;
};

struct interchange_trailer {
    std::uint32_t index = 0;
    std::uint32_t messages = 0;
    std::uint32_t groups = 0;
    std::uint64_t end_byte = 0;
    bool has_trailer = false;          ///< a UNZ closed the interchange
    std::uint32_t errors = 0;          ///< error diagnostics raised inside this interchange
};

}  // namespace edigate::edifact
