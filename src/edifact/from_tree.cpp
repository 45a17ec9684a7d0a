// from_tree.cpp - generic nodes back into segments (see tree.hpp, from_node).
#include <charconv>

#include "edigate/edifact/tree.hpp"

namespace edigate::edifact {

segment from_node(const core::node& n) {
    segment s;
    s.tag = n.name;
    s.byte = n.byte;
    std::uint16_t element = 0;
    for (const auto& el : n.children) {
        std::uint16_t repetition = 1;
        std::string_view rep_attr;
        for (const auto& [k, v] : el.attributes)
            if (k == "repeat") rep_attr = v;
        if (!rep_attr.empty() && element > 0) std::from_chars(rep_attr.data(), rep_attr.data() + rep_attr.size(), repetition);
        else ++element;
        if (el.children.empty()) {
            if (!el.value.empty()) s.add(element, repetition, 1, el.value);
            continue;
        }
        std::uint16_t component = 0;
        for (const auto& c : el.children) {
            ++component;
            if (!c.value.empty()) s.add(element, repetition, component, c.value);
        }
    }
    return s;
}

}  // namespace edigate::edifact
