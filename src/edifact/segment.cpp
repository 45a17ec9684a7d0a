// segment.cpp - 1-based accessors of a parsed segment.
#include "edigate/edifact/segment.hpp"

namespace edigate::edifact {

namespace {
const std::string empty_string;

const component_value* find(const segment& s, std::size_t e, std::size_t c, std::size_t r) noexcept {
    if (e == 0 || e > s.elements.size()) return nullptr;
    const auto& el = s.elements[e - 1];
    if (r == 0 || r > el.size()) return nullptr;
    const auto& rep = el[r - 1];
    if (c == 0 || c > rep.size()) return nullptr;
    return &rep[c - 1];
}
}  // namespace

const std::string& segment::value(std::size_t e, std::size_t c, std::size_t r) const noexcept {
    const auto* v = find(*this, e, c, r);
    return v ? v->text : empty_string;
}

std::size_t segment::component_count(std::size_t e, std::size_t r) const noexcept {
    if (e == 0 || e > elements.size() || r == 0 || r > elements[e - 1].size()) return 0;
    return elements[e - 1][r - 1].size();
}

std::size_t segment::repetition_count(std::size_t e) const noexcept {
    return e == 0 || e > elements.size() ? 0 : elements[e - 1].size();
}

std::uint64_t segment::byte_of(std::size_t e, std::size_t c, std::size_t r) const noexcept {
    if (const auto* v = find(*this, e, c, r)) return byte + v->offset;
    if (e > elements.size()) return byte + length;
    if (const auto* first = find(*this, e, 1, 1)) return byte + first->offset;
    return byte + length;
}

}  // namespace edigate::edifact
