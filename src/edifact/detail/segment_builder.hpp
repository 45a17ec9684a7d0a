// segment_builder.hpp - fills a segment's values from its raw text: split, unescape, decode.
//
// The general path is the X3 grammar (split_segment) followed by the decoder, one component at a
// time. Two lanes cover nearly every real segment, writing straight into the segment:
//   plain    for the reader with keep_segments: an ordinary data segment (at most 16 release
//            characters and non-ASCII bytes, the latter only under UNOC) is scanned to its
//            terminator and split in the same 16-byte SSE2 sweep; its values are slices of one
//            copy of the raw text, less the release characters and with ISO 8859-1 as UTF-8.
//   fast     a segment already cut out by the scanner, byte at a time, unescaping release
//            characters and decoding the single-byte charsets on the way.
// Anything else takes the general path: a tag with components, non-ASCII UTF-8 (sequences are
// checked after releases are removed), iconv charsets, separators that are shared or not ASCII,
// segments over 65535 bytes. The lanes give exactly what the general path gives
// (tests/unit/edifact/segment_builder_test.cpp compares them on random segments). Building
// never fails: every byte sequence is some list of values.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "detail/codec.hpp"
#include "detail/grammar.hpp"
#include "detail/scanner.hpp"
#include "edigate/edifact/segment.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact::detail {

class segment_builder {
public:
    segment_builder() = default;
    /// For text in charset cs with separators d (those of the scan table it is used with).
    segment_builder(charset cs, const delimiters& d);

    /// Add the values of raw (a segment without its terminator) to s, which has none yet, and
    /// return the tag as written (the first run of the tag).
    std::string_view build(std::string_view raw, segment& s);
    /// The fast lane alone: false, with s unchanged, when raw needs the general path.
    bool build_fast(std::string_view raw, segment& s, std::string_view& tag) const;
    /// The general path alone.
    std::string_view build_general(std::string_view raw, segment& s);

    /// The plain lane: from p (the first byte of a segment) to its terminator in [p, limit),
    /// scan and add the values to s, which has none yet. Plain is what skip_plain_segments
    /// accepts (a tag of three upper-case letters or digits not starting with "UN", every byte in
    /// the repertoire, release characters only before service characters, no trailing separator)
    /// and, besides, a tag followed by an element separator or the terminator, non-ASCII only
    /// under UNOC, at most 16 release characters and non-ASCII bytes together and 65535 bytes;
    /// for such a segment the reader has nothing to report. Returns the terminator, or nullptr with s
    /// unchanged for any other segment or when the terminator is not in [p, limit). Reads up to
    /// 15 bytes past limit, like scan_segment (the same scan table: make_scan_table(cs, d)).
    const char* build_plain(const char* p, const char* limit, segment& s) const;

private:
    enum : std::uint8_t { data, element, component, repetition, other };  // byte classes of the fast lane
    /// What the fast lane makes of a byte >= 0x80, as the decoder would.
    enum class high_byte : std::uint8_t { latin1, question_mark, general_path };

    delimiters d_;
    scan_table table_;
#if defined(__SSE2__)
    block_classifier blocks_;
    __m128i element_v_{}, component_v_{}, repetition_v_{};  // separators in every byte
#endif
    decoder decoder_;
    std::vector<raw_piece> pieces_;
    std::string scratch_;  // the decoder's output for the general path
    std::array<std::uint8_t, 256> class_{};
    bool lanes_ok_ = false;  ///< the charset and separators allow the lanes
    high_byte high_ = high_byte::general_path;
};

}  // namespace edigate::edifact::detail
