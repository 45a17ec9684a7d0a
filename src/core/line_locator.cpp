// line_locator.cpp - one pass over the input recording line starts.
#include "edigate/core/line_locator.hpp"

#include <algorithm>
#include <cstring>

namespace edigate::core {

namespace {
void scan(std::vector<std::uint64_t>& starts, std::uint64_t base, const char* p, std::size_t n) {
    const char* end = p + n;
    for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(end - q)))); ++q)
        starts.push_back(base + static_cast<std::uint64_t>(q - p) + 1);
}
}  // namespace

line_locator line_locator::from_stream(std::istream& in) {
    line_locator l;
    std::vector<char> buf(1 << 16);
    std::uint64_t base = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) break;
        scan(l.starts_, base, buf.data(), got);
        base += got;
    }
    return l;
}

line_locator line_locator::from_buffer(std::string_view data) {
    line_locator l;
    scan(l.starts_, 0, data.data(), data.size());
    return l;
}

line_locator::line_col line_locator::locate(std::uint64_t byte) const noexcept {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), byte);
    auto line = static_cast<std::uint64_t>(it - starts_.begin());  // >= 1 since starts_[0] == 0
    return {line, byte - starts_[line - 1] + 1};
}

}  // namespace edigate::core
