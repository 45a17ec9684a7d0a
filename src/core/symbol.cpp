// symbol.cpp - the process-wide intern table behind core::symbol.
#include "edigate/core/symbol.hpp"

#include <atomic>
#include <mutex>
#include <type_traits>
#include <unordered_set>

namespace edigate::core {

namespace {

// Bounded so that documents inventing names cannot grow a long-running daemon without limit.
constexpr std::size_t max_symbols = 1u << 16;
constexpr std::size_t max_bytes = 16u << 20;

struct table {
    std::mutex mutex;
    std::unordered_set<std::string> texts;  // node-based: addresses are stable
    std::size_t bytes = 0;
};

/// Text a symbol owns when the table is full; shared by reference count between copies. The
/// text comes first, so that the address of the text is the address of the block.
struct owned_text {
    std::string text;
    std::atomic<std::size_t> references{1};
};
static_assert(std::is_standard_layout_v<owned_text> && alignof(owned_text) > 1);

table& interned() {
    static table* t = new table;  // never destroyed: symbols may outlive static destruction order
    return *t;
}

}  // namespace

const std::string& symbol::empty_text() noexcept {
    static const std::string empty;
    return empty;
}

symbol::symbol(std::string_view s) {
    if (s.empty()) return;
    // A per-thread, direct-mapped cache of interned texts: naming nodes takes no lock. Interned
    // texts are never freed, so a cached address stays good.
    constexpr std::size_t slots = 4096;
    thread_local std::uintptr_t cache[slots] = {};
    std::size_t h = std::hash<std::string_view>{}(s) & (slots - 1);
    if (std::uintptr_t c = cache[h]; c && *reinterpret_cast<const std::string*>(c) == s) {
        p_ = c;
        return;
    }
    table& t = interned();
    std::lock_guard lock(t.mutex);
    std::string key(s);
    if (auto it = t.texts.find(key); it != t.texts.end()) {
        p_ = cache[h] = reinterpret_cast<std::uintptr_t>(&*it);
    } else if (t.texts.size() < max_symbols && t.bytes + s.size() <= max_bytes) {
        t.bytes += s.size();
        p_ = cache[h] = reinterpret_cast<std::uintptr_t>(&*t.texts.insert(std::move(key)).first);
    } else {
        p_ = reinterpret_cast<std::uintptr_t>(new owned_text{std::move(key)}) | owned;
    }
}

void symbol::hold() const noexcept {
    reinterpret_cast<owned_text*>(p_ & ~owned)->references.fetch_add(1, std::memory_order_relaxed);
}

void symbol::drop() noexcept {
    auto* o = reinterpret_cast<owned_text*>(p_ & ~owned);
    if (o->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete o;
    p_ = 0;
}

}  // namespace edigate::core
