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
#include <memory>
#include <string>
#include <string_view>

#include "edigate/directory/definitions.hpp"

namespace edigate::directory::detail {

/// A directory file mapped read-only (its pages are the page cache's: nothing is copied), as
/// long as an owner of `data` lives.
struct mapped_text {
    std::shared_ptr<const char> data;
    std::size_t size = 0;
    std::string_view text() const { return {data.get(), size}; }
};
mapped_text map_file(const std::filesystem::path& file);
/// Appends CP437 text (the UNECE directory files' charset) converted to UTF-8.
void append_utf8(std::string_view cp437_text, std::string& out);

/// Appends a directory file to `out`, converted from CP437 to UTF-8 (line ends stay as they are:
/// split_lines takes CR LF), and returns `out`. Cleared between files, one buffer serves every
/// file of a directory.
const std::string& read_text(const std::filesystem::path& file, std::string& out);

void import_segments(std::string_view text, std::map<std::string, segment_def, std::less<>>& out);
void import_composites(std::string_view text, std::map<std::string, composite_def, std::less<>>& out);
void import_elements(std::string_view text, std::map<std::string, element_def, std::less<>>& out);
/// Finds the code lists of UNCL text (CP437, as the file is): each list's element and entries
/// (code_list::sources, views into `text`, which must outlive the lists); lists without a code
/// are left out. Their codes are parsed on first use, by parse_codes.
void import_code_lists(std::string_view text, std::map<std::string, code_list, std::less<>>& out);
/// Adds the codes of one entry of a code list (CP437), with their names in UTF-8, to `codes`.
void parse_codes(std::string_view entry, std::unordered_map<std::string, std::string>& codes);
/// The segment table of one EDMD message file; `type` names the message for errors.
message_def import_message(std::string_view text, std::string_view type);

}  // namespace edigate::directory::detail
