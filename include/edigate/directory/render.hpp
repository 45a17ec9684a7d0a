// render.hpp - what edigate believes a directory says, as text an operator compares with the UN page.
#pragma once

#include <string>

#include "edigate/directory/catalog.hpp"

namespace edigate::directory {

/// The segment table: position, tag, name, status, repeats, groups indented under their trigger.
std::string render_message(const message_def& m, const directory& d);
/// A segment: its data elements and composites with components, status, repeats, representation.
std::string render_segment(const segment_def& s, const directory& d);
/// A code list: code and name per line.
std::string render_code_list(const code_list& l, const directory& d);

}  // namespace edigate::directory
