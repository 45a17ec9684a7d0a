// tree.hpp - a message as a generic tree nested and named by its directory.
//
// Shape: Message > segments and SGn nodes as the segment table nests them (SG4 > EQD, SG5 > TMP);
// a data segment's elements are named by their directory codes (C507, 1004) and a composite's
// components likewise (2005); element positions the directory does not define are e06, c07.
// Every element position up to the last one present is kept, empty ones as empty nodes, and a
// repeated element (syntax 4) gives one node per repetition, the second and later carrying
// repeat="2"..., so that the tree can be written back as the same segments (edifact::from_node).
// Messages without an installed definition are flat, named by position.
#pragma once

#include "edigate/core/node.hpp"
#include <string>
#include <vector>

#include "edigate/directory/catalog.hpp"
#include "edigate/directory/validator.hpp"
#include "edigate/edifact/segment.hpp"

namespace edigate::directory {

/// Validates the message (findings to `emit`) and returns its tree.
core::node message_tree(const edifact::message& m, const edifact::interchange_header& ich, validator& v, const validator::emit_fn& emit);
/// The same into `root`, refilling in place the nodes a previous message's tree left there (their
/// memory is reused); what that tree had beyond this one is dropped.
void message_tree(core::node& root, const edifact::message& m, const edifact::interchange_header& ich, validator& v,
                  const validator::emit_fn& emit);

/// The other way: segments from a tree named by directory codes, as a mapping builds an EDIFACT
/// target (Message > BGM > C002 > 1001; SGn nodes only nest). Elements and components are placed
/// at the positions `d` gives their codes, so a tree names only what it has, in any order; a
/// second child with the same code is the next repetition. An unknown tag or code is a problem,
/// and that segment is left out.
std::vector<edifact::segment> segments_from_tree(const core::node& message, const directory& d, std::vector<std::string>& problems);

}  // namespace edigate::directory
