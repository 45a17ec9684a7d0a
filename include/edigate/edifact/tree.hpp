// tree.hpp - EDIFACT envelopes and messages as generic core::node trees.
//
// Shape: Interchange > UNB, (Group > UNG, Message..., UNE | Message...), UNZ; Message > segments;
// segment > elements; element > components. Service segments name their elements by the ISO 9735
// ids (S001, 0001); data segments by position (e01, c01) until a directory names them.
// Repetitions are repeated element nodes, the second and later with repeat="N". Values are UTF-8.
#pragma once

#include "edigate/core/node.hpp"
#include "edigate/edifact/interchange.hpp"

namespace edigate::edifact {

core::node to_node(const segment& s, int syntax_version);
core::node to_node(const message& m, int syntax_version);
/// The "Message" node of to_node(m) with its attributes (reference, type, version...), without the segments.
core::node message_node(const message& m);
/// The name of an element or component a directory does not name: position_name('e', 3) is "e03".
std::string position_name(char prefix, std::size_t index);
/// Interchange attributes (sender, recipient, syntax...) on a node named "Interchange", with its UNB child.
core::node interchange_node(const interchange_header& h);
/// The inverse of to_node for one segment: the node's name is the tag, its children the element
/// positions in order (a child with attribute repeat="N" is repetition N of the element before),
/// their children the components. Names below the segment are not interpreted.
segment from_node(const core::node& n);

}  // namespace edigate::edifact
