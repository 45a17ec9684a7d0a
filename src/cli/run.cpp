// run.cpp - `edigate run --config FILE --once`: the batch job. Takes what is waiting in each
// partner's inbox, translates it along the partner's route into the outbound folder, records
// every step in the tracking store and archives each input under the state it ended in; then
// exits. `edigate status` reads the store. (The long-running daemon is the next step of issue 6.)
#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <toml++/toml.h>

#include "commands.hpp"
#include "edigate/core/clock.hpp"
#include "edigate/spool/intake.hpp"
#include "edigate/tracking/store.hpp"

namespace edigate::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct partner_config {
    std::string name, route, profile;
    fs::path inbox;
    std::vector<std::string> sets;
};

struct gateway_config {
    fs::path work, profiles;
    std::chrono::milliseconds settle{1000};
    long duplicate_window = 72 * 3600;
    std::vector<partner_config> partners;
};

/// Reads the configuration; every mistake is a CLI::ValidationError with the file and line.
gateway_config read_config(const fs::path& file) {
    toml::table t;
    try {
        t = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw CLI::ValidationError("--config", fmt::format("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column, e.description()));
    }
    auto at = [&](const toml::node* n) { return n ? fmt::format("{}:{}", file.string(), n->source().begin.line) : file.string(); };
    fs::path base = fs::absolute(file).parent_path();
    gateway_config c;
    c.work = base / t["gateway"]["work"].value_or<std::string>("work");
    if (auto p = t["gateway"]["profiles"].value<std::string>()) c.profiles = base / *p;
    c.settle = std::chrono::milliseconds(t["gateway"]["settle_ms"].value_or<std::int64_t>(1000));
    c.duplicate_window = static_cast<long>(t["gateway"]["duplicate_window_hours"].value_or<std::int64_t>(72) * 3600);
    const auto* partners = t["partner"].as_array();
    if (!partners || partners->empty()) throw CLI::ValidationError("--config", fmt::format("{}: no [[partner]]", file.string()));
    for (const auto& node : *partners) {
        const auto* p = node.as_table();
        if (!p) throw CLI::ValidationError("--config", fmt::format("{}: [[partner]] must be a table", at(&node)));
        partner_config pc;
        auto need = [&](const char* key) {
            auto v = (*p)[key].value<std::string>();
            if (!v || v->empty()) throw CLI::ValidationError("--config", fmt::format("{}: partner needs {} = \"...\"", at(&node), key));
            return *v;
        };
        pc.name = need("name");
        if (spool::safe_name(pc.name) != pc.name)
            throw CLI::ValidationError("--config", fmt::format("{}: partner name '{}' may hold letters, digits, '.', '-' and '_' only",
                                                               at(p->get("name")), pc.name));
        pc.inbox = base / need("inbox");
        pc.route = need("route");
        pc.profile = (*p)["profile"].value_or<std::string>("");
        if (const auto* sets = (*p)["set"].as_table())
            for (const auto& [k, v] : *sets)
                if (auto s = v.value<std::string>()) pc.sets.push_back(std::string(k.str()) + "=" + *s);
        c.partners.push_back(std::move(pc));
    }
    return c;
}

/// A UTC stamp to the microsecond: the claimed file's name starts with it (unique, sorts by time).
std::string stamp() { return core::utc_text(std::chrono::system_clock::now(), "%Y%m%dT%H%M%S", 6); }

std::unique_ptr<tracking::store> open_store(const gateway_config& c) {
    std::error_code ec;
    fs::create_directories(c.work, ec);
    core::diagnostic problem;
    auto s = tracking::store::open(c.work / "edigate.db", problem);
    if (!s) throw std::runtime_error(problem.text);
    return s;
}

struct tally {
    std::size_t delivered = 0, rejected = 0, failed = 0, duplicate = 0, refused = 0, waiting = 0;
};

int run_once(const fs::path& config, bool json_mode) {
    auto c = read_config(config);
    auto store = open_store(c);
    json report = json::array();
    bool bad = false;
    for (const auto& p : c.partners) {
        fs::path claimed = c.work / "claimed" / p.name, out = c.work / "outbound" / p.name, quarantine = c.work / "quarantine" / p.name;
        for (const auto& d : {claimed, out, quarantine}) fs::create_directories(d);
        reading_options reading;
        reading.profile = p.profile;
        reading.profiles_file = c.profiles.string();
        route_translator rt(p.route, out, p.sets, reading);
        tally n;
        json files = json::array();
        // Start-up reconciliation: a file left in the claimed folder was taken by a run that was
        // cut off (crash, kill -9) before it archived the file; it is finished now, under its own
        // tracking row when it has one. Claimed files are edigate's own, so they are taken as they are.
        std::vector<spool::claimed> leftovers;
        for (const auto& e : spool::scan(claimed, std::chrono::milliseconds(0)))
            if (e.what == spool::entry::kind::ready) {
                std::string error;
                if (auto got = spool::claim(claimed, e, claimed, e.name, error)) leftovers.push_back(std::move(*got));
            }
        auto entries = spool::scan(p.inbox, c.settle);
        std::size_t leftover_index = 0;
        for (std::size_t k = 0; k < leftovers.size() + entries.size(); ++k) {
            bool resumed = k < leftovers.size();
            spool::entry e = resumed ? spool::entry{leftovers[k].original_name} : entries[k - leftovers.size()];
            std::string error;
            if (e.what == spool::entry::kind::settling || e.what == spool::entry::kind::skipped) {
                ++n.waiting;
                continue;
            }
            if (e.what == spool::entry::kind::refused) {
                ++n.refused;
                bool moved = spool::quarantine(p.inbox, e, quarantine, error);
                auto b = store->begin();
                b.event("refused", fmt::format("{}: {} is {}; {}", p.name, spool::safe_name(e.name), e.reason, moved ? "moved to quarantine" : error));
                if (!b.commit()) throw std::runtime_error(store->last_problem().text);
                files.push_back({{"name", e.name}, {"state", "refused"}, {"reason", e.reason}});
                continue;
            }
            std::optional<spool::claimed> got;
            if (resumed) got = leftovers[leftover_index++];
            else got = spool::claim(p.inbox, e, claimed, stamp() + "-" + e.name, error);
            if (!got) {
                auto b = store->begin();
                b.event("not-taken", fmt::format("{}: {}", p.name, error));
                b.commit();
                ++n.waiting;
                continue;
            }
            auto unfinished = resumed ? store->unfinished(p.name, got->sha256) : std::nullopt;
            auto duplicate = unfinished ? std::nullopt : store->duplicate_content(p.name, got->sha256, c.duplicate_window);
            tracking::file_state state = duplicate ? tracking::file_state::duplicate : tracking::file_state::processing;
            std::string text = duplicate ? fmt::format("same content as file {} ({}) received {}", duplicate->id, duplicate->name, duplicate->received_at)
                               : resumed ? std::string("resumed after an interrupted run")
                                         : std::string();
            std::int64_t id = unfinished ? unfinished->id : 0;
            {
                auto b = store->begin();
                if (!id) id = b.add_file(p.name, got->original_name, got->sha256, got->bytes);
                b.set_state(id, state, text);
                if (!b.commit()) throw std::runtime_error(store->last_problem().text);
            }
            std::vector<std::string> outputs;
            auto b = store->begin();
            if (!duplicate) {
                auto r = rt.process(got->file);
                outputs = r.outputs;
                for (const auto& o : r.outputs) b.event("output", o, id);
                for (const auto& f : r.findings)
                    if (f.level == core::severity::error) b.event("finding", fmt::format("{} [{}]", f.text, f.code), id);
                state = !r.readable ? tracking::file_state::failed : r.ok ? tracking::file_state::delivered : tracking::file_state::rejected;
                text = fmt::format("{} output{} written", r.written.size(), r.written.size() == 1 ? "" : "s");
                b.set_state(id, state, text);
            }
            // The input is archived under its final state before that state is committed: after a
            // crash in between, the archive holds it and the store still says "processing".
            fs::path archive = c.work / "archive" / p.name / std::string(tracking::to_string(state));
            fs::create_directories(archive);
            fs::rename(got->file, archive / got->file.filename());
            if (!b.commit()) throw std::runtime_error(store->last_problem().text);
            switch (state) {
            case tracking::file_state::delivered: ++n.delivered; break;
            case tracking::file_state::rejected: ++n.rejected, bad = true; break;
            case tracking::file_state::duplicate: ++n.duplicate; break;
            default: ++n.failed, bad = true;
            }
            files.push_back({{"name", e.name}, {"file_id", id}, {"state", std::string(tracking::to_string(state))}, {"outputs", outputs}, {"text", text}});
            if (!json_mode) fmt::print("{}: {} -> {} ({})\n", p.name, e.name, tracking::to_string(state), text);
        }
        report.push_back({{"partner", p.name}, {"route", p.route}, {"delivered", n.delivered}, {"rejected", n.rejected}, {"failed", n.failed},
                          {"duplicate", n.duplicate}, {"refused", n.refused}, {"waiting", n.waiting}, {"files", files}});
        if (!json_mode)
            fmt::print("{} ({}): {} delivered, {} rejected, {} failed, {} duplicate, {} refused, {} waiting\n", p.name, p.route, n.delivered,
                       n.rejected, n.failed, n.duplicate, n.refused, n.waiting);
    }
    if (json_mode) fmt::print("{}\n", json_text(json{{"partners", report}, {"outbound", (c.work / "outbound").string()}}));
    return bad ? exit_invalid : exit_ok;
}

int status(const fs::path& config, bool json_mode) {
    auto c = read_config(config);
    auto store = open_store(c);
    auto counts = store->counts();
    if (json_mode) {
        json j = json::object();
        for (const auto& [state, n] : counts) j[state] = n;
        fmt::print("{}\n", json_text(json{{"database", (c.work / "edigate.db").string()}, {"files", j}}));
    } else {
        fmt::print("{}\n", (c.work / "edigate.db").string());
        for (const auto& [state, n] : counts) fmt::print("  {:<10} {}\n", state, n);
        if (counts.empty()) fmt::print("  no files yet\n");
    }
    return exit_ok;
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
        std::string config;
        bool once = false, json = false;
    };
    auto a = std::make_shared<args>();
    auto* cmd = app.add_subcommand("run", "the batch job: take what waits in the partners' inboxes, translate it along their routes, "
                                          "track every step in SQLite, archive each input; with --once, then exit");
    cmd->add_option("--config", a->config, "the gateway configuration (TOML); see samples/gateway.toml")->required();
    cmd->add_flag("--once", a->once, "process what is waiting, then exit (required until the daemon lands)")->required();
    cmd->add_flag("--json", a->json, "a JSON report");
    cmd->footer("Exit codes: 0 every input delivered (or a recognised duplicate), 1 some input rejected or failed, 2 usage or "
                "configuration error, 3 I/O failure (tracking database, work area).");
    cmd->callback([a, &exit] { exit = guarded([&] { return run_once(a->config, a->json); }); });
    auto b = std::make_shared<args>();
    auto* st = app.add_subcommand("status", "files per state in the tracking store of a gateway configuration");
    st->add_option("--config", b->config, "the gateway configuration (TOML)")->required();
    st->add_flag("--json", b->json, "JSON output");
    st->footer("Exit codes: 0 shown, 2 usage or configuration error, 3 the database cannot be opened.");
    st->callback([b, &exit] { exit = guarded([&] { return status(b->config, b->json); }); });
}

}  // namespace edigate::cli
