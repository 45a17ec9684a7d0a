// reader_bench.cpp - Google Benchmark throughput figures for the streaming EDIFACT reader.
//
//   EDIGATE_BENCH_FILE=build/bench-data/mixed-100.edi build/bench/tests/bench/edigate_bench
//
// With EDIGATE_BENCH_FILE set (a valid interchange file, e.g. from gen_edifact.py):
//   file/envelope   reader::read_file, keep_segments=false (what `edigate validate` does)
//   file/segments   reader::read_file, keep_segments=true (every segment materialised)
//   file/memchr     memchr count of unescaped segment terminators, 1 MiB reads: a lower bound
//                   on the cost of touching every byte once
//   file/validate   what `edigate validate` does, in process: the reader streaming every message
//                   through the directory validator (installed directories, loaded before timing)
// Without it those four are skipped and only memory/envelope runs, on an interchange built in
// memory, so the executable always measures something; directory/load (the installed D96A and
// its CUSDEC structure, imported from the UNECE files) always runs. Times are wall clock
// (UseRealTime), so the file runs include read(2) from the page cache, as the CLI does.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "edigate/directory/validator.hpp"
#include "edigate/edifact/reader.hpp"

namespace {

using edigate::edifact::reader;
using edigate::edifact::reader_options;

// Counts what the reader hands on, so nothing can be optimised away and errors show up.
class counting_handler final : public edigate::edifact::handler {
public:
    std::uint64_t messages = 0;
    std::uint64_t segments = 0;
    std::uint64_t errors = 0;

    void message_end(const edigate::edifact::message& m) override {
        ++messages;
        segments += m.segments.size();  // 0 unless keep_segments
    }
    void finding(const edigate::core::diagnostic& d) override {
        if (d.level == edigate::core::severity::error) ++errors;
    }
};

const char* bench_file() {
    const char* f = std::getenv("EDIGATE_BENCH_FILE");
    return f && *f ? f : nullptr;
}

void report(benchmark::State& state, std::uint64_t bytes, const counting_handler& h) {
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
    state.counters["messages"] = static_cast<double>(h.messages);
    state.counters["errors"] = static_cast<double>(h.errors);
}

void read_file_bench(benchmark::State& state, bool keep_segments) {
    const char* file = bench_file();
    if (!file) {
        state.SkipWithError("EDIGATE_BENCH_FILE is not set");
        return;
    }
    reader r(reader_options{.keep_segments = keep_segments});
    std::uint64_t bytes = 0;
    counting_handler last;
    for (auto _ : state) {
        counting_handler h;
        bool ok = true;
        bytes = r.read_file(file, h, &ok).bytes;
        if (!ok) {
            state.SkipWithError("EDIGATE_BENCH_FILE is unreadable");
            return;
        }
        last = h;
    }
    report(state, bytes, last);
}

// The validate command's handler, less its report: findings counted, the validator streaming.
class validating_handler final : public edigate::edifact::handler {
public:
    explicit validating_handler(edigate::directory::validator& v) : v_(v) {}
    counting_handler counts;
    std::uint64_t validated = 0;  ///< messages checked against a directory

    void interchange_begin(const edigate::edifact::interchange_header& h) override { header_ = h; }
    void message_begin(const edigate::edifact::message& m) override {
        v_.begin(m, header_, [this](edigate::core::diagnostic d) { counts.finding(d); });
    }
    void segment(const edigate::edifact::segment& s) override { v_.segment(s); }
    bool plain_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number) override { return v_.plain(raw, byte, number); }
    void message_end(const edigate::edifact::message& m) override {
        validated += v_.end(m).definition != nullptr;
        counts.message_end(m);
    }
    void finding(const edigate::core::diagnostic& d) override { counts.finding(d); }

private:
    edigate::directory::validator& v_;
    edigate::edifact::interchange_header header_;
};

void file_validate(benchmark::State& state) {
    const char* file = bench_file();
    if (!file) {
        state.SkipWithError("EDIGATE_BENCH_FILE is not set");
        return;
    }
    edigate::directory::catalog dirs(edigate::directory::catalog::default_roots());
    edigate::directory::validator v(dirs);
    reader r(reader_options{.keep_segments = false, .stream_segments = true});
    {
        validating_handler warm(v);  // loads the directories the file names, before timing
        r.read_file(file, warm);
    }
    std::uint64_t bytes = 0, validated = 0;
    counting_handler last;
    for (auto _ : state) {
        validating_handler h(v);
        bytes = r.read_file(file, h).bytes;
        last = h.counts;
        validated = h.validated;
    }
    if (validated == 0) state.SkipWithError("no message of the file has an installed directory");
    report(state, bytes, last);
    state.counters["validated"] = static_cast<double>(validated);
}

// What every validating run pays before its first message: the installed D96A directory and
// one message structure, imported from the UNECE files.
void directory_load(benchmark::State& state) {
    for (auto _ : state) {
        edigate::directory::catalog dirs(edigate::directory::catalog::default_roots());
        const auto* d = dirs.find("D96A");
        if (!d || !d->message("CUSDEC")) {
            state.SkipWithError("directory D96A with CUSDEC is not installed");
            return;
        }
        benchmark::DoNotOptimize(d);
    }
}

void file_envelope(benchmark::State& state) { read_file_bench(state, false); }
void file_segments(benchmark::State& state) { read_file_bench(state, true); }

// Segment terminators (') that are not released by '?'. A run of releases before the quote
// releases it only when the run is odd ("??'" is an escaped '?' followed by a terminator).
// `releases` carries the length of a '?' run across the chunk boundary.
std::uint64_t count_terminators(const char* p, std::size_t n, std::uint64_t& releases) {
    std::uint64_t count = 0;
    const char* begin = p;
    const char* end = p + n;
    while (const char* q = static_cast<const char*>(std::memchr(p, '\'', static_cast<std::size_t>(end - p)))) {
        const char* r = q;
        while (r > begin && r[-1] == '?') --r;
        std::uint64_t run = static_cast<std::uint64_t>(q - r) + (r == begin ? releases : 0);
        if (run % 2 == 0) ++count;
        p = q + 1;
        if (p == end) break;
    }
    const char* r = end;
    while (r > begin && r[-1] == '?') --r;
    releases = static_cast<std::uint64_t>(end - r) + (r == begin ? releases : 0);
    return count;
}

void file_memchr(benchmark::State& state) {
    const char* file = bench_file();
    if (!file) {
        state.SkipWithError("EDIGATE_BENCH_FILE is not set");
        return;
    }
    std::vector<char> buf(1u << 20);
    std::uint64_t bytes = 0, terminators = 0;
    for (auto _ : state) {
        int fd = ::open(file, O_RDONLY);
        if (fd < 0) {
            state.SkipWithError("EDIGATE_BENCH_FILE is unreadable");
            return;
        }
        bytes = terminators = 0;
        std::uint64_t releases = 0;
        ssize_t got;
        while ((got = ::read(fd, buf.data(), buf.size())) > 0) {
            bytes += static_cast<std::uint64_t>(got);
            terminators += count_terminators(buf.data(), static_cast<std::size_t>(got), releases);
        }
        ::close(fd);
        benchmark::DoNotOptimize(terminators);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
    state.counters["segments"] = static_cast<double>(terminators);
}

// A valid UNOC interchange of about `target` bytes: INVOIC-like messages with release
// characters in the free text, so the escape paths are exercised too.
std::string make_interchange(std::size_t target) {
    std::string s = "UNA:+.? 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240101:1200+BENCH1'";
    std::uint32_t messages = 0;
    while (s.size() < target) {
        std::string ref = std::to_string(++messages);
        std::string m = "UNH+" + ref + "+INVOIC:D:96A:UN'BGM+380+INV" + ref + "+9'DTM+137:20240101:102'";
        m += "FTX+AAI+++Handle with care?: fragile ?+ keep dry?' 100?? sure'";
        m += "NAD+BY+4012345000009::9++ACME GMBH+HAUPTSTRASSE 1+HAMBURG++20457+DE'";
        m += "NAD+SU+4098765000001::9++SUPPLIER LTD+HIGH STREET 22+LONDON++EC1A 1BB+GB'";
        m += "CUX+2:EUR:4'";
        std::uint32_t count = 7;  // UNH BGM DTM FTX NAD NAD CUX
        for (int line = 1; line <= 10; ++line) {
            std::string l = std::to_string(line);
            m += "LIN+" + l + "++400638133393" + l + ":EN'QTY+47:" + l + "0:PCE'MOA+203:" + l + "99.50'";
            m += "PRI+AAA:19.95'";
            count += 4;
        }
        m += "UNS+S'MOA+79:2049.50'";
        count += 3;  // UNS, MOA, UNT
        m += "UNT+" + std::to_string(count) + "+" + ref + "'";
        s += m;
    }
    s += "UNZ+" + std::to_string(messages) + "+BENCH1'";
    return s;
}

void memory_envelope(benchmark::State& state) {
    static const std::string data = make_interchange(8u << 20);
    reader r(reader_options{.keep_segments = false});
    counting_handler last;
    for (auto _ : state) {
        counting_handler h;
        r.read(std::string_view(data), h);
        last = h;
    }
    if (last.errors) state.SkipWithError("the generated interchange has errors");
    report(state, data.size(), last);
}

}  // namespace

BENCHMARK(directory_load)->Name("directory/load")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(memory_envelope)->Name("memory/envelope")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(file_envelope)->Name("file/envelope")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(file_segments)->Name("file/segments")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(file_memchr)->Name("file/memchr")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(file_validate)->Name("file/validate")->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
