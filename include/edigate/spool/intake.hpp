// intake.hpp - taking files from a partner's inbox into edigate's own work area, safely.
//
// Forwarders write into their inbox; everything found there is hostile until proven otherwise.
// A file is taken only when it is complete: a regular file, not a dotfile or a writer's temporary
// name (.tmp, .part, .part-N), and not modified for `settle` (a writer that renames its file in is
// seen at once, one that writes in place is waited for). It is taken by an atomic rename into the
// work area on the same filesystem (or, across filesystems, a copy that is fsync'ed and renamed,
// then the source removed), with the work-area directory fsync'ed, so that at every instant the
// file is in exactly one of the two places.
//
// Never through a link: symbolic links, hard links (nlink > 1), FIFOs, devices and directories are
// refused without reading their content (opens use O_NOFOLLOW | O_NONBLOCK and are checked again
// with fstat after opening), and moved to the quarantine folder by name when one is given. The name
// in the work area is made from edigate's own sequence and a cleaned copy of the file name (letters,
// digits, '.', '-', '_'); no name from a file or a message is ever used as a path.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edigate::spool {

struct entry {
    std::string name;                 ///< as found in the inbox (for the log; never used as a path elsewhere)
    enum class kind { ready, settling, skipped, refused } what = kind::ready;
    std::string reason;               ///< for skipped and refused entries
};

/// Looks at the inbox without changing it: what is ready, still being written, skipped or refused.
/// A regular file over max_bytes (when not 0) is refused on its size, without being opened.
std::vector<entry> scan(const std::filesystem::path& inbox, std::chrono::milliseconds settle, std::uint64_t max_bytes = 0);

struct claimed {
    std::filesystem::path file;       ///< in the work area
    std::string original_name;
    std::string sha256;               ///< of the content, hex
    std::uint64_t bytes = 0;
    std::string content;              ///< the whole content when at most kept_bytes long (read once, for the hash), else empty
    static constexpr std::uint64_t kept_bytes = 32 * 1024;  // a batch of 256 claims keeps at most 8 MiB
};

/// Moves a ready entry into `work` under `work_name` and hashes it; nullopt with `error` when it
/// is no longer there, became unsafe, or cannot be moved (the source is then left in place).
/// With `sync` false the two folders are not fsync'ed here: the caller claims many files, then
/// calls fsync_dir() on both folders once, before it records the claims. A file over max_bytes
/// (when not 0) is not taken: seen so when opened, it stays in the inbox; grown past it while
/// being read (reading stops there), it is put back into the inbox.
std::optional<claimed> claim(const std::filesystem::path& inbox, const entry& e, const std::filesystem::path& work,
                             const std::string& work_name, std::string& error, bool sync = true, std::uint64_t max_bytes = 0);

/// fsync of a folder, so that the renames into and out of it survive a power loss.
bool fsync_dir(const std::filesystem::path& dir);

/// Moves a refused entry (the link or node itself, never what it points to) into `quarantine`.
bool quarantine(const std::filesystem::path& inbox, const entry& e, const std::filesystem::path& quarantine, std::string& error);

/// A name safe to use in edigate's folders: the characters of `name` outside [A-Za-z0-9._-] become
/// '_', a leading '.' too, and it is cut to 100 bytes; "file" when nothing is left.
std::string safe_name(std::string_view name);

}  // namespace edigate::spool
