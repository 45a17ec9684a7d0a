// symbol.cpp - the process-wide intern table behind core::symbol.
#include "edigate/core/symbol.hpp"

#include <mutex>
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
    table& t = interned();
    std::lock_guard lock(t.mutex);
    std::string key(s);
    if (auto it = t.texts.find(key); it != t.texts.end()) {
        text_ = &*it;
    } else if (t.texts.size() < max_symbols && t.bytes + s.size() <= max_bytes) {
        t.bytes += s.size();
        text_ = &*t.texts.insert(std::move(key)).first;
    } else {
        own_ = std::make_shared<const std::string>(std::move(key));
        text_ = own_.get();
    }
}

}  // namespace edigate::core
