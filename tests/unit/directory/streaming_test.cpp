// streaming_test.cpp - the validator streaming along with the reader (what `edigate validate` does:
// plain segments checked raw, nothing kept) finds exactly what validating kept messages finds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "../edifact/test_support.hpp"
#include "directory_support.hpp"
#include "edigate/directory/validator.hpp"

namespace fs = std::filesystem;
using namespace edigate;

namespace {

using test::installed;

std::string describe(const core::diagnostic& d) {
    std::ostringstream o;
    const auto& w = d.where;
    o << d.code << ' ' << static_cast<int>(d.level) << " @" << w.byte << " i" << w.interchange << " g" << w.group << " m" << w.message
      << " s" << w.segment << ' ' << w.tag << ' ' << w.element << ':' << w.component << '*' << w.repetition << ' ' << d.text;
    if (d.expected_at) o << " | expected s" << d.expected_at->segment << ' ' << d.expected_at->tag << " @" << d.expected_at->byte;
    return o.str();
}

struct outcome {
    std::vector<std::string> findings;  ///< sorted: the two ways report in different orders
    std::vector<std::string> verdicts;  ///< per message: directory, errors, warnings
    std::size_t raw = 0;                ///< segments the validator took raw (streaming only)
};

/// A reader handler validating each message; `read` gives what it found, in a comparable form.
struct validating : test::recorder {
    directory::validator v{installed()};
    outcome out;

    void verdict(const directory::message_verdict& m) {
        out.verdicts.push_back(m.directory + " " + std::to_string(m.errors) + " " + std::to_string(m.warnings));
    }
    void emit(core::diagnostic d) { findings.push_back(std::move(d)); }

    outcome read(std::string_view text, edifact::reader_options o) {
        edifact::reader(o).read(text, *this);
        for (const auto& f : findings) out.findings.push_back(describe(f));
        std::sort(out.findings.begin(), out.findings.end());
        return out;
    }
};

/// Validates every message of `text` the way the ack and translate commands do: messages kept.
outcome kept(std::string_view text, std::size_t chunk = 1u << 20) {
    struct h : validating {
        void message_end(const edifact::message& m) override {
            verdict(v.validate(m, interchanges.back(), [this](core::diagnostic d) { emit(std::move(d)); }));
        }
    } r;
    edifact::reader_options o;
    o.chunk_bytes = chunk;
    return r.read(text, o);
}

/// The same, streaming: nothing kept, plain segments offered raw.
outcome streamed(std::string_view text, std::size_t chunk = 1u << 20) {
    struct h : validating {
        void message_begin(const edifact::message& m) override {
            v.begin(m, interchanges.back(), [this](core::diagnostic d) { emit(std::move(d)); });
        }
        void segment(const edifact::segment& s) override { v.segment(s); }
        bool plain_segment(std::string_view raw, std::uint64_t byte, std::uint32_t number) override {
            bool taken = v.plain(raw, byte, number);
            out.raw += taken;
            return taken;
        }
        void message_end(const edifact::message& m) override {
            CHECK(m.segments.empty());
            verdict(v.end(m));
        }
    } r;
    edifact::reader_options o;
    o.keep_segments = false;
    o.stream_segments = true;
    o.chunk_bytes = chunk;
    return r.read(text, o);
}

void same(std::string_view text, std::size_t chunk = 1u << 20) {
    auto a = kept(text, chunk), b = streamed(text, chunk);
    CHECK(a.findings == b.findings);
    CHECK(a.verdicts == b.verdicts);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<fs::path> samples() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::path(EDIGATE_SOURCE_DIR) / "samples"))
        if (e.path().extension() == ".edi") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string envelope(const std::string& body, const std::string& s009 = "CUSCAR:D:96A:UN", const std::string& unb = "UNB+UNOC:3") {
    std::size_t segments = 2;
    for (char c : body) segments += c == '\'';
    return unb + "+SENDER+RECIPIENT+261127:1200+1'UNH+1+" + s009 + "'" + body + "UNT+" + std::to_string(segments) + "+1'UNZ+1+1'";
}

}  // namespace

TEST_CASE("streaming validation takes clean segments raw and finds what the kept messages give", "[directory][streaming]") {
    auto files = samples();
    REQUIRE(files.size() >= 10);
    std::size_t raw = 0;
    for (const auto& f : files) {
        INFO(f.filename().string());
        auto text = slurp(f);
        auto a = kept(text), b = streamed(text);
        CHECK(a.findings == b.findings);
        CHECK(a.verdicts == b.verdicts);
        raw += b.raw;
        same(text, 64);  // segments cut by the read size go the built way
    }
    CHECK(raw > 100);  // not vacuous: the raw path really ran
}

TEST_CASE("streaming validation: the defects of the directory tests, in UNOC, UTF-8 and syntax 4", "[directory][streaming]") {
    const std::string bodies[] = {
        "BGM+85+MANIFEST1+9'DTM+137:20261127:102'NAD+CA+COSCO'TDT+20+V123+1'EQD+CN+ABCU1234567'CNI+1+BL0001'",
        "DTM+137:20261127:102'CNI+1+BL0001'",
        "BGM+85+M1+9'CNI+1+BL1'DTM+137:20261127:102'",
        "BGM+85+M1+9'XYZ+1'",
        "BGM+85+M1+9'DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'"
        "DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'DTM+137:20261127:102'",
        "BGM+85+M1+9'MEA+AAE+G+KGM:12x5'NAD'",
        "BGM+85+" + std::string(36, 'A') + "+9'",
        "BGM+85+M1+9'MEA+AAE+G+KGM:12,5'",
        "BGM+85+M1+9'MEA+AAE+G+KGM:-12.5'MEA+AAE+G+KGM:-'MEA+AAE+G+KGM:1.2.3'MEA+AAE+G+KGM:--1'",
        "BGM+XXX+M1+9'",
        "BGM+85:::MANIFEST:EXTRA+M1+9'",
        "BGM+85+M1+9'DTM+137:20261331:102'",
        "BGM+85+M1+9'DTM+137:202611271230:203'DTM+137:2026112712:203'DTM+137:20261127:ZZZ'",
        "BGM+85+M1+9'NAD+CA+COSCO::ZZZ'NAD+CA+COSCO::6'NAD+CA+COSCO:X:6'NAD+CA+COSCO+++" + std::string(36, 'B') + "'",
        "BGM+85+M1+9'NAD+CA+COSCO??+X'NAD+CA+ÉÈÊ ÜBERSEE'FTX+AAI+++" + std::string(70, 'x') + "'FTX+AAI+++" + std::string(71, 'x') + "'",
        "BGM+85+M1+9'NAD+CA++中国远洋运输集团总公司中国远洋运输集团总公司中国远洋运输集团总公司中国远洋运'NAD+CA++中国远洋运输集团总公司中国远洋运输集团总公司中国远洋运输集团总公司中国远洋运输'",
        "BGM+85+M1+9'NAD++COSCO'NAD+CA+:::'EQD+CN+1234+++++'TDT+20+V123+1++++++:::ABC'",
        "BGM+85+M1+9'RFF+AAA:1:2:3'RFF+AAA*ZZZ:1'BGM+1'",
        // release characters: not text, so lengths count without them; in codes, numbers and
        // dates the builder decides; across the 64-byte words of the masks
        "BGM+85+M1+9'NAD+CA+X+" + std::string(34, 'N') + "?+'NAD+CA+X+" + std::string(35, 'N') + "?+'NAD+CA+X+" + std::string(33, 'N') + "?" "?" "?''",
        "BGM+8?+5+M1+9'BGM+85+M?:1+9'DTM+137:2026?+1127:102'MEA+AAE+G+KGM:1?+2'MEA+AAE+G+KGM?:X:12'",
        "BGM+85+M1+9'FTX+AAI+++" + std::string(53, 'x') + "?:" + std::string(10, 'y') + "'FTX+AAI+++" + std::string(52, 'x') + "??:" +
            std::string(10, 'y') + "'FTX+AAI+++" + std::string(51, 'x') + "???:" + std::string(70, 'z') + "'",
        "BGM+85+M1+9'FTX+AAI+++" + std::string(60, 'x') + "?'?'?'?'?'" + "'FTX+AAI+++" + std::string(66, 'x') + "?'?''",
    };
    const std::string unbs[] = {"UNB+UNOC:3", "UNB+UNOW:3", "UNA:+.? '\nUNB+UNOW:4", "UNA:+,? 'UNB+UNOA:3", "UNA:+.?*'UNB+UNOY:4"};
    for (const auto& unb : unbs)
        for (const auto& body : bodies) {
            auto text = envelope(body, "CUSCAR:D:96A:UN", unb);
            INFO(text);
            same(text);
            same(text, 16);
        }
}

TEST_CASE("streaming validation: seeded byte mutations of every sample give the same findings both ways", "[directory][streaming]") {
    // The raw check may send a segment to the builder for nothing, never let one through that the
    // detailed checks would fault: any finding it missed shows here as a difference.
    const char alphabet[] = "+:'?*.,-0123456789AZaz \n\xC3\xA9\xE4\xB8\xAD";
    std::mt19937 rng(20261128);
    std::size_t mutated = 0;
    for (const auto& f : samples()) {
        const auto text = slurp(f);
        for (int round = 0; round < 150; ++round) {
            std::string t = text;
            int edits = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < edits && !t.empty(); ++k) {
                std::size_t at = rng() % t.size();
                switch (rng() % 4) {
                    case 0: t[at] = alphabet[rng() % (sizeof alphabet - 1)]; break;
                    case 1: t.erase(at, 1 + rng() % 3); break;
                    case 2: t.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]); break;
                    default: {  // repeat a segment
                        auto b = t.rfind('\'', at), e = t.find('\'', at);
                        if (b != std::string::npos && e != std::string::npos) t.insert(e + 1, t.substr(b + 1, e - b));
                    }
                }
            }
            INFO(f.filename().string() << " round " << round << ":\n" << t);
            auto a = kept(t), b = streamed(t);
            REQUIRE(a.findings == b.findings);
            REQUIRE(a.verdicts == b.verdicts);
            ++mutated;
        }
    }
    CHECK(mutated >= 1500);
}

TEST_CASE("streaming validation: every interchange of the shared corpus gives the same findings both ways", "[directory][streaming]") {
    const fs::path corpus = fs::path(EDIGATE_SHARED_DIR) / "corpus" / "edifact";
    if (!fs::is_directory(corpus)) {
        WARN("SKIPPED LOUDLY: " << corpus << " is absent; streaming was not compared on the real interchanges");
        return;
    }
    std::size_t files = 0, raw = 0;
    for (const auto& e : fs::recursive_directory_iterator(corpus)) {
        auto ext = e.path().extension().string();
        if (!e.is_regular_file() || ext == ".xml" || ext == ".json" || ext == ".md") continue;
        INFO(e.path().string());
        auto text = slurp(e.path());
        auto a = kept(text), b = streamed(text);
        CHECK(a.findings == b.findings);
        CHECK(a.verdicts == b.verdicts);
        raw += b.raw;
        ++files;
    }
    CHECK(files > 50);
    CHECK(raw > 1000);
}
