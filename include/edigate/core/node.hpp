// node.hpp - the generic tree every input format is turned into.
//
// EDIFACT interchanges and XML documents both become nodes: a name, an optional text value,
// attributes and ordered children. The mapping engine walks this tree and never sees EDIFACT
// syntax or XML parser types. Nodes own their data; a tree is plain value semantics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edigate/core/symbol.hpp"

namespace edigate::core {

struct node {
    symbol name;                                            ///< element name, e.g. "UNB", "S001", "0004"; XML: the local name
    symbol ns;                                                   ///< XML namespace URI; empty for EDIFACT and un-namespaced XML
    std::string value;                                           ///< UTF-8 text; empty for inner nodes
    std::vector<std::pair<std::string, std::string>> attributes; ///< ordered name/value pairs
    std::vector<node> children;
    std::uint64_t byte = 0;                                      ///< byte offset in the source input (EDIFACT)
    std::uint32_t line = 0;                                      ///< 1-based source line (XML), 0 = not known

    // User-provided on purpose: with `= default`, value-initialisation (`children.emplace_back()`)
    // zero-fills the whole node before running the member initialisers: a `rep stos` over every
    // byte of every element of every tree.
    node() noexcept {}  // NOLINT(modernize-use-equals-default)
    explicit node(symbol n, std::string v = {}) : name(std::move(n)), value(std::move(v)) {}

    node& add(symbol n, std::string v = {}) {
        children.emplace_back(std::move(n), std::move(v));
        return children.back();
    }
    void set_attribute(std::string n, std::string v) { attributes.emplace_back(std::move(n), std::move(v)); }

    // Refilling a tree in place: a builder that makes one tree per message can fill the last
    // message's tree again instead of building and freeing one, and keeps its strings' and vectors'
    // memory (most messages of a file have the same shape).
    /// The next child to fill, `used` counting those filled so far: the node left at that place
    /// (emptied but for its name and children, which the builder refills and trims), or a new one.
    node& refill_child(std::size_t& used) {
        if (used < children.size()) {
            node& n = children[used++];
            n.ns = {};
            n.value.clear();
            n.attributes.clear();
            n.byte = 0;
            n.line = 0;
            return n;
        }
        ++used;
        return children.emplace_back();
    }
    /// Drops the children past the `used` first (what the tree refilled had beyond this one).
    void trim(std::size_t used) {
        if (children.size() > used) children.erase(children.begin() + static_cast<std::ptrdiff_t>(used), children.end());
    }
    /// First child with this name, or nullptr.
    const node* child(std::string_view n) const noexcept {
        for (const auto& c : children)
            if (c.name == n) return &c;
        return nullptr;
    }
};

}  // namespace edigate::core
