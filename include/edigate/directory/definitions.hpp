// definitions.hpp - what a UN/EDIFACT directory says, in the form the validator uses.
//
// Filled by our importer from the UNECE directory files (EDMD/TRMD message structures, EDSD/TRSD
// segments, EDCD/TRCD composites, EDED/TRED data elements, UNCL code lists) and, for the service
// messages (CONTRL), from the ISO 9735 service tables. Never hand-typed.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edigate/core/symbol.hpp"

namespace edigate::directory {

/// Representation of a data element value: "an..35", "n3", "a..3".
struct repr {
    enum class kind : std::uint8_t { a, n, an } type = kind::an;
    std::uint16_t min = 0;  ///< minimum length when present (1 for variable length)
    std::uint16_t max = 0;  ///< maximum length, 0 = not known
    std::string text;       ///< as written

    /// Parses "an..35"; an unreadable text gives type an, max 0.
    static repr parse(std::string_view text);
};

/// A simple data element (EDED): code, name, representation.
struct element_def {
    std::string code, name;
    repr format;
};

struct code_list;

/// A component or a simple element used at one position of a composite or segment.
struct component_use {
    std::string code, name;
    bool mandatory = false;
    repr format;
    const code_list* codes = nullptr;  ///< its UNCL code list, if it has one (set when the directory is linked)
    /// What the validator treats specially, from the code (set when the directory is linked).
    enum class role : std::uint8_t { none, list_qualifier /*1131*/, agency /*3055*/, date_value /*2380*/, date_format /*2379*/ } kind = role::none;
    core::symbol symbol;  ///< the code, interned once: the name of its tree nodes (set when linked)
};

/// A data element position in a segment: simple or composite.
struct element_use {
    std::string position;       ///< "010"
    std::string code, name;     ///< "C507" / "1004"
    bool mandatory = false;
    unsigned repeat = 1;        ///< syntax 4 repetitions allowed
    bool composite = false;
    repr format;                ///< simple elements only
    const code_list* codes = nullptr;       ///< simple elements only: its UNCL code list, if any
    std::vector<component_use> components;  ///< composites only, from the composite directory
    core::symbol symbol;                    ///< the code, interned once: the name of its tree nodes (set when linked)
};

/// The checks of one simple data element or component, compact for the validator's fast pass
/// (element_use and component_use, with their strings, are what findings are written from).
struct value_check {
    std::uint16_t min = 0, max = 0;  ///< as repr
    repr::kind type = repr::kind::an;
    bool mandatory = false;
    component_use::role kind = component_use::role::none;
    const code_list* codes = nullptr;
    core::symbol symbol;  ///< the component's (or simple element's) code: its tree nodes' name
};

/// One data element position of a segment for the fast pass: its value checks are
/// segment_checks::values[first, first + count) (one for a simple element, one per component).
struct element_check {
    bool mandatory = false;
    bool composite = false;
    bool has_roles = false;  ///< a component with a role (1131, 3055, 2380, 2379): extra checks
    std::uint32_t repeat = 1;
    std::uint32_t first = 0, count = 0;
    std::uint64_t mandatory_components = 0;  ///< bit c-1 for mandatory component c (the first 64)
    core::symbol symbol;  ///< the element's code: its tree nodes' name
};

/// A segment definition flattened for the validator's fast pass, which decides whether a
/// segment has no findings at all; only when it may have some do the detailed checks run.
struct segment_checks {
    std::vector<element_check> elements;
    std::vector<value_check> values;
    std::uint64_t mandatory_elements = 0;  ///< bit e-1 for mandatory element e (the first 64)
    /// Whether the masks above cover every element and component: the fast pass needs them to.
    bool fits_masks = true;
};

struct segment_def {
    std::string tag, name;
    std::vector<element_use> elements;
    segment_checks checks;  ///< elements, flattened (set when the directory is linked)
    core::symbol symbol;    ///< the tag, interned once: the name of its tree nodes (set when linked)

    /// Fills checks from elements; call again whenever elements change.
    void compile_checks();
};

struct composite_def {
    std::string code, name;
    std::vector<component_use> components;
};

/// One line of a message's segment table: a segment, or a segment group with its content.
struct structure_entry {
    std::string position;       ///< "0050" as printed in the table
    std::string tag;            ///< segment tag; empty for a group
    std::string name;           ///< segment name from the table
    unsigned group = 0;         ///< segment group number, 0 for a segment
    core::symbol label;         ///< groups: "SG4", the name of its tree nodes (set when indexed)
    bool mandatory = false;
    std::uint32_t max_repeat = 1;
    std::vector<structure_entry> children;  ///< groups only; children[0] is the trigger segment
    const struct segment_def* definition = nullptr;  ///< segments: the directory's definition, if it has one
    std::uint32_t key = 0;      ///< tag_key(first_tag()), for matching without string compares
    std::uint32_t mandatory_before = 0;  ///< mandatory entries before this one in its list

    bool is_group() const noexcept { return group != 0; }
    /// The trigger segment tag of a group, the tag of a segment.
    const std::string& first_tag() const noexcept { return is_group() ? children.front().first_tag() : tag; }
};

/// A three-character segment tag as one number (0 for anything else).
constexpr std::uint32_t tag_key(std::string_view tag) noexcept {
    return tag.size() == 3 ? (std::uint32_t(std::uint8_t(tag[0])) << 16) | (std::uint32_t(std::uint8_t(tag[1])) << 8) | std::uint8_t(tag[2]) : 0;
}

/// UNH, UNT or UNS: the service segments a message's segment table holds.
constexpr bool is_service_tag(std::string_view tag) noexcept {
    auto k = tag_key(tag);
    return k == tag_key("UNH") || k == tag_key("UNT") || k == tag_key("UNS");
}

/// A message type of one directory: its segment table, UNH to UNT.
struct message_def {
    std::string type, version, release, agency;  ///< S009: "CUSCAR", "D", "96A", "UN"
    std::string name;                             ///< "Customs cargo report message"
    std::string source;                           ///< file it was read from
    std::vector<structure_entry> body;
};

/// A code list (UNCL): code value -> code name. The codes are parsed from the directory's UNCL
/// text on first use (most of a directory's lists are never asked for), once, also when several
/// threads ask at the same time.
struct code_list {
    std::string element;
    std::vector<std::string_view> sources;  ///< its entries in the directory's UNCL text, which the directory keeps

    code_list() = default;
    code_list(const code_list&) = delete;
    code_list& operator=(const code_list&) = delete;

    /// The codes with their names.
    const std::unordered_map<std::string, std::string>& codes() const;
    /// Whether v is a code of the list (a hash table of packed short codes).
    bool contains(std::string_view v) const;

private:
    void load() const;

    mutable std::once_flag once_;
    mutable std::atomic<bool> ready_{false};
    mutable std::unordered_map<std::string, std::string> codes_;
    /// Codes of up to 7 bytes, packed with their length (never 0), in an open-addressing table
    /// of a power-of-two size at least twice their number; 0 marks an empty slot.
    mutable std::vector<std::uint64_t> short_codes_;
    mutable unsigned shift_ = 64;  ///< 64 - log2(table size): the hash is the top bits of a product
};

}  // namespace edigate::directory
