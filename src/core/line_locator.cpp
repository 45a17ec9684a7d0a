// line_locator.cpp - line starts, all of them (a buffer) or every 256 KiB (a file).
#include "edigate/core/line_locator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace edigate::core {

namespace {

/// A place in the input: `byte` is on line `line`, which starts at `start`.
struct mark {
    std::uint64_t byte = 0, line = 1, start = 0;
};

/// Moves `m` over `n` bytes at `p` (the input from m.byte on), counting line breaks.
void advance(mark& m, const char* p, std::size_t n) {
    const char* end = p + n;
    for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(end - q)))); ++q) {
        ++m.line;
        m.start = m.byte + static_cast<std::uint64_t>(q - p) + 1;
    }
    m.byte += n;
}

constexpr std::size_t chunk = std::size_t{1} << 18;  // 256 KiB: a checkpoint each

}  // namespace

struct line_locator::file_index {
    int fd = -1;
    std::vector<mark> marks{mark{}};  ///< marks[i].byte == i * chunk (up to the end)
    std::uint64_t size = 0;
    std::mutex lock;                  ///< guards `last` and `buffer`
    mark last;                        ///< where the previous locate() stopped
    std::vector<char> buffer = std::vector<char>(chunk);

    ~file_index() {
        if (fd >= 0) ::close(fd);
    }
    /// Reads up to `n` bytes at `at`; how many it got.
    std::size_t read_at(std::uint64_t at, std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, buffer.data() + got, n - got, static_cast<off_t>(at + got));
            if (r <= 0) break;
            got += static_cast<std::size_t>(r);
        }
        return got;
    }
};

line_locator line_locator::from_buffer(std::string_view data) {
    line_locator l;
    const char* p = data.data();
    const char* end = p + data.size();
    for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(end - q)))); ++q)
        l.starts_.push_back(static_cast<std::uint64_t>(q - p) + 1);
    return l;
}

line_locator line_locator::from_file(const std::filesystem::path& file) {
    line_locator l;
    auto index = std::make_shared<file_index>();
    index->fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (index->fd < 0) return l;
    mark m;
    for (;;) {
        std::size_t got = index->read_at(m.byte, chunk);
        advance(m, index->buffer.data(), got);
        if (got < chunk) break;
        index->marks.push_back(m);
    }
    index->size = m.byte;
    l.file_ = std::move(index);
    return l;
}

line_locator::line_col line_locator::locate(std::uint64_t byte) const noexcept {
    if (!file_) {
        auto it = std::upper_bound(starts_.begin(), starts_.end(), byte);
        auto line = static_cast<std::uint64_t>(it - starts_.begin());  // >= 1 since starts_[0] == 0
        return {line, byte - starts_[line - 1] + 1};
    }
    file_index& f = *file_;
    std::lock_guard guard(f.lock);
    std::uint64_t target = std::min(byte, f.size);
    mark m = f.marks[std::min<std::uint64_t>(target / chunk, f.marks.size() - 1)];
    if (f.last.byte <= target && f.last.byte > m.byte) m = f.last;
    while (m.byte < target) {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, target - m.byte));
        std::size_t got = f.read_at(m.byte, want);
        if (got == 0) break;  // the file shrank: stay where it ended
        advance(m, f.buffer.data(), got);
    }
    f.last = m;
    return {m.line, byte - m.start + 1};
}

}  // namespace edigate::core
