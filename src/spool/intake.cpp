// intake.cpp - see intake.hpp.
#include "edigate/spool/intake.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>  // renameat2
#include <cstring>
#include <memory>

namespace edigate::spool {

namespace fs = std::filesystem;

namespace {

bool temporary_name(std::string_view n) {
    if (n.empty() || n[0] == '.') return true;  // dotfiles, and the writer's hidden temporaries
    if (n.ends_with(".tmp") || n.ends_with(".part")) return true;
    auto part = n.rfind(".part-");
    return part != std::string_view::npos && n.find_first_not_of("0123456789", part + 6) == std::string_view::npos;
}

/// Why a file is not a plain, single-linked regular file; empty when it is.
std::string too_large(std::uint64_t bytes, std::uint64_t max_bytes) {
    return fmt::format("{} bytes ({} MiB), over the {} MiB a file may have (max_file_mb)", bytes, bytes >> 20, max_bytes >> 20);
}

std::string unsafe(const struct stat& st, std::uint64_t max_bytes) {
    if (S_ISLNK(st.st_mode)) return "a symbolic link";
    if (S_ISDIR(st.st_mode)) return "a directory";
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (!S_ISREG(st.st_mode)) return "not a regular file (device or socket)";
    if (st.st_nlink > 1) return fmt::format("a hard link ({} names)", st.st_nlink);
    if (max_bytes && static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large(static_cast<std::uint64_t>(st.st_size), max_bytes);
    return {};
}


/// Hex SHA-256 of an open file, read from the start; the content is kept in `content` while it
/// is at most claimed::kept_bytes long (emptied when longer). Reading stops past max_bytes (when
/// not 0): `bytes` is then over it, and the hash is of no use.
std::optional<std::string> hash(int fd, std::uint64_t& bytes, std::string& content, std::uint64_t max_bytes) {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return std::nullopt;
    char buf[1 << 16];
    bytes = 0;
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(bytes));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(n));
        bytes += static_cast<std::uint64_t>(n);
        if (max_bytes && bytes > max_bytes) break;
        if (bytes <= claimed::kept_bytes) content.append(buf, static_cast<std::size_t>(n));
        else content.clear();
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += {digits[md[i] >> 4], digits[md[i] & 15]};
    return hex;
}

/// Across filesystems: copy into a temporary name in `to`'s folder, fsync, rename, then remove the source.
bool copy_across(int src, const fs::path& from, const fs::path& to, std::string& error) {
    fs::path tmp = to.parent_path() / fmt::format(".{}.part", to.filename().string());
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0) return error = fmt::format("cannot create {}: {}", tmp.string(), std::strerror(errno)), false;
    char buf[1 << 16];
    off_t at = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = ::pread(src, buf, sizeof buf, at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        for (ssize_t w = 0; ok && w < n;) {
            ssize_t k = ::write(out, buf + w, static_cast<std::size_t>(n - w));
            if (k < 0 && errno == EINTR) continue;
            ok = k > 0;
            w += k > 0 ? k : 0;
        }
        at += n;
    }
    ok = ok && ::fsync(out) == 0;
    ::close(out);
    if (ok) ok = ::rename(tmp.c_str(), to.c_str()) == 0;
    if (!ok) {
        error = fmt::format("cannot copy into {}: {}", to.string(), std::strerror(errno));
        ::unlink(tmp.c_str());  // nothing half-written stays behind; the source is untouched
        return false;
    }
    fsync_dir(to.parent_path());
    ::unlink(from.c_str());
    fsync_dir(from.parent_path());
    return true;
}

}  // namespace

bool fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

std::string safe_name(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, 100)) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        out += plain ? c : '_';
    }
    if (!out.empty() && out[0] == '.') out[0] = '_';
    return out.empty() ? "file" : out;
}

std::vector<entry> scan(const fs::path& inbox, std::chrono::milliseconds settle, std::uint64_t max_bytes) {
    std::vector<entry> out;
    DIR* dir = ::opendir(inbox.c_str());
    if (!dir) return out;
    int dfd = ::dirfd(dir);
    auto now = std::chrono::system_clock::now();
    while (const dirent* d = ::readdir(dir)) {
        std::string name = d->d_name;
        if (name == "." || name == "..") continue;
        entry e{name};
        struct stat st {};
        if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
        if (temporary_name(name) && S_ISREG(st.st_mode)) {
            e.what = entry::kind::skipped, e.reason = "a temporary or hidden name: the writer is not done";
        } else if (auto why = unsafe(st, max_bytes); !why.empty()) {
            e.what = entry::kind::refused, e.reason = why;
        } else {
            auto modified = std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec) +
                                                                  std::chrono::nanoseconds(st.st_mtim.tv_nsec));
            if (now - modified < settle) e.what = entry::kind::settling, e.reason = "modified less than the settle time ago";
        }
        out.push_back(std::move(e));
    }
    ::closedir(dir);
    std::sort(out.begin(), out.end(), [](const entry& a, const entry& b) { return a.name < b.name; });
    return out;
}

std::optional<claimed> claim(const fs::path& inbox, const entry& e, const fs::path& work, const std::string& work_name, std::string& error,
                             bool sync, std::uint64_t max_bytes) {
    if (e.name.find('/') != std::string::npos || e.name == "." || e.name == "..") {
        error = "not a name in the inbox";
        return std::nullopt;
    }
    fs::path from = inbox / e.name;
    fs::path to = work / safe_name(work_name);
    // O_NOFOLLOW: a link swapped in since the scan fails here (ELOOP); O_NONBLOCK: a FIFO cannot hang us.
    int fd = ::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error = fmt::format("cannot open {}: {}", e.name, std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    std::string why = ::fstat(fd, &st) == 0 ? unsafe(st, max_bytes) : "cannot be examined";
    if (!why.empty()) {
        ::close(fd);
        error = fmt::format("{} became {} since it was seen", e.name, why);
        return std::nullopt;
    }
    if (::rename(from.c_str(), to.c_str()) == 0) {
        if (sync) fsync_dir(work), fsync_dir(inbox);
    } else if (errno != EXDEV || !copy_across(fd, from, to, error)) {
        if (error.empty()) error = fmt::format("cannot move {} into {}: {}", e.name, work.string(), std::strerror(errno));
        ::close(fd);
        return std::nullopt;
    }
    // What was renamed must be what was opened: an entry swapped in between (a link put in place of
    // the checked file) is not taken; it stays in the work area under a name marking it.
    struct stat moved {};
    if (::lstat(to.c_str(), &moved) != 0 || moved.st_ino != st.st_ino || moved.st_dev != st.st_dev) {
        ::close(fd);
        fs::path aside = to;
        aside += ".swapped";
        ::rename(to.c_str(), aside.c_str());
        error = fmt::format("{} was replaced while it was being taken; set aside as {}", e.name, aside.string());
        return std::nullopt;
    }
    claimed c{to, e.name, "", 0, {}};
    auto digest = hash(fd, c.bytes, c.content, max_bytes);  // the same inode, whatever its name is now
    ::close(fd);
    if (max_bytes && c.bytes > max_bytes) {
        // It grew past the limit after it was looked at (a writer still appending): reading stopped
        // there. It goes back to the inbox, where the next look refuses it by its size; across
        // filesystems it is set aside here under a name marking it.
        // (RENAME_NOREPLACE: a new file dropped under the same name meanwhile is not overwritten.)
        fs::path aside = to;
        aside += ".oversized";
        std::string where = "left as " + to.string();
        if (::renameat2(AT_FDCWD, to.c_str(), AT_FDCWD, from.c_str(), RENAME_NOREPLACE) == 0) where = "put back into the inbox";
        else if (::rename(to.c_str(), aside.c_str()) == 0) where = "set aside as " + aside.string();
        fsync_dir(work), fsync_dir(inbox);
        error = fmt::format("{} grew past the {} MiB a file may have (max_file_mb) while it was being taken; {}", e.name, max_bytes >> 20, where);
        return std::nullopt;
    }
    if (!digest) {
        error = fmt::format("cannot read {}", to.string());
        return std::nullopt;
    }
    c.sha256 = *digest;
    return c;
}

bool quarantine(const fs::path& inbox, const entry& e, const fs::path& folder, std::string& error) {
    fs::path to = folder / safe_name(e.name);
    if (::renameat(AT_FDCWD, (inbox / e.name).c_str(), AT_FDCWD, to.c_str()) != 0) {  // the entry itself, not its target
        error = fmt::format("cannot move {} to quarantine: {}", e.name, std::strerror(errno));
        return false;
    }
    fsync_dir(folder);
    return true;
}

}  // namespace edigate::spool
