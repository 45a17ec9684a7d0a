// segment.hpp - a parsed segment: tag and data values as UTF-8, with byte offsets.
//
// Values are unescaped (release characters removed) and decoded from the interchange's
// character set to UTF-8. Positions are 1-based like the standard counts them: element 1 is the
// first data element after the tag. Missing positions read as empty strings, never as errors.
//
// Storage is flat: all values in one UTF-8 buffer plus one small entry per value, in input order
// (element, repetition, component ascending). Lookups are binary searches over the entries.
// clear() keeps the capacity, so a segment that is cleared and refilled allocates nothing once
// it has held a segment as large. Adding a value out of order is a programmer error
// (std::logic_error); the reader only ever adds in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edigate::edifact {

namespace detail {
class segment_builder;
}

/// One value of a segment, as items() shows it.
struct segment_item {
    std::uint16_t element = 0;     ///< 1-based
    std::uint16_t repetition = 0;  ///< 1-based
    std::uint16_t component = 0;   ///< 1-based
    std::uint32_t offset = 0;      ///< byte offset of the raw value from the start of the segment
    std::string_view text;         ///< UTF-8, unescaped; valid until the segment is changed, moved or destroyed
};

class segment {
public:
    std::string tag;
    std::uint64_t byte = 0;       ///< byte offset of the tag in the input
    std::uint32_t number = 0;     ///< position in the message (UNH = 1) or in the interchange (UNB = 1)
    std::uint32_t length = 0;     ///< bytes from the tag to the terminator (exclusive), as read

    /// Value at element e, component c, repetition r (all 1-based); empty when absent.
    std::string_view value(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept;
    bool has(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept { return !value(e, c, r).empty(); }
    /// Highest element index that has a value (empty values count), 0 for a segment without elements.
    std::size_t element_count() const noexcept { return entries_.empty() ? 0 : entries_.back().element; }
    /// Highest component index in element e, repetition r; 0 when absent.
    std::size_t component_count(std::size_t e, std::size_t r = 1) const noexcept;
    /// Highest repetition index in element e; 0 when absent.
    std::size_t repetition_count(std::size_t e) const noexcept;
    /// Byte offset in the input of element e / component c / repetition r; for an absent element,
    /// the offset of the segment terminator, where it would have been.
    std::uint64_t byte_of(std::size_t e, std::size_t c = 1, std::size_t r = 1) const noexcept;

    /// Every value in input order: size(), empty(), [i] and range-for. Like a span, it is valid
    /// until the segment is changed, moved or destroyed. (A plain class, not a std::views
    /// adaptor: clang 14 cannot compile libstdc++ 12's <ranges>, and the fuzzers build with clang.)
    class item_view {
    public:
        class iterator {
        public:
            segment_item operator*() const noexcept { return s_->item_at(i_); }
            iterator& operator++() noexcept { return ++i_, *this; }
            bool operator==(const iterator& o) const noexcept { return i_ == o.i_; }

        private:
            friend class item_view;
            iterator(const segment* s, std::size_t i) : s_(s), i_(i) {}
            const segment* s_;
            std::size_t i_;
        };
        std::size_t size() const noexcept { return s_->entries_.size(); }
        bool empty() const noexcept { return s_->entries_.empty(); }
        segment_item operator[](std::size_t i) const noexcept { return s_->item_at(i); }
        iterator begin() const noexcept { return {s_, 0}; }
        iterator end() const noexcept { return {s_, size()}; }

    private:
        friend class segment;
        explicit item_view(const segment* s) : s_(s) {}
        const segment* s_;
    };
    item_view items() const noexcept { return item_view(this); }

    /// Append a value. Positions are 1-based and must come after the last value added in
    /// (element, repetition, component) order; otherwise std::logic_error and nothing changes.
    void add(std::uint16_t element, std::uint16_t repetition, std::uint16_t component, std::string_view utf8_text,
             std::uint32_t offset = 0);
    /// Remove the tag and all values and reset byte, number and length; keeps the capacity.
    void clear() noexcept {
        tag.clear();
        byte = 0;
        number = 0;
        length = 0;
        entries_.clear();
        buffer_.clear();
    }

private:
    friend class detail::segment_builder;  // the reader's lanes fill entries_ and buffer_ directly

    struct entry {
        std::uint32_t begin = 0, size = 0;  ///< in buffer_
        std::uint32_t offset = 0;
        std::uint32_t element = 0;
        std::uint32_t rep_comp = 0;  ///< repetition << 16 | component: with element, the sort key
    };
    static std::uint64_t key(std::size_t e, std::size_t r, std::size_t c) noexcept { return (e << 32) | (r << 16) | c; }
    static std::uint64_t key(const entry& x) noexcept { return std::uint64_t{x.element} << 32 | x.rep_comp; }
    /// add() for a value that append(std::vector<char>& out) appends to out (it must only append).
    template <class Append>
    void add_with(std::uint16_t element, std::uint16_t repetition, std::uint16_t component, std::uint32_t offset,
                  Append&& append);
    segment_item item_at(std::size_t i) const noexcept {
        const entry& x = entries_[i];
        return segment_item{static_cast<std::uint16_t>(x.element), static_cast<std::uint16_t>(x.rep_comp >> 16),
                            static_cast<std::uint16_t>(x.rep_comp), x.offset, std::string_view(buffer_.data() + x.begin, x.size)};
    }
    const entry* find(std::size_t e, std::size_t c, std::size_t r) const noexcept;
    /// The last entry at or before (e, r, c) in order, or nullptr.
    const entry* last_up_to(std::size_t e, std::size_t r, std::size_t c) const noexcept;
    void check_next(std::uint16_t element, std::uint16_t repetition, std::uint16_t component) const {
        if (element == 0 || repetition == 0 || component == 0 ||
            (!entries_.empty() && key(element, repetition, component) <= key(entries_.back())))
            out_of_order(element, repetition, component);
    }
    [[noreturn]] void out_of_order(std::uint16_t element, std::uint16_t repetition, std::uint16_t component) const;

    std::vector<entry> entries_;
    std::vector<char> buffer_;  // not a std::string: clear() then leaves the heap alone
};

template <class Append>
void segment::add_with(std::uint16_t element, std::uint16_t repetition, std::uint16_t component, std::uint32_t offset,
                       Append&& append) {
    check_next(element, repetition, component);
    std::size_t begin = buffer_.size();
    append(buffer_);
    entries_.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(buffer_.size() - begin), offset,
                        element, static_cast<std::uint32_t>(repetition) << 16 | component});
}

inline void segment::add(std::uint16_t element, std::uint16_t repetition, std::uint16_t component,
                         std::string_view utf8_text, std::uint32_t offset) {
    add_with(element, repetition, component, offset,
             [utf8_text](std::vector<char>& out) { out.insert(out.end(), utf8_text.begin(), utf8_text.end()); });
}

}  // namespace edigate::edifact
