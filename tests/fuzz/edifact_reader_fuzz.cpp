// edifact_reader_fuzz.cpp - libFuzzer entry: the streaming reader on arbitrary bytes.
//
// Both reader paths run (envelope-only fast lane and full segment materialisation) with a tiny
// chunk size so that every refill and buffer-growth path is exercised; they must agree.
// Every message of the full path is also validated against the installed directories and turned
// into its directory-named tree, whose segments must convert back (edifact::from_node).
// A crash, a sanitizer report or a trapped invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "edigate/directory/tree.hpp"
#include "edigate/edifact/reader.hpp"
#include "edigate/edifact/tree.hpp"

namespace {

void check(const edigate::core::diagnostic& d) {
    if (d.code.empty() || d.text.empty()) std::abort();  // every finding names itself
}

void check_tree(const edigate::core::node& n) {
    for (const auto& c : n.children) {
        if (c.name.size() == 3) (void)edigate::edifact::from_node(c);  // throws (and aborts the run) on a malformed tree
        else check_tree(c);
    }
}

struct counting : edigate::edifact::handler {
    std::size_t messages = 0, findings = 0;
    edigate::directory::validator* validator = nullptr;
    edigate::edifact::interchange_header header;
    void interchange_begin(const edigate::edifact::interchange_header& h) override { header = h; }
    void message_end(const edigate::edifact::message& m) override {
        ++messages;
        if (validator) check_tree(edigate::directory::message_tree(m, header, *validator, check));
    }
    void finding(const edigate::core::diagnostic& d) override {
        ++findings;
        check(d);
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
    static edigate::directory::catalog dirs({EDIGATE_SOURCE_DIR "/edifact/directories"});
    static edigate::directory::validator validator(dirs);
    counting a, b;
    b.validator = &validator;
    edigate::edifact::reader(fast).read(input, a);
    edigate::edifact::reader(full).read(input, b);
    if (a.messages != b.messages || a.findings != b.findings) std::abort();  // both paths must agree
    return 0;
}
