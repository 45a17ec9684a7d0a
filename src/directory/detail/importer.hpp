// importer.hpp - our reader of the UNECE directory text files (CP437, CRLF, fixed layout).
//
// Each function takes the whole file converted to UTF-8 and fills the runtime form. The layout
// changed over the years (4-digit positions and box-drawing characters in D.95B-D.01B, 5-digit
// positions and ASCII '+' '|' in D.16A on; TR* names in early directories, ED* later), so lines
// are recognised by their content, not by fixed columns. A file that yields nothing raises
// directory_error naming the file.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "edigate/directory/definitions.hpp"

namespace edigate::directory::detail {

/// Reads a directory file into `out`, converted from CP437 to UTF-8 (line ends stay as they are:
/// split_lines takes CR LF), and returns it. `out` keeps its capacity, so one buffer can serve
/// every file of a directory.
const std::string& read_text(const std::filesystem::path& file, std::string& out);

void import_segments(std::string_view text, std::map<std::string, segment_def, std::less<>>& out);
void import_composites(std::string_view text, std::map<std::string, composite_def, std::less<>>& out);
void import_elements(std::string_view text, std::map<std::string, element_def, std::less<>>& out);
void import_code_lists(std::string_view text, std::map<std::string, code_list, std::less<>>& out);
/// The segment table of one EDMD message file; `type` names the message for errors.
message_def import_message(std::string_view text, std::string_view type);

}  // namespace edigate::directory::detail
