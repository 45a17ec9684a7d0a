// translate.cpp - `edigate translate FILE -m MAPPING...`: each message (EDIFACT) or document (XML)
// through every mapping that reads it, each output checked against its target schema before it
// counts. All or nothing per message: when one of its outputs fails, none of them is written.
// Output files are named after the input file and the mapping, never after message content, and
// appear by rename from a temporary file in the same folder, so no half-written file is left.
#include <fcntl.h>
#include <sys/stat.h>
#include <iconv.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_map>
#include <toml++/toml.h>

#include "commands.hpp"
#include "edigate/core/clock.hpp"
#include "edigate/directory/tree.hpp"
#include "edigate/edifact/writer.hpp"
#include "edigate/mapping/codes.hpp"
#include "edigate/mapping/mapping.hpp"
#include "edigate/spool/intake.hpp"
#include "edigate/xml/reader.hpp"
#include "edigate/xml/tree_check.hpp"
#include "edigate/xml/writer.hpp"

namespace edigate::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct translate_args {
    std::vector<std::string> files;
    std::vector<std::string> mappings;
    std::vector<std::string> routes;
    std::string routes_file;
    std::vector<std::string> to;
    std::vector<std::string> sets;
    std::string out;
    std::string now;
    bool json = false;
    bool explain = false;
    std::vector<std::string> schema_dirs;
    reading_options reading;
    std::uint64_t lookup_limit_mb = 32;  ///< the most of one interchange kept for '//' lookups
    std::uint64_t max_message_mb = 32;   ///< the largest EDIFACT message translated (its trees take about 50 times that)
    bool sync_each = true;  ///< fsync each output; false: the caller makes a batch durable at once (syncfs)
};

std::string agency_of(const mapping::mapping& m) { return m.file().parent_path().filename().string(); }

core::diagnostic finding(mapping::code c, std::string text) {
    core::diagnostic d;
    d.code = std::string(mapping::info(c).name);
    d.level = mapping::info(c).level;
    d.text = std::move(text);
    return d;
}

/// yyyyMMddHHmmssSSS in UTC: the agencies' sending-time form.
std::string now_17() { return core::utc_text(std::chrono::system_clock::now(), "%Y%m%d%H%M%S", 3); }


struct output {
    std::string mapping, target, name;  ///< name: the final file name
    std::string agency;                 ///< the folder the mapping file is filed under (customs, maritime, legacy...)
    std::string text;                   ///< the XML
    std::uint32_t message = 0;
    std::string status = "written";
    std::vector<mapping::trace> traces;  ///< with --explain
    bool document = false;               ///< of an XML document: it has no message number to show
};
/// Takes each output of a file as soon as it is final (published, withheld or failed), in order:
/// a report is written as the file goes, so memory does not grow with the number of messages.
using output_sink = std::function<void(output&)>;

struct findings_only final : xml::document_handler {
    std::vector<core::diagnostic> errors;
    void finding(const core::diagnostic& d) override {
        if (d.level == core::severity::error) errors.push_back(d);
    }
};

/// Collects the error findings of re-reading an EDIFACT output.
struct edifact_check final : edifact::handler {
    explicit edifact_check(directory::validator& v) : v_(v) {}
    void interchange_begin(const edifact::interchange_header& h) override { header_ = h; }
    void message_end(const edifact::message& m) override {
        v_.validate(m, header_, [this](core::diagnostic d) {
            if (d.level == core::severity::error) errors.push_back(std::move(d));
        });
    }
    void finding(const core::diagnostic& d) override {
        if (d.level == core::severity::error) errors.push_back(d);
    }
    std::vector<core::diagnostic> errors;

private:
    directory::validator& v_;
    edifact::interchange_header header_;
};

class translator {
public:
    translator(const translate_args& a, const xml::schema_catalog& schemas, directory::catalog& dirs, directory::validator& v,
               std::vector<mapping::mapping> maps)
        : args_(a), schemas_(schemas), dirs_(dirs), validator_(v), maps_(std::move(maps)) {}

    /// Whether a mapping reads across the messages of an interchange ('//' paths).
    bool reads_interchange() const {
        return std::any_of(maps_.begin(), maps_.end(), [](const auto& m) { return m.reads_interchange(); });
    }

    /// Runs every mapping that reads `type` on `tree`; the outputs of one message go together.
    /// `interchange`: the messages of its interchange, for mappings that look across them.
    /// `document`: the tree is a whole XML document (`index` 1 names its outputs; its findings
    /// and report lines carry no message number).
    void message(const core::node& tree, const std::string& type, std::uint32_t index, bool document, const mapping::variables& vars,
                 const std::string& stem, core::diagnostic_sink& sink, const output_sink& done, const core::node* interchange = nullptr) {
        std::vector<output> outs;
        std::vector<core::diagnostic> found;  // this message's, given its index below
        bool ok = true, any = false;
        outputs_.resize(maps_.size());
        for (std::size_t k = 0; k < maps_.size(); ++k) {
            const auto& m = maps_[k];
            if (m.source() != type || !m.applies(tree, vars, interchange)) continue;
            any = true;
            std::vector<mapping::trace> traces;
            core::node* result = &outputs_[k];  // the last message's output, refilled
            if (!m.fill(*result, tree, vars, found, args_.explain ? &traces : nullptr, interchange)) {
                ok = false;
                outs.push_back({m.name(), m.target(), "", agency_of(m), "", index, "failed", std::move(traces)});
                continue;
            }
            bool edifact_target = m.target().starts_with("edifact:"), csv_target = m.target() == "csv", fixed_target = m.target() == "fixed";
            output o{m.name(), m.target(),
                     fmt::format("{}.{}.{}.{}", stem, index, m.name(), edifact_target ? "edi" : csv_target ? "csv" : fixed_target ? "txt" : "xml"),
                     agency_of(m), "", index, "written", std::move(traces)};
            if (csv_target) {
                if (!write_csv(*result, vars, o, found)) ok = false, o.status = "invalid";
            } else if (fixed_target) {
                if (!write_fixed(*result, vars, o, found)) ok = false, o.status = "invalid";
            } else if (edifact_target) {
                if (!write_edifact(*result, vars, o, found)) ok = false, o.status = "invalid";
            } else {
                try {
                    o.text = spare_text();
                    xml::writer w(o.text, {.indent = true});
                    w.node(*result);
                    w.finish();
                    if (!valid(o, *result, found)) ok = false, o.status = "invalid";
                } catch (const xml::write_error& e) {  // a name or value XML cannot carry
                    found.push_back(finding(mapping::code::output_invalid, fmt::format("{}: {}", m.name(), e.what())));
                    ok = false, o.status = "invalid";
                }
            }
            outs.push_back(std::move(o));
        }
        if (!any) found.push_back(finding(mapping::code::no_mapping, fmt::format("no mapping given reads this {}", type)));
        for (auto& o : outs) {
            o.document = document;
            if (!ok && o.status == "written") o.status = "withheld";  // a sibling output failed: all or nothing
            if (o.status == "written" && !publish(o, found)) o.status = "failed";
            keep_text(o.text);  // the report takes what happened, not the document
            done(o);
        }
        for (auto& d : found) {
            if (!d.where.message && !document) d.where.message = index;
            sink.add(std::move(d));
        }
    }

private:
    /// A flat target ("csv") for the legacy applications: each child of the root is a row, each
    /// child of a row a column, named by the header (the columns in the order first seen, so a row
    /// without a value still lines up). RFC 4180 quoting, CRLF; UTF-8 or $csv_charset (GB18030).
    bool write_csv(const core::node& tree, const mapping::variables& vars, output& o, std::vector<core::diagnostic>& sink) {
        std::vector<std::string> columns;
        for (const auto& row : tree.children)
            for (const auto& cell : row.children) {
                if (!cell.children.empty()) {
                    sink.push_back(finding(mapping::code::output_invalid,
                                           fmt::format("{}: CSV column {}/{} has elements inside; a row holds values only", o.mapping, row.name, cell.name)));
                    return false;
                }
                if (std::find(columns.begin(), columns.end(), cell.name) == columns.end()) columns.push_back(cell.name.str());
            }
        auto quote = [](const std::string& v) {
            if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
            std::string q = "\"";
            for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            return q + "\"";
        };
        std::string text;
        for (std::size_t i = 0; i < columns.size(); ++i) text += (i ? "," : "") + quote(columns[i]);
        text += "\r\n";
        for (const auto& row : tree.children) {
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const auto* cell = row.child(columns[i]);
                text += (i ? "," : "") + (cell ? quote(cell->value) : std::string());
            }
            text += "\r\n";
        }
        auto charset = flat_charset(vars, "csv_charset", o, sink);
        if (!charset) return false;
        auto converted = encode(text, *charset);
        if (!converted) {
            sink.push_back(finding(mapping::code::output_invalid, fmt::format("{}: cannot convert the CSV to {}", o.mapping, *charset)));
            return false;
        }
        o.text = std::move(*converted);
        return true;
    }
    /// A flat file's character set from `var` ($csv_charset, $fixed_charset): UTF-8 (default) or GB18030.
    static std::optional<std::string> flat_charset(const mapping::variables& vars, const char* var, const output& o, std::vector<core::diagnostic>& sink) {
        auto it = vars.find(var);
        if (it == vars.end() || it->second == "UTF-8" || it->second == "GB18030") return it == vars.end() ? "UTF-8" : it->second;
        sink.push_back(finding(mapping::code::output_invalid, fmt::format("{}: ${} {}: UTF-8 or GB18030", o.mapping, var, it->second)));
        return std::nullopt;
    }
    /// UTF-8 text in `charset` (UTF-8 or GB18030); nullopt when it cannot be converted.
    static std::optional<std::string> encode(std::string text, const std::string& charset) {
        if (charset == "UTF-8") return text;
        iconv_t cd = iconv_open(charset.c_str(), "UTF-8");
        if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
        std::string converted(text.size() * 2 + 16, '\0');  // GB18030 takes at most 4 bytes where UTF-8 takes 2 or more
        char* in = text.data();
        std::size_t in_left = text.size();
        char* out = converted.data();
        std::size_t out_left = converted.size();
        bool ok = iconv(cd, &in, &in_left, &out, &out_left) != static_cast<std::size_t>(-1);
        iconv_close(cd);
        if (!ok) return std::nullopt;
        converted.resize(converted.size() - out_left);
        return converted;
    }
    /// A fixed-width target ("fixed") for the legacy applications: each child of the root is a
    /// record (one line, CRLF), each child of a record a field of `width` bytes in $fixed_charset
    /// (UTF-8 or GB18030), padded after (left) or before (align right) with its pad character. A
    /// value that does not fit, or that holds a line break, is a finding: never cut, never shifted.
    bool write_fixed(const core::node& tree, const mapping::variables& vars, output& o, std::vector<core::diagnostic>& sink) {
        auto charset = flat_charset(vars, "fixed_charset", o, sink);
        if (!charset) return false;
        auto attr = [](const core::node& n, std::string_view name) -> std::string {
            for (const auto& [k, v] : n.attributes)
                if (k == name) return v;
            return {};
        };
        std::string text;
        bool ok = true;
        std::size_t line = 0;
        for (const auto& record : tree.children) {
            ++line;
            for (const auto& field : record.children) {
                bool fits = true;
                auto fail = [&](std::string why) {
                    sink.push_back(finding(mapping::code::output_invalid,
                                           fmt::format("{}: record {} ({}), field {}: {}", o.mapping, line, record.name, field.name, why)));
                    ok = fits = false;
                };
                std::size_t width = std::stoul("0" + attr(field, "width"));
                auto bytes = encode(field.value, *charset);
                if (!bytes) fail(fmt::format("'{}' cannot be written in {}", field.value, *charset));
                else if (bytes->find_first_of("\r\n") != std::string::npos) fail("the value holds a line break");
                else if (bytes->size() > width)
                    fail(fmt::format("'{}' takes {} bytes in {}, the field holds {}", field.value, bytes->size(), *charset, width));
                if (!fits) continue;
                std::string pad = attr(field, "pad");
                std::string fill(width - bytes->size(), pad.empty() ? ' ' : pad.front());
                text += attr(field, "align") == "right" ? fill + *bytes : *bytes + fill;
            }
            text += "\r\n";
        }
        if (ok) o.text = std::move(text);
        return ok;
    }
    /// An EDIFACT target ("edifact:APERAK:D96A"): the tree's segments placed by the directory,
    /// enveloped (UNB from $edi_sender, $edi_recipient and $now; counts and references computed by
    /// the writer), then read back and validated like any inbound interchange.
    bool write_edifact(const core::node& tree, const mapping::variables& vars, output& o, std::vector<core::diagnostic>& sink) {
        auto fail = [&](std::string text) {
            sink.push_back(finding(mapping::code::output_invalid, fmt::format("{}: {}", o.mapping, text)));
            return false;
        };
        auto first = o.target.find(':'), second = o.target.find(':', first + 1);
        std::string type = o.target.substr(first + 1, second - first - 1);
        std::string version = second == std::string::npos ? "" : o.target.substr(second + 1);
        const directory::directory* d = version.size() == 4 ? dirs_.find(version) : nullptr;
        if (!d) return fail(fmt::format("target {}: write it as edifact:TYPE:DIRECTORY with an installed directory, e.g. edifact:APERAK:D96A", o.target));
        auto var = [&](const char* name) {
            auto it = vars.find(name);
            return it == vars.end() ? std::string() : it->second;
        };
        // The partner's profile ([partner.NAME.envelope]) fills what the run's variables leave open.
        const auto& env = args_.reading.envelope;
        auto either = [](std::string a, const std::string& b) { return a.empty() ? b : a; };
        std::string sender = either(var("edi_sender"), env.our_id), recipient = either(var("edi_recipient"), env.id), now = var("now");
        if (sender.empty() || recipient.empty())
            return fail("an EDIFACT output needs the interchange parties: -s edi_sender=... -s edi_recipient=..., or the partner's "
                        "profile with [partner.NAME.envelope] our_id and id");
        std::vector<std::string> problems;
        auto segments = directory::segments_from_tree(tree, *d, problems);
        for (const auto& p : problems) fail(p);
        if (!problems.empty()) return false;
        std::ostringstream text;
        // $edi_charset: the partner's character set; UNOW/UNOY (Chinese text) take syntax version 4.
        std::string charset = either(either(var("edi_charset"), env.charset), "UNOC");
        auto cs = edifact::charset_from_name(charset);
        if (!cs) return fail(fmt::format("unknown character set '{}' in $edi_charset", charset));
        edifact::writer_options wo;
        wo.encoding = *cs;
        wo.syntax_version = charset == "UNOW" || charset == "UNOX" || charset == "UNOY" ? 4 : 3;
        wo.segment_suffix = env.newlines.value_or(true) ? "\n" : "";
        if (!env.separators.empty()) wo.delims = parse_delimiters(env.separators, "envelope separators");  // checked when the profile loaded
        if (env.una == "always") wo.una = edifact::writer_options::una_mode::always;
        if (env.una == "never") wo.una = edifact::writer_options::una_mode::never;
        edifact::writer w(text, wo);
        std::string reference = now.size() >= 14 ? now.substr(2, 12) : now;  // yyMMddHHmmss: unique per second
        std::string date = wo.syntax_version == 4 ? now.substr(0, 8) : now.substr(2, 6);  // CCYYMMDD from syntax 4 on
        auto party = [](const std::string& id, const std::string& qualifier) {
            return qualifier.empty() ? std::vector<std::string>{id} : std::vector<std::string>{id, qualifier};
        };
        w.begin_interchange(edifact::make_segment("UNB", {{charset, std::to_string(wo.syntax_version)}, party(sender, env.our_qualifier),
                                                          party(recipient, env.qualifier), {date, now.substr(8, 4)}, {reference}}));
        w.begin_message(edifact::make_segment("UNH", {{std::to_string(o.message)}, {type, "D", version.substr(1), "UN"}}));
        for (const auto& seg : segments) w.add(seg);
        w.end_message();
        w.end_interchange();
        for (const auto& p : w.problems()) fail(p.text);
        if (!w.ok()) return false;
        o.text = text.str();
        auto tmp = temporary(o.text);
        if (tmp.empty()) return fail("cannot write a temporary file to check the output");
        edifact_check check(validator_);
        edifact::reader_options ro;
        ro.keep_segments = true;
        edifact::reader(ro).read_file(tmp, check);
        fs::remove(tmp);
        for (const auto& e : check.errors) fail(fmt::format("the {} written breaks {}: segment {} {}: {} [{}]", type, version, e.where.segment, e.where.tag, e.text, e.code));
        return check.errors.empty();
    }
    /// Checks the output against its target schema: on the tree it was written from when the tree
    /// checker is sure; else Xerces-C reads the text back and words what is wrong.
    bool valid(const output& o, const core::node& tree, std::vector<core::diagnostic>& sink) {
        const auto* entry = schemas_.named(o.target);
        core::diagnostic problem;
        auto grammars = entry ? schemas_.grammars(*entry, problem) : nullptr;
        if (!grammars) {
            sink.push_back(finding(mapping::code::output_invalid, fmt::format("{}: target schema '{}' cannot be used{}", o.mapping, o.target,
                                                                                problem.text.empty() ? "" : ": " + problem.text)));
            return false;
        }
        if (xml::surely_valid(*grammars, tree)) return true;
        findings_only f;
        xml::read_options ro;
        ro.schema = grammars;
        ro.build_tree = false;
        xml::read_memory(o.text, o.name, f, ro);
        for (const auto& d : f.errors) {
            auto e = finding(mapping::code::output_invalid,
                             fmt::format("{} output breaks {} at line {} ({}): {}", o.mapping, o.target, d.where.line, d.where.path, d.text));
            sink.push_back(std::move(e));
        }
        return f.errors.empty();
    }
    fs::path temporary(const std::string& text) {
        fs::path dir = args_.out.empty() ? fs::temp_directory_path() : fs::path(args_.out);
        std::string tmpl = (dir / ".edigate-XXXXXX").string();
        int fd = ::mkstemp(tmpl.data());
        if (fd < 0) return io_failed_ = true, io_problem_ = std::strerror(errno), fs::path();
        // mkstemp makes 0600; an output is read by other accounts (the agencies' pickup, operators).
        bool ok = ::fchmod(fd, 0644) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  (!args_.sync_each || ::fsync(fd) == 0);
        if (!ok) io_problem_ = std::strerror(errno);
        ::close(fd);
        if (!ok) fs::remove(tmpl), io_failed_ = true;
        return ok ? fs::path(tmpl) : fs::path();
    }

public:
    /// Whether writing failed (disk full, permissions) since the last call: not the input's fault.
    bool take_io_failure() { return std::exchange(io_failed_, false); }

private:
    bool io_failed_ = false;
    std::string io_problem_;  ///< why the last temporary file could not be written
    bool publish(const output& o, std::vector<core::diagnostic>& sink) {
        if (args_.out.empty()) {
            if (!args_.explain && !args_.json) std::fwrite(o.text.data(), 1, o.text.size(), stdout);
            return true;
        }
        auto tmp = temporary(o.text);
        std::error_code ec;
        if (!tmp.empty()) fs::rename(tmp, fs::path(args_.out) / o.name, ec);
        if (!ec && !tmp.empty() && args_.sync_each) spool::fsync_dir(args_.out);
        if (tmp.empty() || ec) {
            io_failed_ = true;
            if (!tmp.empty()) fs::remove(tmp);
            sink.push_back(finding(mapping::code::output_invalid,
                                   fmt::format("cannot write {}: {}", (fs::path(args_.out) / o.name).string(), ec ? ec.message() : io_problem_)));
            return false;
        }
        return true;
    }

    const translate_args& args_;
    const xml::schema_catalog& schemas_;
    directory::catalog& dirs_;
    directory::validator& validator_;
    std::vector<mapping::mapping> maps_;
    std::vector<core::node> outputs_;  // one per mapping, refilled by each message
    /// Text buffers of the last message's outputs, written again by the next one's: their room is
    /// there, not grown (reallocated and copied) a few times per output.
    std::vector<std::string> spare_texts_;
    std::string spare_text() {
        if (spare_texts_.empty()) return {};
        std::string s = std::move(spare_texts_.back());
        spare_texts_.pop_back();
        s.clear();
        return s;
    }
    /// Takes `text` for a later output (and leaves it empty); one over 1 MiB is let go.
    void keep_text(std::string& text) {
        if (text.capacity() <= (std::size_t{1} << 20) && spare_texts_.size() < maps_.size()) spare_texts_.push_back(std::move(text));
        text = std::string();
    }
};

class edifact_messages final : public edifact::handler {
public:
    edifact_messages(translator& t, directory::validator& v, const mapping::variables& base, std::string stem, core::diagnostic_sink& sink,
                     const output_sink& done, bool records)
        : t_(t), v_(v), base_(base), stem_(std::move(stem)), sink_(sink), done_(done), records_(records) {}
    /// The most source bytes of one interchange kept for '//' lookups.
    void lookup_limit(std::uint64_t bytes) { limit_ = bytes; }
    void max_message(std::uint64_t bytes) { max_message_ = bytes; }
    void interchange_begin(const edifact::interchange_header& h) override {
        flush();  // the interchange before had no UNZ
        header_ = h;
        if (records_) seen_.push_back({0, h.sender, h.recipient, h.control_reference, {}});
    }
    void message_end(const edifact::message& m) override {
        ++index_;
        if (records_) record(m);
        if (m.oversized) {  // the reader kept none of it: memory stays bounded whatever one message's size
            auto d = cli::finding(mapping::code::message_too_large,
                                  fmt::format("message {} ('{}') is {:.1f} MiB ({} bytes), over the {} MiB a message may have to be translated "
                                              "(--max-message-mb; max_message_mb in a gateway's configuration); it was checked for syntax only",
                                              index_, m.header.reference, static_cast<double>(m.end_byte - m.byte) / (1 << 20),
                                              m.end_byte - m.byte, max_message_ >> 20));
            d.where.message = index_;
            d.where.byte = m.byte;
            sink_.add(std::move(d));
            return;
        }
        std::uint64_t errors = sink_.errors();
        bool named = true;
        core::node& tree = tree_;
        directory::message_tree(tree, m, header_, v_, [&](core::diagnostic d) {
            named = named && d.code != "EDI-D001";
            sink_.add(std::move(d));
        });
        if (sink_.errors() > errors || m.errors) return;  // an invalid message is not translated
        if (!named) {
            // Without its directory the tree is named by position only (e01, c02): every mapping
            // path would miss. One clear finding instead of a missing value per rule.
            auto d = cli::finding(mapping::code::no_mapping, fmt::format("{} {}:{}: its directory is not installed, so its segments are not "
                                                                    "named and no mapping can read it",
                                                                    m.header.type, m.header.version, m.header.release));
            d.where.message = index_;
            d.where.byte = m.byte;
            sink_.add(std::move(d));
            return;
        }
        mapping::variables vars = base_;
        vars.emplace("sender", header_.sender);
        vars.emplace("recipient", header_.recipient);
        vars.emplace("interchange", header_.control_reference);
        vars.emplace("message", m.header.reference);
        if (!keep_) return t_.message(tree, m.header.type, index_, false, vars, stem_, sink_, done_);
        // A mapping looks across the interchange's messages: they are kept until its end (memory
        // grows with the interchange, not with the file, up to a bound), then each is translated
        // seeing them all.
        if (too_large_) return;
        kept_bytes_ += m.end_byte - m.byte;
        if (kept_bytes_ > limit_) {
            too_large_ = true;
            auto d = cli::finding(mapping::code::interchange_too_large,
                                  fmt::format("interchange {}: its messages pass {} MiB, the most kept for the lookups across messages a mapping "
                                              "makes ('//' paths); none of its messages is translated",
                                              header_.control_reference, limit_ >> 20));
            d.where.message = index_;
            d.where.byte = m.byte;
            sink_.add(std::move(d));
            interchange_.children.clear();
            kept_.clear();
            return;
        }
        interchange_.children.push_back(std::move(tree));
        kept_.push_back({m.header.type, index_, std::move(vars)});
    }
    void interchange_end(const edifact::interchange_trailer&) override { flush(); }
    void progress(std::uint64_t bytes) override {
        if (meter_) meter_->update(bytes);
    }
    progress_meter* meter_ = nullptr;  ///< the terminal's progress line (edigate translate), or none (the gateway)
    /// Translates the messages kept for the interchange that ended (or that the file cut off).
    void flush() {
        for (std::size_t i = 0; i < kept_.size(); ++i)
            t_.message(interchange_.children[i], kept_[i].type, kept_[i].index, false, kept_[i].vars, stem_, sink_, done_, &interchange_);
        interchange_.children.clear();
        kept_.clear();
        kept_bytes_ = 0;
        too_large_ = false;
    }

    void finding(const core::diagnostic& d) override { sink_.add(d); }

private:
    /// The message's tracking record: what an operator tracks a declaration by, bill of lading
    /// numbers (RFF BM, BH, MB: 1153 qualifiers) and container numbers (EQD CN). Up to 9,999 of
    /// each kind, a whole vessel's manifest (D.96A CUSCAR's bound on its bill and equipment groups):
    /// the containers a manifest lists first do not crowd out its bills.
    void record(const edifact::message& m) {
        if (seen_.empty()) seen_.push_back({});
        auto& rec = seen_.back().messages.emplace_back(tracking::message_record{index_, m.header.type, m.header.reference, "", {}, {}});
        constexpr std::size_t most = 9999;
        std::size_t bills = 0, boxes = 0;
        for (const auto& s : m.segments) {
            constexpr auto rff = directory::tag_key("RFF"), eqd = directory::tag_key("EQD");
            const auto tag = directory::tag_key(s.tag);
            if (tag != rff && tag != eqd) continue;
            auto q = s.value(1);
            bool bill = tag == rff && (q == "BM" || q == "BH" || q == "MB") && bills < most, box = tag == eqd && q == "CN" && boxes < most;
            auto v = bill ? s.value(1, 2) : box ? s.value(2) : std::string_view();
            if (v.empty()) continue;
            ++(bill ? bills : boxes);
            rec.references.emplace_back(s.tag + " " + std::string(q), std::string(v));
        }
    }

    translator& t_;
    directory::validator& v_;
    const mapping::variables& base_;
    std::string stem_;
    core::diagnostic_sink& sink_;
    const output_sink& done_;
    const bool records_;  ///< keep seen_ (the gateway's tracking); the CLI does not
    edifact::interchange_header header_;
    std::uint32_t index_ = 0;
    const bool keep_ = t_.reads_interchange();
    core::node tree_;  // the message being translated, refilled by the next one (unless kept)
    std::uint64_t limit_ = std::uint64_t{32} << 20;  ///< source bytes kept for '//' lookups (the trees take about ten times that)
    std::uint64_t max_message_ = 0;                   ///< the reader's reader_options::max_message_bytes (for the finding)
    struct kept {
        std::string type;
        std::uint32_t index;
        mapping::variables vars;
    };
    core::node interchange_{"Interchange"};  ///< kept messages, when a mapping reads across them
    std::vector<kept> kept_;
    std::uint64_t kept_bytes_ = 0;
    bool too_large_ = false;  ///< the interchange passed the limit: the rest of it is skipped

public:
    /// The interchanges and messages read, in order (message ids are the message numbers in the file).
    std::vector<tracking::interchange_record> seen_;
};

/// The output folder `dir`, created (with the folders above it) when missing, each new folder's
/// name made durable in its parent before any output goes in; ValidationError when it cannot be
/// one.
void make_folder(const std::string& dir) {
    std::error_code ec;
    std::vector<fs::path> missing;  // innermost first
    for (fs::path p = fs::absolute(dir, ec); !ec && !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    if (!ec && !missing.empty()) fs::create_directories(missing.front(), ec);
    if (ec) throw CLI::ValidationError("--out", fmt::format("cannot create the folder '{}': {}", dir, ec.message()));
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) spool::fsync_dir(it->parent_path());
    if (!fs::is_directory(dir)) throw CLI::ValidationError("--out", fmt::format("'{}' is not a directory", dir));
}

/// Everything a translation run loads once (schemas, mappings, directories) and the work on one
/// file; `edigate translate` and the batch job (`edigate run`) share it.
class translate_session {
public:
    /// Loads what `a` names; a bad argument or mapping throws CLI::ValidationError.
    explicit translate_session(translate_args& a) : a_(a) {
    a.reading.resolve();
    if (!a.out.empty()) make_folder(a.out);
    mapping::variables& base = base_;
    base["now"] = a.now.empty() ? now_17() : a.now;
    for (const auto& s : a.sets) {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw CLI::ValidationError("--set", fmt::format("expected NAME=VALUE, got '{}'", s));
        base[s.substr(0, eq)] = s.substr(eq + 1);
    }
    std::vector<fs::path> schema_roots(a.schema_dirs.begin(), a.schema_dirs.end());
    for (auto& r : xml::schema_catalog::default_roots()) schema_roots.push_back(std::move(r));
    schemas_ = std::make_unique<xml::schema_catalog>(schema_roots);
    auto& schemas = *schemas_;
    std::vector<mapping::mapping> maps;
    auto roots = mapping::default_mapping_roots();
    std::vector<std::string> names = a.mappings;
    if (!a.routes.empty()) {
        fs::path file = a.routes_file;
        if (file.empty())
            for (const auto& r : roots)
                if (std::error_code ec; fs::is_regular_file(r / "routes.toml", ec)) {
                    file = r / "routes.toml";
                    break;
                }
        if (file.empty()) throw CLI::ValidationError("--route", "no routes.toml in the mapping folders (give --routes FILE)");
        toml::table routes;
        try {
            routes = toml::parse_file(file.string());
        } catch (const toml::parse_error& e) {
            throw CLI::ValidationError("--routes", fmt::format("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column,
                                                               e.description()));
        }
        for (const auto& route : a.routes) {
            const auto* list = routes["route"][route]["mappings"].as_array();
            if (!list) throw CLI::ValidationError("--route", fmt::format("no route '{}' with a mappings list in {}", route, file.string()));
            for (const auto& m : *list)
                if (auto v = m.value<std::string>()) names.push_back(*v);
        }
    }
    if (!a.to.empty()) {
        // --to customs,maritime: every mapping filed under those agencies' folders (mappings/customs/...).
        for (const auto& root : roots) {
            std::error_code ec;
            if (!fs::is_directory(root, ec)) continue;
            for (const auto& agency : a.to) {
                if (!fs::is_directory(root / agency, ec))
                    throw CLI::ValidationError("--to", fmt::format("no agency folder '{}' in {}", agency, root.string()));
                std::vector<std::string> found;
                for (const auto& e : fs::directory_iterator(root / agency, ec))
                    if (e.path().string().ends_with(".map.xml")) found.push_back(e.path().string());
                std::sort(found.begin(), found.end());
                names.insert(names.end(), found.begin(), found.end());
            }
            break;  // the first mapping folder that exists
        }
    }
    if (names.empty()) throw CLI::ValidationError("translate", "give the mappings: -m NAME, --route NAME or --to AGENCY");
    for (const auto& name : names) {
        auto file = mapping::find_mapping(name, roots);
        if (!file) throw CLI::ValidationError("--mapping", fmt::format("no mapping file '{}' (nor {}.map.xml under the mapping folders)", name, name));
        std::vector<core::diagnostic> problems;
        auto m = mapping::mapping::load(*file, schemas, file->parent_path().parent_path() / "codes", problems);
        if (!m) {
            std::string text;
            for (const auto& p : problems) text += fmt::format("\n  {} [{}]", p.text, p.code);
            throw CLI::ValidationError("--mapping", fmt::format("{} cannot be used:{}", file->string(), text));
        }
        maps.push_back(std::move(*m));
    }
    checker_ = std::make_unique<directory::validator>(dirs_, a.reading.make_validation());
    translator_ = std::make_unique<translator>(a, *schemas_, dirs_, *checker_, std::move(maps));
    }

    struct file_result {
        bool readable = true, ok = false;
        std::size_t outputs = 0;  ///< given to the output sink
        core::diagnostic_sink sink;
        std::vector<tracking::interchange_record> seen;  ///< interchanges and messages read (EDIFACT)
        bool io_failed = false;                          ///< an output could not be written
    };
    /// Translates one file: every message through the mappings that read it, outputs published
    /// and handed to `take` as they are. `meter`: a progress line on the terminal for a long file
    /// (the CLI; the gateway gives none). `records`: keep the interchange and message records
    /// (the gateway's tracking; they grow with the file).
    file_result process(const input_file& in, const output_sink& take, const std::string& now = {}, progress_meter* meter = nullptr,
                        bool records = false) {
        file_result r{true, false, 0, core::diagnostic_sink(a_.reading.max_findings)};
        output_sink done = [&](output& o) {
            ++r.outputs;
            take(o);
        };
        std::string stem = spool::safe_name(fs::path(in.display()).stem().string());
        mapping::variables vars = base_;
        vars["file"] = fs::path(in.display()).filename().string();
        if (!now.empty()) vars["now"] = now;
        else if (a_.now.empty()) vars["now"] = now_17();  // a long-running gateway sends at the time of each file
        if (sniff(in.path()) == input_kind::xml) {
            core::diagnostic problem;
            auto doc = xml::read_file(in.path(), problem);
            if (!doc) r.sink.add(problem);
            else if (!translator_->reads_interchange()) translator_->message(*doc, doc->name.str(), 1, true, vars, stem, r.sink, done);
            else {  // one document: the interchange is the document alone
                core::node interchange("Interchange");
                interchange.children.push_back(std::move(*doc));
                const auto& d = interchange.children.front();
                translator_->message(d, d.name.str(), 1, true, vars, stem, r.sink, done, &interchange);
            }
        } else {
            edifact_messages h(*translator_, *checker_, vars, stem, r.sink, done, records);
            h.lookup_limit(a_.lookup_limit_mb << 20);
            h.max_message(a_.max_message_mb << 20);
            h.meter_ = meter;
            auto options = a_.reading.make(true);
            options.max_message_bytes = a_.max_message_mb << 20;
            edifact::reader(options).read_file(in.path(), h, &r.readable);
            h.flush();  // an interchange the file cut off (no UNZ): its good messages still count
            r.seen = std::move(h.seen_);
        }
        r.io_failed = translator_->take_io_failure();
        r.ok = r.readable && !r.io_failed && r.sink.errors() == 0 && r.outputs > 0;
        return r;
    }

private:
    translate_args& a_;
    mapping::variables base_;
    std::unique_ptr<xml::schema_catalog> schemas_;
    directory::catalog dirs_{directory::catalog::default_roots()};
    std::unique_ptr<directory::validator> checker_;
    std::unique_ptr<translator> translator_;
};

/// The report is written as the files go: each output as it is made, then the file's findings
/// (at most --max-findings of them), so memory does not grow with the number of messages. With
/// --json one {"files": [...]} document, written piece by piece.
int run_translate(translate_args a) {
    // Outputs printed one after the other: one write per MiB, not per document (a 10 KB document
    // is larger than stdio's default buffer, so each was a system call of its own). A plain static
    // array: it outlives the flush at exit.
    static char buffer[std::size_t{1} << 20];
    if (!::isatty(STDOUT_FILENO)) std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    // The line per output on standard error too, when that is a file or a pipe: a system call per
    // message was 2% of a translation's time (flow F1). A terminal still sees each line at once.
    static char status_buffer[std::size_t{64} << 10];
    if (!::isatty(STDERR_FILENO)) std::setvbuf(stderr, status_buffer, _IOFBF, sizeof status_buffer);
    translate_session session(a);
    std::size_t failed = 0, invalid = 0;
    const char* between_files = "";
    if (a.json) std::fputs("{\"files\":[", stdout);
    for (const auto& name : a.files) {
        input_file in(name);
        if (!in.ok()) {
            ++failed;
            fmt::print(stderr, "error: {}\n", in.error());
            if (a.json) fmt::print("{}{}", std::exchange(between_files, ","), json_text({{"file", in.display()}, {"status", "unreadable"}, {"error", in.error()}}));
            continue;
        }
        core::line_locator lines;
        if (a.explain) lines = in.lines();  // the traces name source lines as they are written
        progress_meter meter(in.display(), in.size());
        if (a.json) fmt::print("{}{{\"file\":{},\"outputs\":[", std::exchange(between_files, ","), json_text(in.display()));
        const char* between_outputs = "";
        auto take = [&](const output& o) {
            if (a.json) {
                json j{{"message", o.message}, {"mapping", o.mapping}, {"target", o.target}, {"status", o.status}};
                if (o.status == "written" && !a.out.empty()) j["path"] = (fs::path(a.out) / o.name).string();
                if (a.explain) {
                    json ts = json::array();
                    for (const auto& t : o.traces) {
                        json x{{"output", t.output}, {"value", t.value}, {"rule_line", t.rule_line}, {"rule", t.rule}};
                        if (!t.source.empty()) {
                            x["source"] = t.source;
                            x["source_byte"] = t.source_byte;
                            auto lc = lines.locate(t.source_byte);
                            x["source_line"] = t.source_line ? t.source_line : lc.line;
                        }
                        ts.push_back(x);
                    }
                    j["explain"] = ts;
                }
                fmt::print("{}{}", std::exchange(between_outputs, ","), json_text(j));
                return;
            }
            meter.clear();
            fmt::print(stderr, "{}: {} -> {} ({}): {}{}\n", in.display(), o.document ? "document" : fmt::format("message {}", o.message),
                       o.mapping, o.target, o.status,
                       o.status == "written" && !a.out.empty() ? " " + (fs::path(a.out) / o.name).string() : "");
            for (const auto& t : o.traces) {
                std::string from = "constant or variable";
                if (!t.source.empty()) {
                    auto lc = lines.locate(t.source_byte);
                    from = t.source_line ? fmt::format("{} at line {}", t.source, t.source_line)
                                         : fmt::format("{} at {}:{} (byte {})", t.source, lc.line, lc.column, t.source_byte);
                }
                fmt::print("{} = '{}'\n    from {}; rule line {}: {}\n", t.output, t.value, from, t.rule_line, t.rule);
            }
        };
        auto result = session.process(in, take, {}, &meter);
        meter.clear();
        const auto& sink = result.sink;
        if (!result.readable) ++failed;
        else if (!result.ok) ++invalid;
        if (!sink.items().empty() && !a.explain) lines = in.lines();
        if (a.json) {
            json diags = json::array();
            for (const auto& d : sink.items()) diags.push_back(diagnostic_json(d, &lines));
            fmt::print("],\"diagnostics\":{},\"errors\":{},\"status\":{}}}", json_text(diags), sink.errors(),
                       json_text(!result.readable ? "unreadable" : result.ok ? "translated" : "failed"));
            continue;
        }
        for (const auto& d : sink.items()) fmt::print(stderr, "{}\n", render(d, in.display(), &lines));
    }
    if (a.json) std::fputs("]}\n", stdout);
    std::fflush(stderr);  // first: a small run's lines precede its documents, as when each line was written at once
    std::fflush(stdout);
    if (failed) return exit_failure;
    return invalid ? exit_invalid : exit_ok;
}

}  // namespace

struct route_translator::impl {
    translate_args args;
    std::unique_ptr<translate_session> session;
};

route_translator::route_translator(const std::string& route, const std::filesystem::path& out, const std::vector<std::string>& sets,
                                   const reading_options& reading, std::uint64_t max_message_mb)
    : impl_(std::make_unique<impl>()) {
    impl_->args.routes = {route};
    impl_->args.out = out.string();
    impl_->args.sets = sets;
    impl_->args.reading = reading;
    impl_->args.max_message_mb = max_message_mb;
    impl_->session = std::make_unique<translate_session>(impl_->args);
}

route_translator::~route_translator() = default;

void route_translator::sync_outputs_later() { impl_->args.sync_each = false; }

route_translator::outcome route_translator::process(const std::filesystem::path& file, const std::string& now) {
    input_file in(file.string());
    outcome o;
    if (!in.ok()) {
        o.readable = false;
        return o;
    }
    std::vector<output> done;
    auto r = impl_->session->process(in, [&](output& x) { done.push_back(std::move(x)); }, now, nullptr, true);
    o.readable = r.readable;
    o.ok = r.ok;
    o.interchanges = std::move(r.seen);
    o.io_failed = r.io_failed;
    std::unordered_map<std::int64_t, tracking::message_record*> by_id;  // message number in the file -> its record
    for (auto& i : o.interchanges)
        for (auto& m : i.messages) by_id.emplace(m.id, &m);
    for (const auto& x : done) {
        bool written = x.status == "written";
        std::string path = written ? (fs::path(impl_->args.out) / x.name).string() : std::string();
        if (written) o.written.push_back(path), o.agencies.push_back(x.agency);
        o.outputs.push_back(fmt::format("{} {}{}", x.mapping, x.status, written ? " " + x.name : ""));
        if (auto it = by_id.find(x.message); it != by_id.end()) it->second->outputs.push_back({x.mapping, path, x.status});
    }
    for (auto& i : o.interchanges)
        for (auto& m : i.messages) {
            bool any = !m.outputs.empty(), all = any;
            for (const auto& x : m.outputs) all = all && x.status == "written";
            m.status = all ? "translated" : "not translated";
        }
    o.findings = r.sink.items();
    return o;
}

void add_translate(CLI::App& app, int& exit) {
    auto a = std::make_shared<translate_args>();
    auto* cmd = app.add_subcommand("translate",
                                   "rewrite each message (EDIFACT) or document (XML) into agency formats with mapping files; every "
                                   "output is checked against its target schema, and a message gives all its outputs or none");
    cmd->add_option("files", a->files, "EDIFACT or XML files; - reads standard input")->required();
    cmd->add_option("-m,--mapping", a->mappings, "a mapping: its name (mappings/**/NAME.map.xml) or a file; repeat for several targets")
        ->allow_extra_args(false);
    cmd->add_option("-r,--route", a->routes, "a route: the set of mappings routes.toml names for it (mappings/routes.toml)")
        ->type_name("NAME")
        ->allow_extra_args(false);
    cmd->add_option("--to", a->to, "every mapping of these agencies' folders (customs, maritime, border, ecommerce, legacy, responses)")
        ->type_name("AGENCY,...")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--routes", a->routes_file, "the routes file (default: routes.toml in the mapping folders)")->type_name("FILE");
    cmd->add_option("-o,--out", a->out, "write each output to this folder, created when missing (default: standard output)")->type_name("DIR");
    cmd->add_option("-s,--set", a->sets, "a partner value the mappings read as $NAME, e.g. customs_code=2305138764521")
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
    cmd->add_option("--now", a->now, "the sending time the mappings see as $now, yyyyMMddHHmmssSSS (default: now, UTC)");
    cmd->add_option("--schema-dir", a->schema_dirs, "also look for target schemas in this folder (e.g. an agency's official XSDs)")
        ->type_name("DIR")
        ->allow_extra_args(false);
    cmd->add_flag("--json", a->json, "a JSON report on standard output, written as the file goes; the outputs are then written only with --out");
    cmd->add_option("--lookup-limit-mb", a->lookup_limit_mb,
                    "the most of one interchange (MB of its messages) kept for the lookups across messages a mapping makes ('//' paths); "
                    "past it the interchange is not translated (EDI-M006)")
        ->capture_default_str();
    cmd->add_option("--max-message-mb", a->max_message_mb,
                    "the largest EDIFACT message translated, in MB from its UNH (its trees take about 50 times that in memory); a larger one is "
                    "checked for syntax only (EDI-M007)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20))
        ->capture_default_str();
    cmd->add_flag("--explain", a->explain,
                  "for every output value, the source element (with its position) and the mapping rule that made it, instead of the output");
    a->reading.add_to(*cmd);
    cmd->footer("Exit codes: 0 every output written, 1 some message gave no output (findings say why), 2 usage error or a bad "
                "mapping file, 3 I/O failure.");
    cmd->callback([a, &exit] { exit = run_translate(*a); });
}

}  // namespace edigate::cli
