// reader.hpp - the streaming ISO 9735 reader: files in, envelopes, messages and findings out.
//
// Reads UNA/UNB..UNZ interchanges (several per file), UNG/UNE groups and UNH..UNT messages for
// syntax versions 1-4, in bounded memory: the read buffer holds at most one segment beyond a chunk
// and only the current message is kept. Every problem is a diagnostic handed to the handler; the
// reader never throws because of input. After a fatal problem it resynchronises at the next
// UNH, UNZ or UNB, so the next message or interchange is still read. I/O failures (unreadable
// file) are reported by read_file returning false with a diagnostic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/core/diagnostic.hpp"
#include "edigate/edifact/interchange.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::edifact {

/// Receives what the reader finds, in input order. Default implementations ignore everything.
class handler {
public:
    virtual ~handler() = default;
    virtual void interchange_begin(const interchange_header&) {}
    virtual void group_begin(const group_header&) {}
    /// After UNH: the message's header, index, group and byte are set, it has no segments yet.
    virtual void message_begin(const message&) {}
    /// With reader_options::stream_segments, each segment of a message from UNH to UNT, in order,
    /// comes here built, or to plain_segment() raw (after the reader's findings for it, if any).
    virtual void segment(const segment&) {}
    /// With stream_segments, an ordinary data segment in a message that the reader has nothing to
    /// say about (the fast lane's test: its tag, bytes and releases are fine, no trailing
    /// separator): raw runs from the tag to the terminator (exclusive), and at least 15 bytes
    /// after it may be read (the read buffer's padding). Return true when it is taken as is;
    /// false, and the reader builds it and hands it to segment() instead.
    virtual bool plain_segment(std::string_view /*raw*/, std::uint64_t /*byte*/, std::uint32_t /*number*/) { return false; }
    virtual void message_end(const message&) {}
    virtual void group_end(const group_trailer&) {}
    virtual void interchange_end(const interchange_trailer&) {}
    virtual void finding(const core::diagnostic&) {}
    /// Called after each read from the input with the total bytes read so far (for progress bars).
    virtual void progress(std::uint64_t /*bytes_read*/) {}
};

/// Per-partner and per-call settings. Nothing here is read from global configuration.
struct reader_options {
    bool keep_segments = true;                     ///< hand on messages with their segments (false: envelope checks only, fastest)
    bool stream_segments = false;                  ///< offer each segment of a message to handler::segment / plain_segment as it is read
    std::optional<delimiters> delimiter_advice;    ///< out-of-band separators for feeds without UNA that break the defaults
    std::optional<charset> charset_override;       ///< decode as this instead of the declared charset (reported once per interchange)
    std::string profile;                           ///< partner profile name, recorded on downgraded findings
    std::vector<std::string> downgrade;            ///< codes ("EDI-C002") this profile turns from errors into warnings
    std::size_t max_segment_bytes = 1u << 20;      ///< longer segments are a finding and are skipped
    /// With keep_segments: past this many bytes from its UNH, a message's segments are no longer
    /// kept (what it kept is let go) and it is handed on with message::oversized; 0: no bound. The
    /// syntax checks go on to its UNT.
    std::uint64_t max_message_bytes = 0;
    std::size_t chunk_bytes = 1u << 20;            ///< read size
};

struct read_stats {
    std::uint64_t bytes = 0;
    std::uint32_t interchanges = 0;
    std::uint32_t messages = 0;
    std::uint64_t segments = 0;
    std::uint64_t errors = 0;
    std::uint64_t warnings = 0;
};

class reader {
public:
    explicit reader(reader_options options = {});

    read_stats read(std::istream& in, handler& h);
    read_stats read(std::string_view data, handler& h);
    /// Reads a file with plain read(2); an unreadable file gives one diagnostic and ok = false.
    read_stats read_file(const std::filesystem::path& path, handler& h, bool* ok = nullptr);

    const reader_options& options() const noexcept { return options_; }

private:
    reader_options options_;
};

}  // namespace edigate::edifact
