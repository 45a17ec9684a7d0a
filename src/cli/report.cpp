// report.cpp - shared CLI pieces: input files (stdin spooling), progress meter, diagnostic text.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <system_error>

#include "commands.hpp"
#include "edigate/edifact/syntax.hpp"

namespace edigate::cli {

namespace {
double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// "\n" "\r" "\t" "\xNN" in a --delimiters value.
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'n') out += '\n';
        else if (c == 'r') out += '\r';
        else if (c == 't') out += '\t';
        else if (c == 'x' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else out += c;
    }
    return out;
}

}  // namespace

edifact::delimiters parse_delimiters(const std::string& text, const std::string& option) {
    std::string d = unescape(text);
    if (d.size() != 6) throw CLI::ValidationError(option, "expected exactly six characters, got " + std::to_string(d.size()));
    edifact::delimiters x;
    x.component = d[0];
    x.element = d[1];
    x.decimal = d[2];
    x.release = d[3] == ' ' ? '\0' : d[3];
    x.repetition = d[4];
    x.segment = d[5];
    return x;
}

void reading_options::add_to(CLI::App& cmd) {
    cmd.add_option("--charset-override", charset_override,
                   "decode as this charset whatever UNB declares (partner setting for legacy feeds), e.g. GB18030")
        ->type_name("NAME");
    cmd.add_option("--delimiters", delimiters,
                   "six service characters as in UNA (component, element, decimal, release, repetition, terminator) "
                   "for feeds without UNA that break the defaults; \\n \\r \\t \\xNN escapes, e.g. ':+.? \\n'")
        ->type_name("UNA6");
    cmd.add_option("--profiles", profiles_file, "partner profiles file (TOML); default $EDIGATE_PROFILES")->type_name("FILE");
    cmd.add_option("--profile", profile,
                   "partner profile: its settings from the profiles file apply, and its name is recorded on every downgraded finding")
        ->type_name("NAME");
    cmd.add_flag("--syntax-only", syntax_only, "skip directory validation (syntax, envelope and character set checks only)");
    cmd.add_flag("--no-code-lists", no_code_lists, "do not check values against the UNCL code lists");
    cmd.add_option("--downgrade", downgrade, "turn this error code into a warning (repeatable), e.g. EDI-C002")
        ->type_name("CODE")
        ->allow_extra_args(false);
    cmd.add_option("--max-findings", max_findings, "keep at most this many findings per file (counts go on)")
        ->capture_default_str();
}

edifact::reader_options reading_options::make(bool keep_segments) const {
    edifact::reader_options o;
    o.keep_segments = keep_segments;
    if (!charset_override.empty()) {
        auto cs = edifact::charset_from_name(charset_override);
        if (!cs) throw CLI::ValidationError("--charset-override", "unknown charset '" + charset_override + "' (try UNOC, UNOY, GB18030)");
        o.charset_override = cs;
    }
    if (!delimiters.empty()) o.delimiter_advice = parse_delimiters(delimiters, "--delimiters");
    o.profile = profile;
    o.downgrade = downgrade;
    return o;
}

directory::validation_options reading_options::make_validation() const {
    directory::validation_options v;
    v.code_lists = !no_code_lists;
    v.profile = profile;
    v.downgrade = downgrade;
    return v;
}

input_file::input_file(const std::string& name) : display_(name == "-" ? "<stdin>" : name) {
    std::error_code ec;
    if (name != "-") {
        path_ = name;
        auto st = std::filesystem::status(path_, ec);
        if (ec || !std::filesystem::exists(st)) {
            error_ = fmt::format("cannot open {}: no such file", name);
        } else if (std::filesystem::is_directory(st)) {
            error_ = fmt::format("cannot read {}: it is a directory", name);
        } else {
            size_ = std::filesystem::file_size(path_, ec);
        }
        return;
    }
    // Spool standard input so that it can be read twice; bounded memory, any size.
    char tmpl[] = "/tmp/edigate-stdin-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) {
        error_ = "cannot create a temporary file for standard input";
        return;
    }
    path_ = tmpl;
    temporary_ = true;
    char buf[1 << 16];
    for (;;) {
        ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
        if (got == 0) break;
        if (got < 0) {
            error_ = "cannot read standard input";
            break;
        }
        for (ssize_t off = 0; off < got;) {
            ssize_t w = ::write(fd, buf + off, static_cast<std::size_t>(got - off));
            if (w <= 0) {
                error_ = "cannot spool standard input to " + path_.string();
                break;
            }
            off += w;
        }
        size_ += static_cast<std::uint64_t>(got);
    }
    ::close(fd);
}

input_file::~input_file() {
    if (temporary_) {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
}

core::line_locator input_file::lines() const { return core::line_locator::from_file(path_); }

progress_meter::progress_meter(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) && total > (16u << 20)) {
    start_ = last_ = now();
}

progress_meter::~progress_meter() { clear(); }

void progress_meter::clear() {
    if (drawn_) fmt::print(stderr, "\r\033[K");
    drawn_ = false;
}

void progress_meter::update(std::uint64_t bytes) {
    if (!enabled_) return;
    double t = now();
    if (t - last_ < 0.2) return;
    last_ = t;
    drawn_ = true;
    double mb = static_cast<double>(bytes) / 1e6;
    fmt::print(stderr, "\r\033[K{}: {:.0f}/{:.0f} MB ({:.0f}%) {:.0f} MB/s", label_, mb, static_cast<double>(total_) / 1e6,
               total_ ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_) : 0.0, mb / (t - start_));
    std::fflush(stderr);
}

input_kind sniff(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    char head[256] = {};
    in.read(head, sizeof head);
    return sniff_text(std::string_view(head, static_cast<std::size_t>(in.gcount())));
}

input_kind sniff_text(std::string_view h) {
    if (h.starts_with("\xFF\xFE") || h.starts_with("\xFE\xFF") || h.starts_with(std::string_view("<\0", 2)) ||
        h.starts_with(std::string_view("\0<", 2)))
        return input_kind::xml;  // UTF-16
    if (h.starts_with("\xEF\xBB\xBF")) h.remove_prefix(3);
    while (!h.empty() && (h[0] == ' ' || h[0] == '\t' || h[0] == '\r' || h[0] == '\n')) h.remove_prefix(1);
    return h.starts_with('<') ? input_kind::xml : input_kind::edifact;
}

nlohmann::ordered_json diagnostic_json(const core::diagnostic& d, const core::line_locator* lines) {
    nlohmann::ordered_json j;
    j["code"] = d.code;
    j["severity"] = std::string(core::to_string(d.level));
    j["byte"] = d.where.byte;
    if (d.where.line) {
        j["line"] = d.where.line;
        j["column"] = d.where.column;
    } else if (lines) {
        auto lc = lines->locate(d.where.byte);
        j["line"] = lc.line;
        j["column"] = lc.column;
    }
    j["interchange"] = d.where.interchange;
    j["group"] = d.where.group;
    j["message"] = d.where.message;
    j["segment"] = d.where.segment;
    j["tag"] = d.where.tag;
    j["element"] = d.where.element;
    j["component"] = d.where.component;
    j["repetition"] = d.where.repetition;
    if (!d.where.path.empty()) j["path"] = d.where.path;
    j["text"] = d.text;
    j["syntax_error"] = d.syntax_error;
    if (d.expected_at) j["expected_at"] = {{"byte", d.expected_at->byte}, {"segment", d.expected_at->segment}, {"tag", d.expected_at->tag}};
    if (!d.downgraded_by.empty()) j["downgraded_by"] = d.downgraded_by;
    return j;
}

std::string render_where(const core::position& p) {
    std::vector<std::string> parts;
    if (p.interchange) parts.push_back(fmt::format("interchange {}", p.interchange));
    if (p.group) parts.push_back(fmt::format("group {}", p.group));
    if (p.message) parts.push_back(fmt::format("message {}", p.message));
    if (p.segment || !p.tag.empty()) {
        std::string s = "segment";
        if (p.segment) s += fmt::format(" {}", p.segment);
        if (!p.tag.empty()) s += " " + p.tag;
        parts.push_back(s);
    }
    if (p.element) parts.push_back(fmt::format("element {}", p.element));
    if (p.component) parts.push_back(fmt::format("component {}", p.component));
    if (p.repetition) parts.push_back(fmt::format("repetition {}", p.repetition));
    if (!p.path.empty()) parts.push_back(p.path);
    std::string out;
    for (const auto& s : parts) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string render(const core::diagnostic& d, const std::string& file, const core::line_locator* lines) {
    std::string loc = file;
    if (d.where.line) {
        loc += d.where.column ? fmt::format(":{}:{}", d.where.line, d.where.column) : fmt::format(":{}", d.where.line);  // 0: not known
    } else if (lines) {
        auto lc = lines->locate(d.where.byte);
        loc += fmt::format(":{}:{}", lc.line, lc.column);
    }
    std::string where = render_where(d.where);
    // XML findings come with line and column from the parser; their byte offset is not known.
    std::string byte = d.where.line && !d.where.byte ? "" : fmt::format("(byte {})", d.where.byte);
    std::string text = fmt::format("{}: {}: {}{}{}{}{} [{}]", core::to_string(d.level), loc, where,
                                   where.empty() || byte.empty() ? "" : " ", byte, where.empty() && byte.empty() ? "" : ": ", d.text, d.code);
    if (!d.downgraded_by.empty()) text += fmt::format(" (error downgraded by profile '{}')", d.downgraded_by);
    return text;
}

}  // namespace edigate::cli
