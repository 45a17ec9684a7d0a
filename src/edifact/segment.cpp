// segment.cpp - 1-based accessors of a parsed segment over its flat, ordered entries.
#include "edigate/edifact/segment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace edigate::edifact {

namespace {
constexpr std::size_t max_index = 0xFFFF;  // positions are 16-bit; larger ones are absent
}

const segment::entry* segment::find(std::size_t e, std::size_t c, std::size_t r) const noexcept {
    if (e == 0 || c == 0 || r == 0 || e > max_index || c > max_index || r > max_index) return nullptr;
    std::uint64_t k = key(e, r, c);
    auto it = std::lower_bound(entries_.begin(), entries_.end(), k, [](const entry& x, std::uint64_t v) { return key(x) < v; });
    return it != entries_.end() && key(*it) == k ? &*it : nullptr;
}

const segment::entry* segment::last_up_to(std::size_t e, std::size_t r, std::size_t c) const noexcept {
    std::uint64_t k = key(e, r, c);
    auto it = std::upper_bound(entries_.begin(), entries_.end(), k, [](std::uint64_t v, const entry& x) { return v < key(x); });
    return it == entries_.begin() ? nullptr : &*(it - 1);
}

std::string_view segment::value(std::size_t e, std::size_t c, std::size_t r) const noexcept {
    const auto* x = find(e, c, r);
    return x ? std::string_view(buffer_.data() + x->begin, x->size) : std::string_view();
}

std::size_t segment::component_count(std::size_t e, std::size_t r) const noexcept {
    if (e == 0 || r == 0 || e > max_index || r > max_index) return 0;
    const auto* x = last_up_to(e, r, max_index);
    return x && x->element == e && x->rep_comp >> 16 == r ? x->rep_comp & 0xFFFF : 0;
}

std::size_t segment::repetition_count(std::size_t e) const noexcept {
    if (e == 0 || e > max_index) return 0;
    const auto* x = last_up_to(e, max_index, max_index);
    return x && x->element == e ? x->rep_comp >> 16 : 0;
}

std::uint64_t segment::byte_of(std::size_t e, std::size_t c, std::size_t r) const noexcept {
    if (const auto* x = find(e, c, r)) return byte + x->offset;
    if (e > element_count()) return byte + length;
    if (const auto* first = find(e, 1, 1)) return byte + first->offset;
    return byte + length;
}

void segment::out_of_order(std::uint16_t element, std::uint16_t repetition, std::uint16_t component) const {
    if (element == 0 || repetition == 0 || component == 0)
        throw std::logic_error(fmt::format("segment {}: positions are 1-based, got element {} repetition {} component {}",
                                           tag, element, repetition, component));
    const auto& last = entries_.back();
    throw std::logic_error(fmt::format("segment {}: element {} repetition {} component {} added after element {} "
                                       "repetition {} component {}; values must be added in order",
                                       tag, element, repetition, component, last.element, last.rep_comp >> 16,
                                       last.rep_comp & 0xFFFF));
}

}  // namespace edigate::edifact
