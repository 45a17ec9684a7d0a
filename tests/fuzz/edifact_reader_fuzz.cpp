// edifact_reader_fuzz.cpp - libFuzzer entry: the streaming reader on arbitrary bytes.
//
// Both reader paths run (envelope-only fast lane and full segment materialisation) with a tiny
// chunk size so that every refill and buffer-growth path is exercised; they must agree.
// Every message of the full path is also validated against the installed directories and turned
// into its directory-named tree, whose segments must convert back (edifact::from_node), and
// refilled into the tree the message before left (as `edigate translate` does), which must come
// out the same as the fresh one.
// Validation streaming with the reader (what `edigate validate` does: clean segments checked raw,
// nothing kept) must find exactly what validating the kept messages finds.
// A crash, a sanitizer report or a trapped invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/directory/tree.hpp"
#include "edigate/edifact/reader.hpp"
#include "edigate/edifact/tree.hpp"
#include "../unit/core/tree_difference.hpp"

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
        if (!validator) return;
        auto fresh = edigate::directory::message_tree(m, header, *validator, check);
        check_tree(fresh);
        static edigate::core::node refilled;  // across messages and inputs
        edigate::directory::message_tree(refilled, m, header, *validator, check);
        if (!edigate::test::difference(refilled, fresh).empty()) std::abort();
    }
    void finding(const edigate::core::diagnostic& d) override {
        ++findings;
        check(d);
    }
};

// Reader and validator findings of one way of validating, in a comparable form.
struct validating : edigate::edifact::handler {
    edigate::directory::validator& v;
    bool streaming;
    edigate::edifact::interchange_header header;
    std::vector<std::string> found;

    validating(edigate::directory::validator& validator, bool stream) : v(validator), streaming(stream) {}
    void add(const edigate::core::diagnostic& d) {
        const auto& w = d.where;
        found.push_back(d.code + " " + std::to_string(w.byte) + " " + std::to_string(w.message) + " " + std::to_string(w.segment) + " " +
                        w.tag + " " + std::to_string(w.element) + ":" + std::to_string(w.component) + " " + d.text);
    }
    void interchange_begin(const edigate::edifact::interchange_header& h) override { header = h; }
    void message_begin(const edigate::edifact::message& m) override {
        if (streaming) v.begin(m, header, [this](edigate::core::diagnostic d) { add(d); });
    }
    void segment(const edigate::edifact::segment& s) override { v.segment(s); }
    bool plain_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number) override { return v.plain(raw, byte, number); }
    void message_end(const edigate::edifact::message& m) override {
        if (streaming) v.end(m);
        else v.validate(m, header, [this](edigate::core::diagnostic d) { add(d); });
    }
    void finding(const edigate::core::diagnostic& d) override { add(d); }
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
    edigate::edifact::reader_options bounded = full;
    bounded.max_message_bytes = 64;  // most messages here pass it: what they kept is let go midway
    counting c;
    edigate::edifact::reader(bounded).read(input, c);
    if (c.messages != a.messages || c.findings != a.findings) std::abort();  // the syntax checks do not depend on keeping

    static edigate::directory::validator kept_validator(dirs), stream_validator(dirs);
    validating kept(kept_validator, false), streamed(stream_validator, true);
    edigate::edifact::reader_options stream = fast;
    stream.stream_segments = true;
    edigate::edifact::reader(full).read(input, kept);
    edigate::edifact::reader(stream).read(input, streamed);
    std::sort(kept.found.begin(), kept.found.end());
    std::sort(streamed.found.begin(), streamed.found.end());
    if (kept.found != streamed.found) std::abort();  // streaming must find what the kept messages give
    return 0;
}
