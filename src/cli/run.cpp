// run.cpp - the gateway's commands: `edigate run` (the daemon, or with --once the batch job),
// `edigate status`, `edigate track` and `edigate check-config`. The work itself is in gateway.cpp;
// this file is arguments, signals, inotify and reports.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "commands.hpp"
#include "edigate/core/clock.hpp"
#include "gateway.hpp"
#include "edigate/tracking/store.hpp"

namespace edigate::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

/// Loads a configuration for a command; its mistakes are a usage error listing all of them.
std::shared_ptr<const gateway_config> config_or_throw(const fs::path& file, bool load_routes) {
    std::vector<std::string> problems;
    auto c = load_config(file, problems, load_routes);
    if (!c) {
        std::string text;
        for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p;
        throw CLI::ValidationError("--config", text);
    }
    return std::make_shared<const gateway_config>(std::move(*c));
}

std::unique_ptr<tracking::store> open_store(const gateway_config& c) {
    core::diagnostic problem;
    if (std::error_code ec; !fs::is_regular_file(c.work / "edigate.db", ec))
        throw std::runtime_error(fmt::format("no tracking database at {} (the gateway has not run yet)", (c.work / "edigate.db").string()));
    auto s = tracking::store::open(c.work / "edigate.db", problem);
    if (!s) throw std::runtime_error(problem.text);
    return s;
}

/// Structured log lines on standard error: time (UTC), level, then key=value pairs.
void setup_log(spdlog::level::level_enum level) {
    auto log = spdlog::stderr_logger_mt("edigate");
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
    log->set_level(level);
    log->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(log);
}

/// The inbox names of a configuration, watched by inotify (a file closed after writing or
/// renamed in wakes the intake at once; the periodic scan catches everything else).
std::map<int, fs::path> watch(int fd, const gateway_config& c, std::map<int, fs::path> old) {
    for (const auto& [wd, path] : old) inotify_rm_watch(fd, wd);
    std::map<int, fs::path> out;
    for (const auto& p : c.partners) {
        std::error_code ec;
        fs::create_directories(p.inbox, ec);
        int wd = inotify_add_watch(fd, p.inbox.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR);
        if (wd < 0) spdlog::warn("event=no-watch inbox={} reason=\"{}\": the periodic scan still sees it", p.inbox.string(), std::strerror(errno));
        else out[wd] = p.inbox;
    }
    return out;
}

int run_daemon(const fs::path& file) {
    setup_log(spdlog::level::info);
    auto config = config_or_throw(file, true);
    // The signals are taken from a signalfd in the main loop; blocked before any thread starts,
    // so that no worker is interrupted by them.
    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (sfd < 0 || ifd < 0) throw std::runtime_error(fmt::format("signalfd/inotify: {}", std::strerror(errno)));
    gateway gw(config, [](const file_done& d) {
        spdlog::info("event=done partner={} id={} name=\"{}\" state={} outputs={} seconds={:.3f} text=\"{}\"", d.partner, d.id, d.name, d.state,
                     d.outputs.size(), d.seconds, d.text);
    });
    auto watches = watch(ifd, *config, {});
    gw.recover();
    gw.start();
    spdlog::info("event=started config={} work={} partners={} workers={} pid={}", file.string(), config->work.string(), config->partners.size(),
                 config->workers, ::getpid());
    std::set<std::string> renamed_in;
    for (;;) {
        bool settling = gw.intake(false, renamed_in);
        renamed_in.clear();
        auto c = gw.config();
        auto timeout = c->scan_interval;
        if (settling) timeout = std::min(timeout, std::max(c->settle, std::chrono::milliseconds(50)));
        if (gw.deferred()) timeout = std::min(timeout, c->retry_after);
        pollfd fds[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
        if (::poll(fds, 2, static_cast<int>(timeout.count())) < 0 && errno != EINTR) throw std::runtime_error(std::strerror(errno));
        if (fds[1].revents & POLLIN) {
            alignas(inotify_event) char buf[64 * 1024];
            for (ssize_t n; (n = ::read(ifd, buf, sizeof buf)) > 0;)
                for (char* at = buf; at < buf + n;) {
                    const auto* ev = reinterpret_cast<const inotify_event*>(at);
                    if ((ev->mask & IN_MOVED_TO) && ev->len && watches.count(ev->wd)) renamed_in.insert((watches[ev->wd] / ev->name).string());
                    at += sizeof(inotify_event) + ev->len;
                }
        }
        if (!(fds[0].revents & POLLIN)) continue;
        signalfd_siginfo info{};
        bool stop = false;
        while (::read(sfd, &info, sizeof info) == sizeof info) {
            if (info.ssi_signo != SIGHUP) {
                spdlog::info("event=stopping signal={} : each worker finishes its file; queued files stay claimed for the next start",
                             strsignal(static_cast<int>(info.ssi_signo)));
                stop = true;
                continue;
            }
            std::vector<std::string> problems;
            auto fresh = load_config(file, problems, true);
            if (!fresh) {
                for (const auto& p : problems) spdlog::error("event=reload-rejected problem=\"{}\"", p);
                spdlog::error("event=reload-rejected : the running configuration is kept");
                continue;
            }
            if (fresh->work != c->work) {
                spdlog::error("event=reload-rejected : the work folder cannot change while running ({} -> {}); the running configuration is kept",
                              c->work.string(), fresh->work.string());
                continue;
            }
            auto next = std::make_shared<const gateway_config>(std::move(*fresh));
            gw.reload(next);
            watches = watch(ifd, *next, std::move(watches));
            spdlog::info("event=reloaded config={} partners={}", file.string(), next->partners.size());
        }
        if (stop) break;
    }
    gw.stop();
    ::close(ifd);
    ::close(sfd);
    spdlog::info("event=stopped");
    return exit_ok;
}

struct tally {
    std::size_t delivered = 0, rejected = 0, failed = 0, duplicate = 0, refused = 0, waiting = 0, deferred = 0;
    std::vector<file_done> files;
};

int run_once(const fs::path& file, bool json_mode) {
    setup_log(spdlog::level::warn);
    auto config = config_or_throw(file, true);
    std::mutex mutex;
    std::map<std::string, tally> by_partner;
    gateway gw(config, [&](const file_done& d) {
        std::lock_guard lock(mutex);
        auto& n = by_partner[d.partner];
        if (d.state == "delivered") ++n.delivered;
        else if (d.state == "rejected") ++n.rejected;
        else if (d.state == "failed") ++n.failed;
        else if (d.state == "duplicate") ++n.duplicate;
        else if (d.state == "refused") ++n.refused;
        else if (d.state == "deferred") ++n.deferred;
        else ++n.waiting;
        n.files.push_back(d);
        if (!json_mode && d.state != "waiting") fmt::print("{}: {} -> {} ({})\n", d.partner, d.name, d.state, d.text);
    });
    auto started = core::utc_text(std::chrono::system_clock::now(), "%Y-%m-%dT%H:%M:%S", 3, ".", "Z");
    gw.recover();
    gw.start();
    gw.intake(true);
    gw.drain();
    gw.stop();
    bool bad = false, io = false;
    json report = json::array();
    for (const auto& p : config->partners) {
        auto& n = by_partner[p.name];
        bad = bad || n.rejected || n.failed;
        io = io || n.deferred;
        std::sort(n.files.begin(), n.files.end(), [](const auto& a, const auto& b) { return std::tie(a.id, a.name) < std::tie(b.id, b.name); });
        json files = json::array();
        for (const auto& d : n.files) {
            json f{{"name", d.name}, {"state", d.state}, {"text", d.text}};
            if (d.id) f["file_id"] = d.id, f["outputs"] = d.outputs;
            files.push_back(f);
        }
        report.push_back({{"partner", p.name}, {"route", p.route}, {"delivered", n.delivered}, {"rejected", n.rejected}, {"failed", n.failed},
                          {"duplicate", n.duplicate}, {"refused", n.refused}, {"deferred", n.deferred}, {"waiting", n.waiting}, {"files", files}});
        if (!json_mode)
            fmt::print("{} ({}): {} delivered, {} rejected, {} failed, {} duplicate, {} refused, {} deferred, {} waiting\n", p.name, p.route,
                       n.delivered, n.rejected, n.failed, n.duplicate, n.refused, n.deferred, n.waiting);
    }
    // Deliveries to SFTP/HTTPS channels this run queued or tried (each due one once): a pending
    // one waits for its channel's next attempt (the next run), a failed one for an operator.
    json deliveries = json::object();
    if (std::any_of(config->channels.begin(), config->channels.end(), [](const auto& ch) { return ch.remote(); })) {
        auto store = open_store(*config);
        for (const auto& [channel, st, n] : store->delivery_counts(started)) {
            deliveries[channel][st] = n;
            io = io || st == "pending" || st == "sending";
            bad = bad || st == "failed";
        }
        if (!json_mode)
            for (const auto& [channel, counts] : deliveries.items()) {
                std::vector<std::string> parts;
                for (const auto& [st, n] : counts.items()) parts.push_back(fmt::format("{} {}", n.get<std::int64_t>(), st));
                fmt::print("channel {}: {}\n", channel, fmt::join(parts, ", "));
            }
    }
    if (json_mode)
        fmt::print("{}\n", json_text(json{{"partners", report}, {"deliveries", deliveries}, {"outbound", (config->work / "outbound").string()}}));
    return io ? exit_failure : bad ? exit_invalid : exit_ok;
}

int status(const fs::path& file, bool json_mode) {
    auto c = config_or_throw(file, false);
    auto store = open_store(*c);
    auto counts = store->counts();
    auto partners = store->partner_counts();
    std::vector<tracking::file_record> problems;
    for (const char* state : {"failed", "rejected"})
        for (auto& f : store->recent(state, 5)) problems.push_back(std::move(f));
    std::sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) { return a.updated_at > b.updated_at; });
    std::size_t waiting = 0;
    for (const auto& p : c->partners) {
        std::error_code ec;
        for (auto it = fs::directory_iterator(p.inbox, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++waiting;
    }
    if (json_mode) {
        json j = json::object(), per = json::object(), recent = json::array();
        for (const auto& [state, n] : counts) j[state] = n;
        for (const auto& p : partners) per[p.partner][p.state] = p.files;
        for (const auto& f : problems)
            recent.push_back({{"id", f.id}, {"partner", f.partner}, {"name", f.name}, {"state", f.state}, {"at", f.updated_at}});
        json dl = json::object();
        for (const auto& [channel, st, n] : store->delivery_counts()) dl[channel][st] = n;
        fmt::print("{}\n", json_text(json{{"database", (c->work / "edigate.db").string()}, {"inbox_entries", waiting}, {"files", j},
                                          {"partners", per}, {"deliveries", dl}, {"recent_problems", recent},
                                          {"outbound", (c->work / "outbound").string()}}));
        return exit_ok;
    }
    fmt::print("{}\n", (c->work / "edigate.db").string());
    for (const auto& [state, n] : counts) fmt::print("  {:<10} {}\n", state, n);
    if (counts.empty()) fmt::print("  no files yet\n");
    fmt::print("waiting in the inboxes: {}\n", waiting);
    if (!partners.empty()) {
        fmt::print("per partner:\n");
        std::string last;
        for (const auto& p : partners) {
            if (p.partner != last) fmt::print("{}  {}", last.empty() ? "" : "\n", p.partner), last = p.partner;
            fmt::print("  {} {}", p.state, p.files);
        }
        fmt::print("\n");
    }
    if (auto dl = store->delivery_counts(); !dl.empty()) {
        fmt::print("deliveries per channel:\n");
        std::string last;
        for (const auto& [channel, st, n] : dl) {
            if (channel != last) fmt::print("{}  {}", last.empty() ? "" : "\n", channel), last = channel;
            fmt::print("  {} {}", st, n);
        }
        fmt::print("\n");
        if (auto failed = store->deliveries_in("failed"); !failed.empty())
            fmt::print("  {} failed deliveries: edigate track FILE-ID says why; edigate resend --deliveries sends them again\n", failed.size());
    }
    if (!problems.empty()) {
        fmt::print("recent problems (edigate track ID shows why):\n");
        for (const auto& f : problems) fmt::print("  {}  file {}  {}  {}  {}\n", f.updated_at, f.id, f.partner, f.state, f.name);
    }
    fmt::print("outputs: {}\n", (c->work / "outbound").string());
    return exit_ok;
}

/// Where a file's declaration stands with each agency: per output sent, its channel's delivery
/// status and the agency's latest receipt ("customs accepted, maritime rejected, ciq sent").
struct agency_status {
    std::string agency, channel, output, status, text, at;
};

std::vector<agency_status> agency_statuses(const gateway_config& c, const tracking::store& store, std::int64_t file_id) {
    std::vector<agency_status> out;
    auto receipts = store.receipts(file_id);
    for (const auto& d : store.deliveries(file_id)) {
        std::string agency = d.channel;
        for (const auto& ch : c.channels)
            if (ch.name == d.channel) agency = ch.agency;
        agency_status a{agency, d.channel, d.remote_name.empty() ? fs::path(d.text).filename().string() : d.remote_name, d.status, d.text, d.at};
        if (d.status == "pending")
            a.text = d.attempts ? fmt::format("{} attempt{} so far, next at {}; last: {}", d.attempts, d.attempts == 1 ? "" : "s", d.next_at, d.text)
                                : "queued";
        for (const auto& r : receipts)  // the latest receipt of that output decides
            if (r.output_id == d.output_id) a.status = r.status, a.text = r.text, a.at = r.at;
        out.push_back(std::move(a));
    }
    return out;
}

/// "EQD CN TGHU8743057, RFF BM LHCL2403170016": what a message carries; of a kind with more than
/// a few values, the first few and how many in all ("EQD CN LHCU0000000 ... and 1,597 more"),
/// so that a vessel's manifest stays readable (`track --json` lists them all).
std::string carried(const std::vector<std::pair<std::string, std::string>>& references) {
    constexpr std::size_t shown = 5;
    std::vector<std::string> kinds;  // in the order first carried
    std::map<std::string, std::vector<std::string>> values;
    for (const auto& [kind, value] : references) {
        auto [it, fresh] = values.try_emplace(kind);
        if (fresh) kinds.push_back(kind);
        it->second.push_back(value);
    }
    std::string out;
    for (const auto& kind : kinds) {
        const auto& v = values[kind];
        for (std::size_t i = 0; i < std::min(v.size(), shown); ++i) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", kind, v[i]);
        if (v.size() > shown) out += fmt::format(" ... and {} more {}", v.size() - shown, kind);
    }
    return out;
}

/// "customs accepted, maritime rejected": one word per agency, the worst of its outputs.
std::string declaration_summary(const std::vector<agency_status>& statuses) {
    static const std::vector<std::string> worst_first{"failed", "rejected", "partial", "pending", "sending", "sent", "delivered", "accepted"};
    std::map<std::string, std::string> per;
    for (const auto& a : statuses) {
        auto rank = [&](const std::string& s) { return std::find(worst_first.begin(), worst_first.end(), s) - worst_first.begin(); };
        auto [it, fresh] = per.try_emplace(a.agency, a.status);
        if (!fresh && rank(a.status) < rank(it->second)) it->second = a.status;
    }
    std::vector<std::string> parts;
    for (const auto& [agency, st] : per) parts.push_back(agency + " " + st);
    return fmt::format("{}", fmt::join(parts, ", "));
}

int track(const fs::path& file, const std::string& reference, bool json_mode) {
    auto c = config_or_throw(file, false);
    auto store = open_store(*c);
    auto files = store->find(reference);
    json out = json::array();
    for (const auto& f : files) {
        fs::path where = input_place(*c, f.partner, f.state) / f.work_name;
        fs::path record = record_place(*c, f.partner, f.state, f.work_name);
        std::error_code ec;
        if (!fs::is_regular_file(record, ec)) record.clear();
        auto interchanges = store->interchanges(f.id);
        auto events = store->history(f.id);
        auto agencies = agency_statuses(*c, *store, f.id);
        if (json_mode) {
            json ev = json::array(), ag = json::array();
            for (const auto& e : events) ev.push_back({{"at", e.at}, {"kind", e.kind}, {"text", e.text}});
            for (const auto& a : agencies)
                ag.push_back({{"agency", a.agency}, {"channel", a.channel}, {"output", a.output}, {"status", a.status}, {"text", a.text}, {"at", a.at}});
            out.push_back({{"id", f.id}, {"partner", f.partner}, {"name", f.name}, {"state", f.state}, {"received_at", f.received_at},
                           {"updated_at", f.updated_at}, {"bytes", f.bytes}, {"sha256", f.sha256}, {"input", where.string()},
                           {"record", record.string()}, {"declaration", declaration_summary(agencies)}, {"agencies", ag},
                           {"interchanges", interchanges_json(interchanges)}, {"events", ev}});
            continue;
        }
        fmt::print("file {}  {}  {}  {}\n  received {}, last change {}, {} bytes, sha256 {}\n  input: {}\n", f.id, f.partner, f.name, f.state,
                   f.received_at, f.updated_at, f.bytes, f.sha256, where.string());
        if (!agencies.empty()) {
            fmt::print("  declaration: {}\n", declaration_summary(agencies));
            for (const auto& a : agencies) fmt::print("    {:<10} {:<9} {} via {}: {}\n", a.agency, a.status, a.output, a.channel, a.text);
        }
        if (!record.empty()) fmt::print("  report: {} (copies of the outputs and replies beside it)\n", record.string());
        for (const auto& i : interchanges) {
            fmt::print("  interchange {} from {} to {}\n", i.control_reference, i.sender, i.recipient);
            for (const auto& m : i.messages) {
                fmt::print("    message {} {}: {}\n", m.type, m.reference, m.status);
                if (!m.references.empty()) fmt::print("      carries {}\n", carried(m.references));
                for (const auto& o : m.outputs) fmt::print("      {} {} {}\n", o.mapping, o.status, o.path);
            }
        }
        fmt::print("  history:\n");
        for (const auto& e : events) fmt::print("    {}  {:<10} {}\n", e.at, e.kind, e.text);
    }
    if (json_mode) fmt::print("{}\n", json_text(json{{"reference", reference}, {"files", out}}));
    else if (files.empty()) fmt::print(stderr, "no file, interchange or message with the reference '{}'\n", reference);
    return files.empty() ? exit_invalid : exit_ok;
}

int queue_list(const fs::path& file, bool json_mode) {
    auto c = config_or_throw(file, false);
    auto store = open_store(*c);
    auto files = store->queue();
    if (json_mode) {
        json out = json::array();
        for (const auto& f : files)
            out.push_back({{"id", f.id}, {"partner", f.partner}, {"name", f.name}, {"state", f.state}, {"received_at", f.received_at},
                           {"updated_at", f.updated_at}, {"input", (input_place(*c, f.partner, f.state) / f.work_name).string()}});
        fmt::print("{}\n", json_text(json{{"files", out}}));
        return exit_ok;
    }
    if (files.empty()) fmt::print("the queue is empty: every file is delivered or a duplicate\n");
    for (const auto& f : files) fmt::print("{:>8}  {:<10} {:<12} {}  {}\n", f.id, f.state, f.partner, f.updated_at, f.name);
    return exit_ok;
}

/// An operator's move of files between states: the state changes in the store only from the
/// states `from` names (checked in the same transaction), then the input moves to the folder of
/// its new state. A running gateway takes released and re-sent files within its scan interval;
/// a move cut off between the two steps is finished by the gateway's start-up reconciliation.
int move_files(const fs::path& file, const std::vector<std::int64_t>& ids, const std::vector<tracking::file_state>& from,
               tracking::file_state to, const std::string& verb, bool json_mode) {
    auto c = config_or_throw(file, false);
    auto store = open_store(*c);
    bool all = true;
    json out = json::array();
    for (auto id : ids) {
        auto f = store->file(id);
        std::string said;
        bool moved = false;
        if (!f) {
            said = fmt::format("no file {}", id);
        } else {
            std::string allowed;
            for (auto s : from) allowed += (allowed.empty() ? "" : " or ") + std::string(tracking::to_string(s));
            auto b = store->begin();
            if (!b.transition(id, from, to, fmt::format("{} by the operator (was {})", verb, f->state))) {
                said = fmt::format("file {} ({}) is {}: only a file that is {} can be {}", id, f->name, f->state, allowed, verb);
            } else if (!b.commit()) {
                throw std::runtime_error(store->last_problem().text);
            } else {
                fs::path dir = input_place(*c, f->partner, tracking::to_string(to));
                std::error_code ec;
                fs::create_directories(dir, ec);
                fs::rename(input_place(*c, f->partner, f->state) / f->work_name, dir / f->work_name, ec);
                if (!ec) forget_records(*c, f->partner, f->work_name);  // the earlier outcome's record goes with it
                moved = true;
                said = ec ? fmt::format("file {} ({}) is {} now; its input could not be moved ({}): the gateway finishes the move when it "
                                        "next starts", id, f->name, tracking::to_string(to), ec.message())
                          : fmt::format("file {} ({}): {} -> {}; input in {}", id, f->name, f->state, tracking::to_string(to), dir.string());
            }
        }
        all = all && moved;
        if (json_mode) out.push_back({{"id", id}, {"done", moved}, {"text", said}});
        else fmt::print(moved ? stdout : stderr, "{}{}\n", moved ? "" : "error: ", said);
    }
    if (json_mode) fmt::print("{}\n", json_text(json{{"files", out}}));
    return all ? exit_ok : exit_invalid;
}

/// Failed deliveries pending again (an operator fixed the cause): of these files, of a channel, or
/// all. The running gateway's courier takes them within seconds; they keep their remote name and
/// Idempotency-Key, so an agency that had one after all keeps one copy.
int resend_deliveries(const fs::path& file, const std::vector<std::int64_t>& ids, const std::string& channel, bool json_mode) {
    auto c = config_or_throw(file, false);
    if (!channel.empty() && std::none_of(c->channels.begin(), c->channels.end(), [&](const auto& ch) { return ch.name == channel; }))
        throw CLI::ValidationError("--channel", fmt::format("no channel '{}' in {}", channel, file.string()));
    auto store = open_store(*c);
    auto b = store->begin();
    std::int64_t n = 0;
    std::string text = "resent by an operator";
    if (ids.empty()) n = b.resume_deliveries("failed", text, channel);
    for (auto id : ids) {
        auto k = b.resume_deliveries("failed", text, channel, id);
        if (k) b.event("resend", fmt::format("{} failed deliver{} sent again by an operator", k, k == 1 ? "y" : "ies"), id);
        n += k;
    }
    if (!b.commit()) throw std::runtime_error(store->last_problem().text);
    if (json_mode) fmt::print("{}\n", json_text(json{{"resent", n}}));
    else fmt::print("{} failed deliver{} pending again; a running gateway sends {} within seconds\n", n, n == 1 ? "y is" : "ies are",
                    n == 1 ? "it" : "them");
    return n ? exit_ok : exit_invalid;
}

/// Runs archived inputs received since a date through the current mappings of their partner's
/// route, into a scratch folder, with the $now they had, and compares each output with what was
/// sent: the same bytes, changed, new, or no longer produced.
int replay(const fs::path& file, const std::string& from, const std::string& route, fs::path out, bool json_mode) {
    auto c = config_or_throw(file, true);
    auto store = open_store(*c);
    if (out.empty()) out = c->work / "replay" / core::utc_text(std::chrono::system_clock::now(), "%Y%m%dT%H%M%S", 0);
    json report = json::array();
    std::size_t same = 0, changed = 0, files = 0;
    for (const auto& p : c->partners) {
        if (!route.empty() && p.route != route) continue;
        fs::path dir = out / p.name;
        fs::create_directories(dir);
        route_translator rt(p.route, dir, p.sets, reading_for(*c, p), c->max_message_mb);
        for (const auto& f : store->received_since(p.name, from)) {
            if (f.state == "duplicate" || f.state == "received" || f.state == "processing") continue;
            fs::path input = input_place(*c, p.name, f.state) / f.work_name;
            json j{{"id", f.id}, {"name", f.name}, {"state", f.state}};
            json diffs = json::array();
            std::error_code ec;
            if (!fs::is_regular_file(input, ec)) {
                diffs.push_back({{"output", ""}, {"result", "the archived input is missing: " + input.string()}});
            } else {
                auto r = rt.process(input, claim_time(f.work_name));
                std::map<std::string, fs::path> before, after;
                // What was sent: the archive's copy (outbound/ may have been cleaned up since).
                fs::path archived = input_place(*c, p.name, f.state);
                for (const auto& i : store->interchanges(f.id))
                    for (const auto& m : i.messages)
                        for (const auto& o : m.outputs) {
                            if (o.status != "written") continue;
                            auto name = fs::path(o.path).filename().string();
                            fs::path copy = archived / record_copy_name(f.work_name, "output", name);
                            before[name] = fs::exists(copy, ec) ? copy : fs::path(o.path);
                        }
                for (const auto& w : r.written) after[fs::path(w).filename().string()] = w;
                auto bytes = [](const fs::path& at) {
                    std::ifstream in(at, std::ios::binary);
                    return std::string(std::istreambuf_iterator<char>(in), {});
                };
                for (const auto& [name, path] : before) {
                    auto a = after.find(name);
                    std::string result = a == after.end()                 ? "no longer produced"
                                         : !fs::exists(path, ec)         ? "sent output missing, new one in " + a->second.string()
                                         : bytes(path) == bytes(a->second) ? "same"
                                                                           : "changed: edigate diff " + path.string() + " " + a->second.string();
                    diffs.push_back({{"output", name}, {"result", result}});
                }
                for (const auto& [name, path] : after)
                    if (!before.count(name)) diffs.push_back({{"output", name}, {"result", "new: " + path.string()}});
            }
            ++files;
            for (const auto& d : diffs) (d["result"] == "same" ? same : changed)++;
            j["outputs"] = diffs;
            report.push_back(j);
            if (!json_mode) {
                fmt::print("file {} {} ({}, {}):\n", f.id, f.name, p.name, f.state);
                for (const auto& d : diffs) fmt::print("  {}  {}\n", d["output"].get<std::string>(), d["result"].get<std::string>());
            }
        }
    }
    if (json_mode) fmt::print("{}\n", json_text(json{{"from", from}, {"route", route}, {"out", out.string()}, {"files", report},
                                                     {"same", same}, {"different", changed}}));
    else fmt::print("{} file{} replayed into {}: {} output{} the same, {} different\n", files, files == 1 ? "" : "s", out.string(), same,
                    same == 1 ? "" : "s", changed);
    return changed ? exit_invalid : exit_ok;
}

int check_config(const fs::path& file, bool json_mode) {
    std::vector<std::string> problems;
    auto c = load_config(file, problems, true);
    if (json_mode) {
        json j{{"config", file.string()}, {"ok", c.has_value()}, {"problems", problems}};
        if (c) j["partners"] = c->partners.size(), j["work"] = c->work.string();
        fmt::print("{}\n", json_text(j));
    } else if (c) {
        fmt::print("{}: ok ({} partner{}, {} channel{}, work folder {}, {} worker{})\n", file.string(), c->partners.size(), c->partners.size() == 1 ? "" : "s", c->channels.size(), c->channels.size() == 1 ? "" : "s",
                   c->work.string(), c->workers, c->workers == 1 ? "" : "s");
    } else {
        for (const auto& p : problems) fmt::print(stderr, "error: {}\n", p);
    }
    return c ? exit_ok : exit_usage;
}

/// Runs a command whose I/O failures (database, work area) are exceptions: exit 3 with the reason;
/// configuration mistakes (CLI::Error) stay usage errors.
int guarded(const std::function<int()>& command) {
    try {
        return command();
    } catch (const CLI::Error&) {
        throw;
    } catch (const std::exception& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return exit_failure;
    }
}

}  // namespace

void add_run(CLI::App& app, int& exit) {
    struct args {
        std::string config, reference;
        bool once = false, json = false;
    };
    auto a = std::make_shared<args>();
    auto* cmd = app.add_subcommand("run", "the gateway: take the files that arrive in the partners' inboxes, translate them along their "
                                          "routes into the outbound folders, track every step in SQLite, archive each input; "
                                          "with --once, process what is waiting, then exit (the batch job)");
    cmd->add_option("--config", a->config, "the gateway configuration (TOML); see samples/gateway.toml")->required();
    cmd->add_flag("--once", a->once, "process what is waiting, then exit; without it, run until SIGTERM (SIGHUP reloads the configuration)");
    cmd->add_flag("--json", a->json, "with --once: a JSON report on standard output");
    cmd->footer("The daemon logs to standard error, one line per event (time, level, key=value). Exit codes: 0 every input delivered "
                "(or a recognised duplicate) and every SFTP/HTTPS delivery sent / the daemon stopped by a signal, 1 some input rejected or failed, "
                "or some delivery failed for good (edigate resend --deliveries), 2 usage or configuration error (all mistakes listed), "
                "3 I/O failure (tracking database, work area, a file deferred by a full disk, a delivery waiting for its channel's next "
                "attempt).");
    cmd->callback([a, &exit] { exit = guarded([&] { return a->once ? run_once(a->config, a->json) : run_daemon(a->config); }); });

    auto b = std::make_shared<args>();
    auto* st = app.add_subcommand("status", "the gateway at a glance: files per state, per partner, what waits in the inboxes, recent problems");
    st->add_option("--config", b->config, "the gateway configuration (TOML)")->required();
    st->add_flag("--json", b->json, "JSON output");
    st->footer("Exit codes: 0 shown, 2 usage or configuration error, 3 the database cannot be opened.");
    st->callback([b, &exit] { exit = guarded([&] { return status(b->config, b->json); }); });

    auto t = std::make_shared<args>();
    auto* tr = app.add_subcommand("track", "the whole history of a file: found by its id, its name (as received or in the work area), "
                                           "an interchange control reference, a message reference, or a bill of lading or container "
                                           "number it carried");
    tr->add_option("reference", t->reference, "file id, file name, interchange or message reference, bill of lading or container number")->required();
    tr->add_option("--config", t->config, "the gateway configuration (TOML)")->required();
    tr->add_flag("--json", t->json, "JSON output");
    tr->footer("Exit codes: 0 found, 1 nothing has that reference, 2 usage or configuration error, 3 the database cannot be opened.");
    tr->callback([t, &exit] { exit = guarded([&] { return track(t->config, t->reference, t->json); }); });

    struct queue_args {
        std::string config, from, route, out;
        std::vector<std::int64_t> ids;
        bool json = false, deliveries = false;
    };
    auto q = std::make_shared<queue_args>();
    auto* qu = app.add_subcommand("queue", "the files not finished for good (received, processing, held, failed, rejected) and what an "
                                           "operator does with them");
    qu->require_subcommand(1);
    auto* ql = qu->add_subcommand("list", "the queue: id, state, partner, last change, name");
    struct move {
        const char* name;
        const char* help;
        std::vector<tracking::file_state> from;
        tracking::file_state to;
        const char* verb;
    };
    using fs_t = tracking::file_state;
    static const move moves[] = {
        {"hold", "keep received files from being processed until released", {fs_t::received}, fs_t::held, "held"},
        {"release", "let held files be processed again", {fs_t::held}, fs_t::received, "released"},
        {"retry", "send failed or rejected files through their route again (after a fix of the mapping or configuration)",
         {fs_t::failed, fs_t::rejected}, fs_t::received, "retried"},
    };
    ql->add_option("--config", q->config, "the gateway configuration (TOML)")->required();
    ql->add_flag("--json", q->json, "JSON output");
    ql->callback([q, &exit] { exit = guarded([&] { return queue_list(q->config, q->json); }); });
    for (const auto& m : moves) {
        auto* sub = qu->add_subcommand(m.name, m.help);
        sub->add_option("ids", q->ids, "file ids (edigate queue list, edigate track)")->required();
        sub->add_option("--config", q->config, "the gateway configuration (TOML)")->required();
        sub->add_flag("--json", q->json, "JSON output");
        sub->callback([q, &exit, &m] { exit = guarded([&] { return move_files(q->config, q->ids, m.from, m.to, m.verb, q->json); }); });
    }
    qu->footer("Exit codes: 0 done, 1 some file does not exist or is not in a state that allows it, 2 usage or configuration error, "
               "3 the database cannot be opened.");
    auto* rs = app.add_subcommand("resend", "send finished files (delivered, rejected or failed) through their route again: the "
                                            "outputs are written again under the same names; with --deliveries, send the failed "
                                            "deliveries of these files (or of a channel, or all) to their agency again instead");
    rs->add_option("ids", q->ids, "file ids");
    rs->add_option("--config", q->config, "the gateway configuration (TOML)")->required();
    rs->add_flag("--deliveries", q->deliveries, "only the failed SFTP/HTTPS deliveries: the same bytes, the same remote name and key");
    rs->add_option("--channel", q->route, "with --deliveries: only this channel's");
    rs->add_flag("--json", q->json, "JSON output");
    rs->footer("Exit codes: 0 done, 1 some file does not exist or is not finished (or, with --deliveries, nothing to resend), "
               "2 usage or configuration error, 3 I/O failure.");
    rs->callback([q, &exit] {
        exit = guarded([&] {
            if (q->deliveries) return resend_deliveries(q->config, q->ids, q->route, q->json);
            if (q->ids.empty()) throw CLI::ValidationError("ids", "give the file ids to send through their route again (or --deliveries)");
            return move_files(q->config, q->ids, {tracking::file_state::delivered, tracking::file_state::rejected, tracking::file_state::failed},
                              tracking::file_state::received, "re-sent", q->json);
        });
    });
    auto* rp = app.add_subcommand("replay", "run archived inputs through the current mappings into a scratch folder and report how "
                                            "each output differs from what was sent (nothing is sent, no state changes)");
    rp->add_option("--from", q->from, "inputs received at or after this UTC date or time (2026-11-27, 2026-11-27T15:00)")->required();
    rp->add_option("--route", q->route, "only the partners on this route");
    rp->add_option("--out", q->out, "the scratch folder (default: work/replay/<now>)");
    rp->add_option("--config", q->config, "the gateway configuration (TOML)")->required();
    rp->add_flag("--json", q->json, "JSON output");
    rp->footer("Exit codes: 0 every output the same, 1 some output differs (or is new, or no longer produced), 2 usage or configuration "
               "error, 3 I/O failure.");
    rp->callback([q, &exit] { exit = guarded([&] { return replay(q->config, q->from, q->route, q->out, q->json); }); });

    auto k = std::make_shared<args>();
    auto* cc = app.add_subcommand("check-config", "check a gateway configuration without running anything: every mistake with its file "
                                                  "and line, routes and mapping files loaded as the gateway would");
    cc->add_option("config", k->config, "the gateway configuration (TOML)")->required();
    cc->add_flag("--json", k->json, "JSON output");
    cc->footer("Exit codes: 0 the configuration is good, 2 it has mistakes (all listed).");
    cc->callback([k, &exit] { exit = guarded([&] { return check_config(k->config, k->json); }); });
}

}  // namespace edigate::cli
