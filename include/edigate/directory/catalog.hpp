// catalog.hpp - the installed UN/EDIFACT directories, loaded on first use and kept.
//
// A directory is a folder named after its version (D96A, D01B, ...) holding the UNECE files as
// published: EDMD or TRMD-as-EDMD message files, EDSD/TRSD, EDCD/TRCD, EDED/TRED and UNCL. Adding
// a directory means dropping such a folder into one of the catalog's roots; nothing else.
// Segments, composites, elements and code lists of a directory are imported on first use; a
// message structure is imported when a message of that type is first seen. All methods are
// thread-safe. Directory files that cannot be read or understood raise directory_error: that is
// an installation fault, not an input problem.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/directory/definitions.hpp"

namespace edigate::directory {

class directory_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One directory version, e.g. D96A.
class directory {
public:
    /// Imports segments, composites, elements and code lists from `folder`.
    directory(std::string id, std::filesystem::path folder);
    /// A service directory (ISO 9735 syntax version 3 or 4): the CONTRL message and its segments.
    static std::unique_ptr<directory> service(int syntax_version);

    const std::string& id() const noexcept { return id_; }
    const std::filesystem::path& folder() const noexcept { return folder_; }
    const segment_def* segment(std::string_view tag) const;
    const composite_def* composite(std::string_view code) const;
    const element_def* element(std::string_view code) const;
    const code_list* codes(std::string_view element) const;
    /// A UNCL 2379 date/time format as the validator checks 2380 values against it: the pattern
    /// the code's name spells ("102" -> "CCYYMMDD"), and the same without '-'.
    struct date_pattern {
        std::string with_dash, without_dash;
    };
    /// The pattern of a 2379 code whose name is made of C, Y, M, D, H, S, W and '-' only;
    /// nullptr for any other code (not in the list, or a name such as "CCYYQ" that is not checked).
    const date_pattern* date_format(std::string_view code) const;
    /// The message type's structure, imported on first use; nullptr when the directory lacks it.
    const message_def* message(std::string_view type) const;
    /// Message types this directory has files for, sorted.
    std::vector<std::string> message_types() const;
    std::size_t segment_count() const noexcept { return segments_.size(); }
    std::size_t code_list_count() const noexcept { return code_lists_.size(); }

private:
    directory() = default;
    void link();  ///< resolves composite contents into every segment's element_use
    static std::optional<date_pattern> make_date_pattern(const std::string& name);
    /// Points a message's segment entries at their definitions and sets their tag keys.
    void index_structure(std::vector<structure_entry>& entries) const;

    std::string id_;
    std::filesystem::path folder_;
    std::map<std::string, segment_def, std::less<>> segments_;
    std::map<std::string, composite_def, std::less<>> composites_;
    std::map<std::string, element_def, std::less<>> elements_;
    std::vector<std::shared_ptr<const char>> code_files_;  ///< the UNCL files, mapped; the code lists parse their entries from them
    std::map<std::string, code_list, std::less<>> code_lists_;
    /// date_format() for codes of up to 7 bytes: packed code -> pattern, sorted (set by link())
    std::vector<std::pair<std::uint64_t, date_pattern>> date_patterns_;
    std::map<std::string, date_pattern, std::less<>> long_date_patterns_;  ///< the other codes, if any
    std::map<std::string, std::filesystem::path, std::less<>> message_files_;
    mutable std::map<std::string, std::unique_ptr<message_def>, std::less<>> messages_;
    mutable std::mutex mutex_;
};

/// The directories under a list of roots, by version id.
class catalog {
public:
    explicit catalog(std::vector<std::filesystem::path> roots);
    /// $EDIGATE_DIRECTORIES (colon-separated), then the installed share/edigate/edifact/directories,
    /// then the source tree's edifact/directories.
    static std::vector<std::filesystem::path> default_roots();

    /// "D96A" (also accepts "D:96A" and lower case); nullptr when not installed.
    const directory* find(std::string_view id);
    /// The service directory for CONTRL of a syntax version (1 and 2 use version 3's definitions).
    const directory& service(int syntax_version);
    /// Installed version ids, sorted.
    std::vector<std::string> installed() const;
    const std::vector<std::filesystem::path>& roots() const noexcept { return roots_; }

private:
    std::vector<std::filesystem::path> roots_;
    std::map<std::string, std::filesystem::path> available_;
    std::map<std::string, std::unique_ptr<directory>, std::less<>> loaded_;
    std::map<int, std::unique_ptr<directory>> service_;
    std::mutex mutex_;
};

/// Directory id for a UNH S009 version and release: ("D", "96A") -> "D96A".
std::string directory_id(std::string_view version, std::string_view release);

}  // namespace edigate::directory
