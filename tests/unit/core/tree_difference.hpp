// tree_difference.hpp - where two generic trees first differ, for tests that compare trees built
// two ways.
#pragma once

#include <string>

#include "edigate/core/node.hpp"

namespace edigate::test {

/// "" when the trees are the same (name, namespace, value, attributes, source position and
/// children, in order); else the path to the first difference and what differs there.
inline std::string difference(const core::node& a, const core::node& b, const std::string& at = "") {
    std::string here = at + "/" + a.name.str();
    if (a.name != b.name || a.ns != b.ns) return here + ": name or namespace, against " + b.name.str();
    if (a.value != b.value) return here + ": value '" + a.value + "' against '" + b.value + "'";
    if (a.attributes != b.attributes) return here + ": attributes";
    if (a.byte != b.byte || a.line != b.line) return here + ": source position";
    if (a.children.size() != b.children.size())
        return here + ": " + std::to_string(a.children.size()) + " children against " + std::to_string(b.children.size());
    for (std::size_t i = 0; i < a.children.size(); ++i)
        if (auto d = difference(a.children[i], b.children[i], here); !d.empty()) return d;
    return {};
}

}  // namespace edigate::test
