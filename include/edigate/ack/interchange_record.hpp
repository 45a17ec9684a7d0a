// interchange_record.hpp - what an acknowledgement needs to know about one received interchange.
//
// Filled by ack::collector while the reader streams: the envelope headers, one record per group
// and per message (identification and counts, no segments), and the findings sorted to the level
// they belong to: a message (position names a message), else a group, else the interchange.
// Error counts include findings not kept because of the collector's cap, so a verdict is never
// lost to the cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/edifact/interchange.hpp"

namespace edigate::ack {

struct message_record {
    std::uint32_t index = 0;                ///< 1-based in the interchange
    std::uint32_t group = 0;                ///< 1-based group index, 0 = not in a group
    edifact::message_header header;         ///< UNH 0062 and S009
    std::uint64_t byte = 0;                 ///< offset of UNH in the input
    std::uint32_t segment_count = 0;        ///< UNH..UNT as read
    bool has_trailer = false;               ///< closed by UNT
    std::uint32_t errors = 0;               ///< error-level findings in this message (kept or not)
    std::vector<core::diagnostic> findings; ///< all levels, in the order found

    bool rejected() const noexcept { return errors > 0; }
};

struct group_record {
    edifact::group_header header;           ///< UNG as read (0048 reference, S006, S007)
    std::uint32_t messages = 0;
    bool has_trailer = false;               ///< closed by UNE
    std::uint32_t errors = 0;               ///< error-level findings of the group itself (UNG, UNE, counts)
    std::vector<core::diagnostic> findings;

    bool rejected() const noexcept { return errors > 0; }
};

struct interchange_record {
    edifact::interchange_header header;     ///< UNB as read; has_unb false for message-level input
    bool has_trailer = false;               ///< closed by UNZ
    std::uint32_t errors = 0;               ///< error-level findings of the interchange itself (UNA, UNB, UNZ, between messages)
    std::vector<core::diagnostic> findings; ///< interchange-level findings
    std::vector<group_record> groups;
    std::vector<message_record> messages;
    std::size_t dropped = 0;                ///< findings not kept because of the cap (counted in the errors above)

    bool rejected() const noexcept { return errors > 0; }
    /// Errors anywhere in the interchange: its own, its groups' and its messages'.
    std::uint32_t total_errors() const noexcept;
    std::uint32_t rejected_messages() const noexcept;
};

}  // namespace edigate::ack
