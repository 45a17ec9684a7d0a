// scanner.hpp - the hot primitive: find the end of one segment and check its bytes on the way.
//
// scan_segment() walks from a segment's first byte to its unreleased terminator, 16 bytes at a
// time with SSE2 where available, and notes the first byte outside the charset's repertoire and
// the first release character that releases nothing. It never reads past `limit` + 15 bytes (the
// caller keeps that much padding) and never uses bytes past `limit`. When the terminator is not
// in [p, limit) it answers need_more; the caller reads more input or reports the cut-off segment.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact::detail {

/// What one byte is under a charset.
enum class byte_class : std::uint8_t {
    ok,          ///< in the repertoire
    bad,         ///< outside the repertoire
    lowercase,   ///< a-z under level A (its own code so profiles can downgrade it)
    line_break,  ///< CR or LF inside a segment
    lead,        ///< first byte of a multi-byte sequence (UTF-8 or GB18030): decide by sequence
    trail_bad,   ///< a byte that can only be valid inside a multi-byte sequence
};

/// Byte classes and SIMD fast-path bounds for one charset and set of separators.
struct scan_table {
    std::array<byte_class, 256> cls{};
    bool utf8 = false;        ///< multi-byte sequences are UTF-8
    bool gb18030 = false;     ///< multi-byte sequences are GB18030
    bool strict_ascii = false;///< level A/B: the SIMD fast path also flags '#', '$', '@' and 0x5B-0x7E
    delimiters delims;
};

scan_table make_scan_table(charset cs, const delimiters& d);

struct scan_result {
    enum class status : std::uint8_t { complete, need_more } state = status::need_more;
    const char* terminator = nullptr;   ///< the terminator when complete
    const char* first_bad = nullptr;    ///< first byte outside the repertoire, or nullptr
    byte_class bad_class = byte_class::ok;
    bool bad_encoding = false;          ///< first_bad starts an invalid multi-byte sequence
    std::uint32_t bad_count = 0;        ///< how many bad bytes/sequences in the segment
    const char* bad_release = nullptr;  ///< first release character followed by a non-service character
    bool released = false;              ///< the segment uses the release character at all
};

#if defined(__SSE2__)
// Classifies 16 bytes at once: `special` = terminator or release character, `flagged` = bytes
// outside the cheap "surely in the repertoire" range, to be looked up in the charset table.
// Shared by the segment scan, the fast lane and segment_builder's plain lane.
struct block_classifier {
    __m128i term, rel, bias, lo, hi, hash, dollar, at;
    bool strict;

    block_classifier() = default;
    explicit block_classifier(const scan_table& t)
        : term(_mm_set1_epi8(t.delims.segment)),
          rel(_mm_set1_epi8(t.delims.release ? t.delims.release : t.delims.segment)),
          bias(_mm_set1_epi8(static_cast<char>(0x80))),
          // After XOR 0x80, signed compares implement unsigned ranges: < 0x20 and > 0x7E (0x5A for level A/B).
          lo(_mm_set1_epi8(static_cast<char>(0x20 ^ 0x80))),
          hi(_mm_set1_epi8(static_cast<char>((t.strict_ascii ? 0x5A : 0x7E) ^ 0x80))),
          hash(_mm_set1_epi8('#')), dollar(_mm_set1_epi8('$')), at(_mm_set1_epi8('@')), strict(t.strict_ascii) {}

    void classify(const char* q, const char* limit, unsigned& special, unsigned& flagged) const {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        special = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, term), _mm_cmpeq_epi8(v, rel))));
        __m128i b = _mm_xor_si128(v, bias);
        __m128i odd = _mm_or_si128(_mm_cmplt_epi8(b, lo), _mm_cmpgt_epi8(b, hi));
        if (strict) odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v, hash), _mm_or_si128(_mm_cmpeq_epi8(v, dollar), _mm_cmpeq_epi8(v, at))));
        flagged = static_cast<unsigned>(_mm_movemask_epi8(odd));
        auto avail = static_cast<std::size_t>(limit - q);
        if (avail < 16) {
            unsigned m = (1u << avail) - 1;
            special &= m;
            flagged &= m;
        }
    }
};
#endif

/// Scan from p (first byte of a segment) to its terminator within [p, limit).
scan_result scan_segment(const char* p, const char* limit, const scan_table& t) noexcept;

/// Fast lane for the common case inside a message: consumes consecutive ordinary data segments
/// (tag of three upper-case letters or digits not starting with "UN", every byte in the
/// repertoire, releases only before separators, no trailing separator), each followed by optional
/// CR/LF. Stops before the first segment that is anything else, or that does not end within
/// [p, limit). Returns how many segments it consumed and moves p past them. Those segments need
/// no diagnostics, so the caller only counts them. With `each`, each segment is offered to it
/// first (raw from tag to terminator, exclusive): when it returns false the lane stops before that
/// segment.
using plain_segment_fn = bool (*)(void* context, const char* begin, const char* terminator);
std::size_t skip_plain_segments(const char*& p, const char* limit, const scan_table& t, plain_segment_fn each = nullptr,
                                void* context = nullptr) noexcept;

/// The byte-at-a-time reference implementation (what the SIMD path must agree with; for tests).
scan_result scan_segment_scalar(const char* p, const char* limit, const scan_table& t) noexcept;

/// Length of the valid multi-byte sequence at p (>= 2), 0 when invalid, -1 when cut off by limit.
int utf8_sequence(const unsigned char* p, const unsigned char* limit) noexcept;
int gb18030_sequence(const unsigned char* p, const unsigned char* limit) noexcept;

}  // namespace edigate::edifact::detail
