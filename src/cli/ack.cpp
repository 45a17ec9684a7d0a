// ack.cpp - `edigate ack FILE...`: CONTRL (and APERAK) for received interchanges, and
// `edigate ack --inbound FILE...`: a partner's CONTRL/APERAK explained.
//
// Outbound, each interchange is acknowledged as soon as the reader has finished it, so memory is
// bounded by one interchange's records. The verdict printed is read back from the CONTRL just
// written, so the report says what the partner will read. Interchanges that cannot be
// acknowledged (no UNB values to copy) are reported and count as input errors.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "edigate/ack/acknowledgement.hpp"
#include "edigate/ack/aperak.hpp"
#include "edigate/ack/codes.hpp"
#include "edigate/ack/collector.hpp"
#include "edigate/ack/contrl.hpp"

namespace edigate::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct ack_args {
    std::vector<std::string> files;
    std::string output = "-";
    bool aperak = false;
    bool inbound = false;
    bool json = false;
    bool one_line = false;
    std::string reference, date, time;
    reading_options reading;
};

bool digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

/// Interchange control references: the first as given, then counting up its trailing number
/// (ACK1, ACK2 ...; ACK -> ACK, ACK2). Only references actually used are consumed.
class references {
public:
    explicit references(std::string first) : next_(std::move(first)) {}
    const std::string& peek() const { return next_; }
    void advance() {
        std::size_t i = next_.size();
        while (i > 0 && next_[i - 1] >= '0' && next_[i - 1] <= '9') --i;
        if (i == next_.size()) {
            next_ += "2";
            return;
        }
        std::string number = next_.substr(i);
        for (std::size_t k = number.size(); k-- > 0;) {  // decimal increment, keeping the width
            if (number[k] != '9') {
                ++number[k];
                next_ = next_.substr(0, i) + number;
                return;
            }
            number[k] = '0';
        }
        next_ = next_.substr(0, i) + "1" + number;
    }

private:
    std::string next_;
};

/// Where acknowledgements go: standard output, one file, or one file per input and kind in a directory.
class output_target {
public:
    explicit output_target(const std::string& spec) : spec_(spec) {
        std::error_code ec;
        directory_ = spec != "-" && fs::is_directory(spec, ec);
    }
    bool to_stdout() const { return spec_ == "-"; }

    /// The stream for acknowledgements of `kind` ("contrl", "aperak") answering `input`; null when it cannot be opened.
    std::ostream* stream(const std::string& input, const std::string& kind, std::string& name, std::string& error) {
        if (to_stdout()) {
            name = "<stdout>";
            return &std::cout;
        }
        std::string path = spec_;
        if (directory_) {
            std::string stem = input == "<stdin>" ? "stdin" : fs::path(input).filename().string();
            path = (fs::path(spec_) / (stem + "." + kind)).string();
        }
        name = path;
        auto it = files_.find(path);
        if (it == files_.end()) {
            auto f = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
            if (!*f) {
                error = fmt::format("cannot write {}", path);
                return nullptr;
            }
            it = files_.emplace(path, std::move(f)).first;
        }
        return it->second.get();
    }
    bool flush_all(std::string& error) {
        std::cout.flush();
        for (auto& [path, f] : files_) {
            f->flush();
            if (!*f) {
                error = fmt::format("cannot write {}", path);
                return false;
            }
        }
        return bool(std::cout);
    }

private:
    std::string spec_;
    bool directory_ = false;
    std::map<std::string, std::unique_ptr<std::ofstream>> files_;
};

std::string where_words(const ack::reported_error& e) {
    std::vector<std::string> parts;
    if (e.segment) parts.push_back(fmt::format("segment {}", e.segment));
    if (!e.service_segment.empty()) parts.push_back(e.service_segment);
    if (e.element) parts.push_back(fmt::format("element {}", e.element));
    if (e.component) parts.push_back(fmt::format("component {}", e.component));
    if (e.repetition) parts.push_back(fmt::format("repetition {}", e.repetition));
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : p == e.service_segment ? " " : ", ") + p;
    return out;
}

std::string error_words(const ack::reported_error& e) {
    std::string what;
    if (e.syntax_error)
        what = fmt::format("{} (0085 code {})", e.text.empty() ? std::string("unknown syntax error") : e.text, e.syntax_error);
    else
        what = e.code.empty() ? e.text : e.text.empty() ? e.code : fmt::format("{} [{}]", e.text, e.code);
    std::string where = where_words(e);
    return where.empty() ? what : where + ": " + what;
}

std::string verdict_words(ack::verdict v) {
    switch (v) {
    case ack::verdict::accepted: return "accepted";
    case ack::verdict::rejected: return "REJECTED";
    case ack::verdict::partially_accepted: return "PARTIALLY ACCEPTED";
    case ack::verdict::received: return "received (receipt only; the syntax check is still to come)";
    case ack::verdict::unknown: break;
    }
    return "UNKNOWN (no verdict understood)";
}

json error_json(const ack::reported_error& e) {
    json j;
    if (e.syntax_error) j["syntax_error"] = e.syntax_error;
    if (!e.code.empty()) j["code"] = e.code;
    if (!e.service_segment.empty()) j["service_segment"] = e.service_segment;
    if (e.segment) j["segment"] = e.segment;
    if (e.element) j["element"] = e.element;
    if (e.component) j["component"] = e.component;
    if (e.repetition) j["repetition"] = e.repetition;
    j["text"] = e.text;
    return j;
}

json diagnostic_json(const core::diagnostic& d) {
    json j;
    j["code"] = d.code;
    j["severity"] = std::string(core::to_string(d.level));
    j["interchange"] = d.where.interchange;
    if (d.where.message) j["message"] = d.where.message;
    j["text"] = d.text;
    return j;
}

json acknowledgement_json(const ack::acknowledgement& a) {
    json j;
    j["type"] = a.type == ack::acknowledgement::kind::contrl ? "CONTRL" : "APERAK";
    j["reference"] = a.reference;
    j["identifier"] = a.identifier;
    if (!a.interchange_reference.empty()) j["interchange_reference"] = a.interchange_reference;
    if (!a.sender.empty()) j["sender"] = a.sender;
    if (!a.recipient.empty()) j["recipient"] = a.recipient;
    j["verdict"] = std::string(ack::to_string(a.overall));
    json errors = json::array();
    for (const auto& e : a.errors) errors.push_back(error_json(e));
    j["errors"] = errors;
    json groups = json::array();
    for (const auto& g : a.groups) {
        json jg{{"reference", g.reference}, {"verdict", std::string(ack::to_string(g.action))}};
        json ge = json::array();
        for (const auto& e : g.errors) ge.push_back(error_json(e));
        jg["errors"] = ge;
        groups.push_back(jg);
    }
    j["groups"] = groups;
    json messages = json::array();
    for (const auto& m : a.messages) {
        json jm{{"reference", m.reference}};
        if (!m.type.empty()) jm["identifier"] = fmt::format("{}:{}:{}:{}", m.type, m.version, m.release, m.agency);
        if (!m.group.empty()) jm["group"] = m.group;
        jm["verdict"] = std::string(ack::to_string(m.action));
        json me = json::array();
        for (const auto& e : m.errors) me.push_back(error_json(e));
        jm["errors"] = me;
        messages.push_back(jm);
    }
    j["messages"] = messages;
    json problems = json::array();
    for (const auto& p : a.problems) problems.push_back(diagnostic_json(p));
    j["problems"] = problems;
    return j;
}

/// The acknowledgement in `text` (our own CONTRL just written), read back.
std::optional<ack::acknowledgement> read_back(const std::string& text) {
    struct first_message : edifact::handler {
        std::optional<edifact::message> m;
        void message_end(const edifact::message& msg) override {
            if (!m) m = msg;
        }
    } h;
    edifact::reader().read(text, h);
    if (!h.m) return std::nullopt;
    auto a = ack::read_acknowledgement(*h.m);
    if (!a.ok()) return std::nullopt;
    return std::move(a).value();
}

// ---------------------------------------------------------------- outbound

/// Reader events -> directory validation -> collector; each completed interchange is acknowledged.
class acknowledging final : public edifact::handler {
public:
    acknowledging(const ack_args& a, directory::validator* v, directory::catalog& dirs, references& refs, output_target& out,
                  const std::string& input, progress_meter& meter)
        : a_(a), validator_(v), dirs_(dirs), refs_(refs), out_(out), input_(input), meter_(meter) {
        collector_.on_complete([this](ack::interchange_record& r) { acknowledge(r); });
    }

    void interchange_begin(const edifact::interchange_header& h) override {
        header_ = h;
        collector_.interchange_begin(h);
    }
    void group_begin(const edifact::group_header& g) override { collector_.group_begin(g); }
    void message_end(const edifact::message& m) override {
        if (validator_) validator_->validate(m, header_, [this](core::diagnostic d) { collector_.add(d); });
        collector_.message_end(m);
    }
    void group_end(const edifact::group_trailer& t) override { collector_.group_end(t); }
    void interchange_end(const edifact::interchange_trailer& t) override { collector_.interchange_end(t); }
    void finding(const core::diagnostic& d) override { collector_.finding(d); }
    void progress(std::uint64_t bytes) override { meter_.update(bytes); }

    const std::vector<core::diagnostic>& outside() const { return collector_.outside(); }

    std::vector<std::string> lines;    // human report
    std::vector<core::diagnostic> problems;
    json interchanges = json::array();
    bool input_errors = false;         // some interchange rejected or not acknowledgeable
    std::string write_error;           // an output that could not be opened

private:
    void acknowledge(ack::interchange_record& r) {
        const auto& h = r.header;
        std::uint32_t total = r.total_errors();
        input_errors = input_errors || total > 0;
        json j;
        j["index"] = h.index;
        j["control_reference"] = h.control_reference;
        j["sender"] = h.sender;
        j["recipient"] = h.recipient;
        j["syntax"] = fmt::format("{}:{}", h.syntax_identifier, h.syntax_version);
        j["messages"] = r.messages.size();
        j["rejected_messages"] = r.rejected_messages();
        j["errors"] = total;
        std::string head = h.has_unb ? fmt::format("{}: interchange {} '{}' from {} to {}", input_, h.index, h.control_reference,
                                                   h.sender.empty() ? "?" : h.sender, h.recipient.empty() ? "?" : h.recipient)
                                     : fmt::format("{}: interchange {} (no UNB)", input_, h.index);

        ack::contrl_options co;
        co.control_reference = refs_.peek();
        co.date = a_.date;
        co.time = a_.time;
        co.segment_suffix = a_.one_line ? "" : "\n";
        std::ostringstream text;
        auto cr = ack::write_contrl(r, text, co);
        std::string said;
        json jc{{"written", cr.written}};
        if (cr.written) {
            refs_.advance();
            std::string name;
            if (auto* os = out_.stream(input_, "contrl", name, write_error)) *os << text.str();
            auto back = read_back(text.str());
            ack::verdict v = back ? back->overall : ack::verdict::unknown;
            std::size_t rejected = 0;
            if (back)
                for (const auto& m : back->messages) rejected += m.action == ack::verdict::rejected;
            std::size_t n = r.messages.size();
            std::string plural = n == 1 ? "" : "s";
            if (v == ack::verdict::rejected) said = fmt::format("rejected, with its {} message{}", n, plural);
            else if (v == ack::verdict::partially_accepted && rejected == n)
                said = n == 1 ? std::string("its only message rejected (the envelope itself is acknowledged)")
                             : fmt::format("all {} messages rejected (the envelope itself is acknowledged)", n);
            else if (v == ack::verdict::partially_accepted) said = fmt::format("partially accepted: {} of {} messages rejected", rejected, n);
            else said = fmt::format("accepted ({} message{})", n, plural);
            said += fmt::format(" -> CONTRL '{}' ({}) in {}", co.control_reference, cr.charset, name);
            jc["reference"] = co.control_reference;
            jc["charset"] = cr.charset;
            jc["output"] = name;
            j["verdict"] = std::string(ack::to_string(v));
        } else {
            input_errors = true;
            said = "not acknowledged (see below)";
            j["verdict"] = "not acknowledged";
        }
        j["contrl"] = jc;
        std::vector<core::diagnostic> mine = std::move(cr.problems);

        bool unaddressable = !cr.written && !mine.empty() && mine.front().code == ack::info(ack::code::not_addressable).name;
        if (a_.aperak && !unaddressable) {
            ack::aperak_options ao;
            ao.control_reference = refs_.peek();
            ao.date = a_.date;
            ao.time = a_.time;
            ao.segment_suffix = co.segment_suffix;
            ao.document_name_code = ack::document_codes_from(dirs_);
            std::ostringstream at;
            auto ar = ack::write_aperak(r, at, ao);
            json ja{{"written", ar.written}};
            if (ar.written) {
                refs_.advance();
                std::string name;
                if (auto* os = out_.stream(input_, "aperak", name, write_error)) *os << at.str();
                said += fmt::format(", APERAK '{}' for {} message{} in {}", ao.control_reference, ar.messages, ar.messages == 1 ? "" : "s", name);
                ja["reference"] = ao.control_reference;
                ja["messages"] = ar.messages;
                ja["output"] = name;
            }
            j["aperak"] = ja;
            for (auto& p : ar.problems) mine.push_back(std::move(p));
        }
        json jp = json::array();
        for (const auto& p : mine) jp.push_back(diagnostic_json(p));
        problems.insert(problems.end(), mine.begin(), mine.end());
        j["problems"] = jp;
        interchanges.push_back(j);
        lines.push_back(head + ": " + said);
    }

    const ack_args& a_;
    directory::validator* validator_;
    directory::catalog& dirs_;
    references& refs_;
    output_target& out_;
    std::string input_;
    progress_meter& meter_;
    ack::collector collector_;
    edifact::interchange_header header_;
};

/// An input that cannot be read: in the JSON report, or on stderr.
void report_unreadable(const input_file& in, bool as_json, json& jf, json& files) {
    if (as_json) {
        jf["status"] = "unreadable";
        jf["error"] = in.error();
    } else {
        fmt::print(stderr, "error: {}\n", in.error());
    }
    files.push_back(jf);
}

int run_outbound(ack_args& a) {
    auto options = a.reading.make(!a.reading.syntax_only);
    edifact::reader reader(options);
    directory::catalog dirs(directory::catalog::default_roots());
    directory::validator checker(dirs, a.reading.make_validation());
    directory::validator* v = a.reading.syntax_only ? nullptr : &checker;
    output_target out(a.output);
    // The report goes where the acknowledgements do not.
    std::FILE* report = out.to_stdout() ? stderr : stdout;
    references refs(a.reference);
    bool failed = false, invalid = false;
    json files = json::array();
    for (const auto& name : a.files) {
        input_file in(name);
        json jf{{"file", in.display()}};
        if (!in.ok()) {
            failed = true;
            report_unreadable(in, a.json, jf, files);
            continue;
        }
        progress_meter meter(in.display(), in.size());
        acknowledging h(a, v, dirs, refs, out, in.display(), meter);
        bool readable = true;
        reader.read_file(in.path(), h, &readable);
        failed = failed || !readable || !h.write_error.empty();
        invalid = invalid || h.input_errors || h.interchanges.empty() ||
                  std::any_of(h.outside().begin(), h.outside().end(), [](const auto& d) { return d.level == core::severity::error; });
        if (a.json) {
            jf["status"] = readable ? "read" : "unreadable";
            jf["interchanges"] = h.interchanges;
            jf["outside_findings"] = h.outside().size();
            if (!h.write_error.empty()) jf["error"] = h.write_error;
            files.push_back(jf);
            continue;
        }
        core::line_locator lines;
        if (!h.problems.empty()) lines = in.lines();
        for (const auto& l : h.lines) fmt::print(report, "{}\n", l);
        for (const auto& p : h.problems) fmt::print(report, "{}\n", render(p, in.display(), &lines));
        if (h.interchanges.empty()) fmt::print(report, "{}: no interchange to acknowledge\n", in.display());
        if (!h.outside().empty())
            fmt::print(report, "note: {}: {} finding{} outside any interchange (e.g. bytes between interchanges) cannot be acknowledged; "
                               "run 'edigate validate' to see them\n",
                       in.display(), h.outside().size(), h.outside().size() == 1 ? "" : "s");
        if (!h.write_error.empty()) fmt::print(stderr, "error: {}\n", h.write_error);
    }
    std::string error;
    if (!out.flush_all(error)) {
        failed = true;
        fmt::print(stderr, "error: {}\n", error);
    }
    if (a.json) fmt::print("{}\n", json_text(json{{"files", files}}));
    std::fflush(stdout);
    if (failed) return exit_failure;
    return invalid ? exit_invalid : exit_ok;
}

// ---------------------------------------------------------------- inbound

int run_inbound(ack_args& a) {
    auto options = a.reading.make(true);
    edifact::reader reader(options);
    bool failed = false, not_accepted = false;
    json files = json::array();
    for (const auto& name : a.files) {
        input_file in(name);
        json jf{{"file", in.display()}};
        if (!in.ok()) {
            failed = true;
            report_unreadable(in, a.json, jf, files);
            continue;
        }
        struct explaining : edifact::handler {
            edifact::interchange_header header;
            std::vector<std::string> lines;
            json acks = json::array();
            std::size_t errors = 0, count = 0;
            bool bad = false;
            std::string file;
            void interchange_begin(const edifact::interchange_header& h) override { header = h; }
            void finding(const core::diagnostic& d) override { errors += d.level == core::severity::error; }
            void message_end(const edifact::message& m) override {
                auto r = ack::read_acknowledgement(m);
                if (!r.ok()) {
                    bad = true;
                    lines.push_back(fmt::format("{}: interchange {}: {} [{}]", file, header.index, r.errors().front().text, r.errors().front().code));
                    acks.push_back(json{{"message", m.index}, {"error", diagnostic_json(r.errors().front())}});
                    return;
                }
                ++count;
                const auto& ack = r.value();
                bad = bad || (ack.overall != ack::verdict::accepted && ack.overall != ack::verdict::received);
                auto j = acknowledgement_json(ack);
                j["from"] = header.sender;
                j["to"] = header.recipient;
                acks.push_back(j);
                bool contrl = ack.type == ack::acknowledgement::kind::contrl;
                std::string verdict = verdict_words(ack.overall);
                if (ack.overall == ack::verdict::partially_accepted) {
                    std::size_t groups = 0, messages = 0;
                    for (const auto& g : ack.groups) groups += g.action == ack::verdict::rejected;
                    for (const auto& x : ack.messages) messages += x.action == ack::verdict::rejected;
                    verdict += fmt::format(" (the interchange is acknowledged; rejected: {}{} message{})",
                                           groups ? fmt::format("{} group{}, ", groups, groups == 1 ? "" : "s") : "", messages,
                                           messages == 1 ? "" : "s");
                }
                if (contrl)
                    lines.push_back(fmt::format("{}: CONTRL '{}' ({}) from {} to {}, answering interchange '{}' ({} -> {}): {}", file,
                                                ack.reference, ack.identifier, header.sender, header.recipient, ack.interchange_reference,
                                                ack.sender, ack.recipient, verdict));
                else
                    lines.push_back(fmt::format("{}: APERAK '{}' ({}) from {} to {}, answering message '{}': {}", file, ack.reference,
                                                ack.identifier, header.sender, header.recipient,
                                                ack.messages.empty() ? "" : ack.messages[0].reference, verdict_words(ack.overall)));
                for (const auto& e : ack.errors) lines.push_back("    the interchange: " + error_words(e));
                for (const auto& g : ack.groups) {
                    lines.push_back(fmt::format("  group '{}': {}", g.reference, verdict_words(g.action)));
                    for (const auto& e : g.errors) lines.push_back("    " + error_words(e));
                }
                for (const auto& m2 : ack.messages) {
                    if (contrl)
                        lines.push_back(fmt::format("  message '{}' {}:{}:{}:{}{}: {}", m2.reference, m2.type, m2.version, m2.release,
                                                    m2.agency, m2.group.empty() ? "" : " in group '" + m2.group + "'", verdict_words(m2.action)));
                    for (const auto& e : m2.errors) lines.push_back("    " + error_words(e));
                }
                if (contrl && ack.messages.empty() && ack.overall == ack::verdict::accepted)
                    lines.push_back("  every message of the interchange is acknowledged");
                for (const auto& p : ack.problems) lines.push_back(fmt::format("  note: {} [{}]", p.text, p.code));
            }
        } h;
        h.file = in.display();
        bool readable = true;
        reader.read_file(in.path(), h, &readable);
        failed = failed || !readable;
        not_accepted = not_accepted || h.bad || h.errors > 0 || h.count == 0;
        if (a.json) {
            jf["status"] = readable ? "read" : "unreadable";
            jf["syntax_errors"] = h.errors;
            jf["acknowledgements"] = h.acks;
            files.push_back(jf);
            continue;
        }
        for (const auto& l : h.lines) fmt::print("{}\n", l);
        if (h.errors)
            fmt::print("{}: the file itself has {} syntax error{}; run 'edigate validate {}' for details\n", in.display(), h.errors,
                       h.errors == 1 ? "" : "s", in.display());
        if (h.count == 0 && h.lines.empty()) fmt::print("{}: no CONTRL or APERAK found\n", in.display());
    }
    if (a.json) fmt::print("{}\n", json_text(json{{"files", files}}));
    std::fflush(stdout);
    if (failed) return exit_failure;
    return not_accepted ? exit_invalid : exit_ok;
}

int run_ack(ack_args a) {
    a.reading.resolve();
    if (a.inbound) return run_inbound(a);
    if (a.json && a.output == "-")
        throw CLI::ValidationError("--json", "the JSON report goes to standard output; give -o FILE or -o DIR for the acknowledgements");
    if (a.date.empty() != a.time.empty()) throw CLI::ValidationError("--date/--time", "give both or neither");
    if (a.date.empty()) {
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        char d[16], t[8];
        std::strftime(d, sizeof d, "%y%m%d", &tm);
        std::strftime(t, sizeof t, "%H%M", &tm);
        a.date = d;
        a.time = t;
    }
    if (!digits(a.date) || (a.date.size() != 6 && a.date.size() != 8))
        throw CLI::ValidationError("--date", "expected YYMMDD or CCYYMMDD, got '" + a.date + "'");
    if (!digits(a.time) || a.time.size() != 4) throw CLI::ValidationError("--time", "expected HHMM, got '" + a.time + "'");
    if (a.reference.empty()) a.reference = a.date.substr(a.date.size() - 6) + a.time + "0001";
    if (a.reference.size() > 14) throw CLI::ValidationError("--reference", "an interchange control reference has at most 14 characters");
    return run_outbound(a);
}

}  // namespace

void add_ack(CLI::App& app, int& exit) {
    auto a = std::make_shared<ack_args>();
    auto* cmd = app.add_subcommand("ack", "write CONTRL (and APERAK) acknowledgements for received interchanges, "
                                          "or explain a partner's CONTRL/APERAK (--inbound)");
    cmd->add_option("files", a->files, "EDIFACT files; - reads standard input")->required();
    cmd->add_option("-o,--output", a->output,
                    "where acknowledgements go: - (standard output), a file, or a directory (one FILE.contrl / FILE.aperak per input)")
        ->capture_default_str();
    cmd->add_flag("--aperak", a->aperak, "also write APERAK for messages with directory findings");
    cmd->add_option("--reference", a->reference,
                    "interchange control reference of the first acknowledgement; the next ones count up (default: YYMMDDHHMM0001)")
        ->type_name("REF");
    cmd->add_option("--date", a->date, "preparation date in the acknowledgements, YYMMDD (default: today; for reproducible output)")
        ->type_name("YYMMDD");
    cmd->add_option("--time", a->time, "preparation time, HHMM (default: now)")->type_name("HHMM");
    cmd->add_flag("--one-line", a->one_line, "write each acknowledgement on one line (default: one segment per line)");
    cmd->add_flag("--inbound", a->inbound, "read the files as a partner's CONTRL/APERAK and explain them");
    cmd->add_flag("--json", a->json, "machine-readable report on standard output (outbound: needs -o FILE or DIR)");
    a->reading.add_to(*cmd);
    cmd->footer("Exit codes: 0 every interchange accepted (--inbound: every acknowledgement accepted or received),\n"
                "1 some input has errors or could not be acknowledged (--inbound: something was rejected or not understood),\n"
                "2 usage error, 3 I/O or internal failure.");
    cmd->callback([a, &exit] { exit = run_ack(*a); });
}

}  // namespace edigate::cli
