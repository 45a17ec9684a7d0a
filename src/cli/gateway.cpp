// gateway.cpp - see gateway.hpp.
#include "gateway.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <toml++/toml.h>

#include "commands.hpp"
#include "courier.hpp"
#include "edigate/receipts/receipt.hpp"
#include "edigate/ack/aperak.hpp"
#include "edigate/ack/collector.hpp"
#include "edigate/ack/contrl.hpp"
#include "edigate/core/clock.hpp"
#include "edigate/spool/intake.hpp"
#include "edigate/tracking/store.hpp"

namespace edigate::cli {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

// ---- configuration ----------------------------------------------------------------------------

std::optional<gateway_config> load_config(const fs::path& file, std::vector<std::string>& problems, bool load_routes) {
    toml::table t;
    try {
        t = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        problems.push_back(fmt::format("{}:{}:{}: {}", file.string(), e.source().begin.line, e.source().begin.column, e.description()));
        return std::nullopt;
    }
    std::size_t before = problems.size();
    auto at = [&](const toml::node* n) { return n ? fmt::format("{}:{}", file.string(), n->source().begin.line) : file.string(); };
    auto problem = [&](const toml::node* n, std::string text) { problems.push_back(fmt::format("{}: {}", at(n), text)); };
    // Every key is known: a misspelt key ("setle_ms") would otherwise be silently ignored.
    auto only = [&](const toml::table& table, std::initializer_list<std::string_view> keys, std::string_view where) {
        for (const auto& [k, v] : table)
            if (std::find(keys.begin(), keys.end(), k.str()) == keys.end())
                problem(&v, fmt::format("unknown key '{}' in {} (known: {})", k.str(), where, fmt::join(keys, ", ")));
    };
    auto whole = [&](const toml::table* g, std::string_view key, std::int64_t fallback, std::int64_t least, std::int64_t most) {
        const toml::node* n = g ? g->get(key) : nullptr;
        if (!n) return fallback;
        auto v = n->value<std::int64_t>();
        if (!v || *v < least || *v > most) {
            problem(n, fmt::format("{} must be a whole number from {} to {}", key, least, most));
            return fallback;
        }
        return *v;
    };
    using ms = std::chrono::milliseconds;
    // A string key a [[partner]] or [[channel]] must have; empty (and a problem) when it has not.
    auto required = [&](const toml::table& table, const toml::node& where, const char* key, const char* what) {
        auto v = table[key].value<std::string>();
        if (!v || v->empty()) problem(table.get(key) ? table.get(key) : &where, fmt::format("the {} needs {} = \"...\"", what, key));
        return v.value_or("");
    };
    only(t, {"gateway", "partner", "channel"}, "the file");
    fs::path base = fs::absolute(file).parent_path();
    gateway_config c;
    c.file = fs::absolute(file);
    const auto* g = t["gateway"].as_table();
    if (!g) problem(nullptr, "no [gateway] table (it names the work folder)");
    else only(*g, {"work", "profiles", "settle_ms", "scan_interval_ms", "retry_after_ms", "retry_max_ms", "duplicate_window_hours", "workers",
                  "max_attempts", "max_file_mb", "max_message_mb"},
              "[gateway]");
    c.work = (base / t["gateway"]["work"].value_or<std::string>("work")).lexically_normal();
    if (auto p = t["gateway"]["profiles"].value<std::string>()) {
        c.profiles = (base / *p).lexically_normal();
        if (std::error_code ec; !fs::is_regular_file(c.profiles, ec)) problem(g->get("profiles"), fmt::format("no profiles file {}", c.profiles.string()));
    }
    constexpr std::int64_t day = 86'400'000;
    c.settle = ms(whole(g, "settle_ms", 1000, 0, day));
    c.scan_interval = ms(whole(g, "scan_interval_ms", 5000, 10, day));
    c.retry_after = ms(whole(g, "retry_after_ms", 30000, 10, day));
    c.retry_max = ms(whole(g, "retry_max_ms", std::max<std::int64_t>(600000, c.retry_after.count()), 10, day));
    if (c.retry_max < c.retry_after)
        problem(g->get("retry_max_ms"), fmt::format("retry_max_ms ({}) is less than retry_after_ms ({}): the wait starts at retry_after_ms and "
                                                    "doubles up to retry_max_ms", c.retry_max.count(), c.retry_after.count()));
    c.duplicate_window = static_cast<long>(whole(g, "duplicate_window_hours", 72, 0, 24 * 366) * 3600);
    c.workers = static_cast<unsigned>(whole(g, "workers", 2, 1, 64));
    c.max_attempts = static_cast<int>(whole(g, "max_attempts", 3, 1, 1'000'000));
    c.max_file_mb = static_cast<std::uint64_t>(whole(g, "max_file_mb", 256, 1, 1 << 20));
    c.max_message_mb = static_cast<std::uint64_t>(whole(g, "max_message_mb", 32, 1, 1 << 20));
    const auto* partners = t["partner"].as_array();
    if (!partners || partners->empty()) problem(nullptr, "no [[partner]]: each partner names its inbox and route");
    std::set<std::string> names;
    std::set<fs::path> inboxes;
    static const toml::array none;
    for (const auto& node : partners ? *partners : none) {
        std::size_t partner_before = problems.size();
        const auto* p = node.as_table();
        if (!p) {
            problem(&node, "[[partner]] must be a table");
            continue;
        }
        only(*p, {"name", "inbox", "route", "profile", "charset", "identities", "set", "receipt_route"}, "[[partner]]");
        partner_config pc;
        auto need = [&](const char* key) { return required(*p, node, key, "partner"); };
        pc.name = need("name");
        if (!pc.name.empty() && spool::safe_name(pc.name) != pc.name)
            problem(p->get("name"), fmt::format("partner name '{}' may hold letters, digits, '.', '-' and '_' only", pc.name));
        if (!pc.name.empty() && !names.insert(pc.name).second) problem(p->get("name"), fmt::format("partner '{}' is named twice", pc.name));
        auto inbox = need("inbox");
        if (!inbox.empty()) {
            pc.inbox = (base / inbox).lexically_normal();
            if (!inboxes.insert(pc.inbox).second) problem(p->get("inbox"), fmt::format("inbox {} belongs to two partners", pc.inbox.string()));
            auto rel = pc.inbox.lexically_relative(fs::absolute(c.work).lexically_normal());
            if (!rel.empty() && *rel.begin() != "..") problem(p->get("inbox"), "an inbox must not lie inside the work folder");
        }
        pc.route = need("route");
        pc.receipt_route = (*p)["receipt_route"].value_or<std::string>("");
        pc.profile = (*p)["profile"].value_or<std::string>("");
        if (!pc.profile.empty() && c.profiles.empty()) problem(p->get("profile"), "a profile needs [gateway] profiles = \"FILE\"");
        pc.charset = (*p)["charset"].value_or<std::string>("");
        if (const auto* ids = (*p)["identities"].as_array()) {
            for (const auto& v : *ids) {
                if (auto id = v.value<std::string>(); id && !id->empty()) pc.identities.push_back(*id);
                else problem(&v, "identities are UNB sender identifications (0004), as strings");
            }
        } else if (p->get("identities")) {
            problem(p->get("identities"), "identities must be a list: identities = [\"SENDERID\"]");
        }
        if (const auto* sets = (*p)["set"].as_table()) {
            for (const auto& [k, v] : *sets) {
                if (auto s = v.value<std::string>()) pc.sets.push_back(std::string(k.str()) + "=" + *s);
                else problem(&v, fmt::format("set.{} must be a string", k.str()));
            }
        } else if (p->get("set")) {
            problem(p->get("set"), "set must be a table: set = { NAME = \"VALUE\" }");
        }
        if (load_routes && problems.size() == partner_before) {
            // The route, its mappings, the profile and the charset, loaded as the workers will.
            reading_options ro = reading_for(c, pc);
            try {
                route_translator check(pc.route, {}, pc.sets, ro, c.max_message_mb);
                (void)ro.make(true);
            } catch (const CLI::Error& e) {
                problem(p->get("route"), fmt::format("partner {}: {}", pc.name, e.what()));
            }
            if (!pc.receipt_route.empty()) try {
                    route_translator check(pc.receipt_route, {}, pc.sets, ro, c.max_message_mb);
                } catch (const CLI::Error& e) {
                    problem(p->get("receipt_route"), fmt::format("partner {}: receipt_route: {}", pc.name, e.what()));
                }
        }
        c.partners.push_back(std::move(pc));
    }
    if (const auto* channels = t["channel"].as_array()) {
        std::set<std::string> seen_names, seen_agencies;
        for (const auto& node : *channels) {
            const auto* ch = node.as_table();
            if (!ch) {
                problem(&node, "[[channel]] must be a table");
                continue;
            }
            channel_config cc;
            auto need = [&](const char* key) { return required(*ch, node, key, "channel"); };
            auto optional = [&](const char* key) { return ch->get(key) ? (base / (*ch)[key].value_or<std::string>("")).lexically_normal() : fs::path(); };
            cc.name = need("name");
            cc.type = need("type");
            cc.agency = need("agency");
            // Only the keys of the channel's own type: an https channel with a known_hosts is a mistake.
            static const std::map<std::string, std::set<std::string, std::less<>>, std::less<>> own{
                {"directory", {"path", "receipts", "receipts_interval_ms"}},
                {"sftp", {"host", "port", "user", "key_file", "known_hosts", "folder", "connect_timeout_s", "low_speed_time_s", "retry_min_ms",
                          "retry_max_ms", "lifetime_hours", "batch", "receipts", "receipts_interval_ms"}},
                {"https", {"url", "method", "ca_file", "client_cert", "client_key", "user", "password_file", "content_type", "connect_timeout_s",
                           "timeout_s", "retry_min_ms", "retry_max_ms", "lifetime_hours", "batch"}}};
            auto kind = own.find(cc.type);
            if (!cc.type.empty() && kind == own.end()) problem(ch->get("type"), fmt::format("channel type '{}': \"directory\", \"sftp\" or \"https\"", cc.type));
            for (const auto& [k, v] : *ch) {
                if (k.str() == "name" || k.str() == "type" || k.str() == "agency" || (kind != own.end() && kind->second.contains(k.str()))) continue;
                if (std::any_of(own.begin(), own.end(), [&](const auto& entry) { return entry.second.contains(k.str()); }))
                    problem(&v, fmt::format("'{}' is not a key of a {} channel", k.str(), cc.type));
                else
                    problem(&v, fmt::format("unknown key '{}' in [[channel]] (a {} channel knows: name, type, agency, {})", k.str(),
                                            kind != own.end() ? cc.type : "directory",
                                            fmt::join(kind != own.end() ? kind->second : own.at("directory"), ", ")));
            }
            // A secret (key, password) must be the gateway user's own and readable by nobody else;
            // a file anybody may read is refused, as OpenSSH refuses such a key.
            // (files are checked where the gateway runs; `track` or `status` by another user need not see them)
            auto secret = [&](const char* key, const fs::path& f) {
                struct stat st {};
                if (f.empty() || !load_routes) return;
                if (::stat(f.c_str(), &st) != 0) problem(ch->get(key), fmt::format("{} {}: {}", key, f.string(), std::strerror(errno)));
                else if ((st.st_mode & 077) != 0)
                    problem(ch->get(key), fmt::format("{} {} may be read by others (mode {:o}); chmod 600 it", key, f.string(), st.st_mode & 0777));
                else if (st.st_uid != ::geteuid())
                    problem(ch->get(key), fmt::format("{} {} belongs to another user (uid {})", key, f.string(), st.st_uid));
            };
            auto readable = [&](const char* key, const fs::path& f) {
                if (!f.empty() && load_routes && !fs::is_regular_file(f)) problem(ch->get(key), fmt::format("{} {}: no such file", key, f.string()));
            };
            cc.retry_min = ms(whole(ch, "retry_min_ms", 60000, 10, day));
            cc.retry_max = ms(whole(ch, "retry_max_ms", std::max<std::int64_t>(3600000, cc.retry_min.count()), 10, 7 * day));
            if (cc.retry_max < cc.retry_min) problem(ch->get("retry_max_ms"), "retry_max_ms is less than retry_min_ms");
            if (const auto* n = ch->get("lifetime_hours")) {  // a number of hours, fractions too (0.5: half an hour)
                auto hours = n->value<double>();
                if (!hours || *hours <= 0 || *hours > 24 * 366) problem(n, "lifetime_hours must be a number of hours above 0, at most a year");
                else cc.lifetime = std::chrono::milliseconds(static_cast<std::int64_t>(*hours * 3'600'000));
            }
            cc.connect_timeout = std::chrono::seconds(whole(ch, "connect_timeout_s", 15, 1, 3600));
            cc.timeout = std::chrono::seconds(whole(ch, "timeout_s", 120, 1, 86400));
            cc.low_speed_time = std::chrono::seconds(whole(ch, "low_speed_time_s", 60, 1, 3600));
            cc.batch = static_cast<std::size_t>(whole(ch, "batch", 64, 1, 10000));
            cc.receipts_interval = ms(whole(ch, "receipts_interval_ms", 30000, 10, day));
            if (cc.type == "directory") {
                if (auto path = need("path"); !path.empty()) cc.path = (base / path).lexically_normal();
                cc.receipts = optional("receipts").string();
            } else if (cc.type == "sftp") {
                cc.host = need("host");
                cc.port = static_cast<int>(whole(ch, "port", 22, 1, 65535));
                cc.user = need("user");
                cc.folder = need("folder");
                cc.receipts = (*ch)["receipts"].value_or<std::string>("");
                if (need("key_file").size()) cc.key_file = optional("key_file");
                secret("key_file", cc.key_file);
                // Without a known_hosts file libcurl accepts any server key: refused here, not at the first upload.
                if (need("known_hosts").size()) cc.known_hosts = optional("known_hosts");
                if (!cc.known_hosts.empty() && load_routes) {
                    std::error_code ec;
                    if (!fs::is_regular_file(cc.known_hosts, ec) || fs::file_size(cc.known_hosts, ec) == 0)
                        problem(ch->get("known_hosts"), fmt::format("known_hosts {} is missing or empty: the server's key could not be checked",
                                                                    cc.known_hosts.string()));
                }
                for (const char* key : {"folder", "receipts"})
                    if (auto f = (*ch)[key].value_or<std::string>(""); !f.empty() && (f.front() != '/' || f.find("..") != std::string::npos))
                        problem(ch->get(key), fmt::format("{} '{}' must be an absolute remote path without '..'", key, f));
            } else if (cc.type == "https") {
                cc.url = need("url");
                if (!cc.url.empty() && !cc.url.starts_with("https://"))
                    problem(ch->get("url"), fmt::format("url '{}' is not https://: deliveries are never sent unencrypted", cc.url));
                // The address goes into logs and delivery texts: no secret may hide in it.
                else if (auto host = cc.url.substr(8, cc.url.find('/', 8) - 8); host.find('@') != std::string::npos ||
                                                                                  cc.url.find_first_of("?#") != std::string::npos)
                    problem(ch->get("url"), "url must not hold a user, a password, a query or a fragment (it is written in logs): use user and "
                                            "password_file");
                cc.method = (*ch)["method"].value_or<std::string>("PUT");
                if (cc.method != "PUT" && cc.method != "POST") problem(ch->get("method"), "method is \"PUT\" or \"POST\"");
                cc.ca_file = optional("ca_file");
                readable("ca_file", cc.ca_file);
                cc.client_cert = optional("client_cert");
                readable("client_cert", cc.client_cert);
                cc.client_key = optional("client_key");
                secret("client_key", cc.client_key);
                if (cc.client_cert.empty() != cc.client_key.empty()) problem(&node, "client_cert and client_key go together");
                cc.user = (*ch)["user"].value_or<std::string>("");
                cc.password_file = optional("password_file");
                secret("password_file", cc.password_file);
                if (cc.user.empty() != cc.password_file.empty()) problem(&node, "user and password_file go together");
                cc.content_type = (*ch)["content_type"].value_or<std::string>("application/xml");
            }
            if (!cc.name.empty() && !seen_names.insert(cc.name).second) problem(ch->get("name"), fmt::format("channel '{}' is named twice", cc.name));
            if (!cc.agency.empty() && !seen_agencies.insert(cc.agency).second)
                problem(ch->get("agency"), fmt::format("agency '{}' has two channels", cc.agency));
            c.channels.push_back(std::move(cc));
        }
    } else if (t.get("channel")) {
        problem(t.get("channel"), "channels are [[channel]] tables");
    }
    if (problems.size() != before) return std::nullopt;
    return c;
}

// ---- the gateway ------------------------------------------------------------------------------

namespace {

/// One claimed file on its way to a terminal state.
struct job {
    std::shared_ptr<const gateway_config> config;
    const partner_config* partner = nullptr;
    std::int64_t id = 0;
    fs::path file;            ///< in claimed/<partner>/
    std::string name;         ///< as received
    std::vector<std::int64_t> interchange_ids;
    clock_type::time_point claimed_at = clock_type::now(), not_before{};
    int deferrals = 0;        ///< deferred in a row (a full disk): the wait before the next try doubles
    bool alone = false;       ///< translated on its own: a file whose translation was cut off before
};

/// The interchange headers of an EDIFACT file, read at envelope speed (no segments kept).
struct header_peek final : edifact::handler {
    std::vector<edifact::interchange_header> headers;
    void interchange_begin(const edifact::interchange_header& h) override { headers.push_back(h); }
};

/// The claimed name starts with the claim time, yyyyMMddTHHmmss + 6 digits of the second.
std::string stamp() { return core::utc_text(std::chrono::system_clock::now(), "%Y%m%dT%H%M%S", 6); }



fs::path claimed_dir(const gateway_config& c, const std::string& partner) { return c.work / "claimed" / partner; }
fs::path outbound_dir(const gateway_config& c, const std::string& partner) { return c.work / "outbound" / partner; }
fs::path replies_dir(const gateway_config& c, const std::string& partner) { return c.work / "replies" / partner; }

}  // namespace

std::chrono::milliseconds retry_wait(const gateway_config& c, int failures) {
    auto wait = c.retry_after;
    for (int k = 0; k < failures && wait < c.retry_max; ++k) wait *= 2;
    return std::min(wait, c.retry_max);
}

std::string claim_time(const std::string& work_name) {
    if (work_name.size() < 22 || work_name[8] != 'T' || work_name[21] != '-') return {};
    std::string t = work_name.substr(0, 8) + work_name.substr(9, 9);
    return std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ? t : std::string();
}

fs::path input_place(const gateway_config& c, const std::string& partner, std::string_view state) {
    if (state == "received" || state == "processing") return c.work / "claimed" / partner;
    if (state == "held") return c.work / "hold" / partner;
    return c.work / "archive" / partner / std::string(state);
}

nlohmann::ordered_json interchanges_json(const std::vector<tracking::interchange_record>& interchanges) {
    auto ic = nlohmann::ordered_json::array();
    for (const auto& i : interchanges) {
        auto ms = nlohmann::ordered_json::array();
        for (const auto& m : i.messages) {
            auto os = nlohmann::ordered_json::array(), rs = nlohmann::ordered_json::array();
            for (const auto& o : m.outputs) os.push_back({{"mapping", o.mapping}, {"status", o.status}, {"path", o.path}});
            for (const auto& [kind, value] : m.references) rs.push_back({{"kind", kind}, {"value", value}});
            ms.push_back({{"type", m.type}, {"reference", m.reference}, {"status", m.status}, {"references", rs}, {"outputs", os}});
        }
        ic.push_back({{"sender", i.sender}, {"recipient", i.recipient}, {"control_reference", i.control_reference}, {"messages", ms}});
    }
    return ic;
}

std::string record_copy_name(const std::string& work_name, std::string_view kind, std::string name) {
    std::string input_stem = fs::path(work_name).stem().string() + ".";
    if (name.starts_with(input_stem) && name.size() > input_stem.size()) name.erase(0, input_stem.size());
    return fmt::format("{}.{}.{}", work_name, kind, name);
}

fs::path record_place(const gateway_config& c, const std::string& partner, std::string_view state, const std::string& work_name) {
    return input_place(c, partner, state) / (work_name + ".report.json");
}

bool publish(const fs::path& to, const std::string& text) {
    fs::path tmp = to.parent_path() / (".edigate-" + to.filename().string());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (ok) ok = ::rename(tmp.c_str(), to.c_str()) == 0;
    if (!ok) ::unlink(tmp.c_str());
    return ok;
}

/// Makes every write on the file system of `dir` durable (one syncfs for a whole group of files).
bool sync_filesystem(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && ::syncfs(fd) == 0;
    if (fd >= 0) ::close(fd);
    return ok;
}

/// Writes the archive record of a file beside its archived input `<work name>`: the report as
/// `<work name>.report.json`, and a hard link to each output as `<work name>.output.<its name>` and
/// to each reply as `<work name>.reply.<its name>` (a copy when on another file system). The
/// report lists those copies and is written first, so a record cut off half-way can be removed
/// whole (remove_record). Durable with the caller's syncfs.

namespace {

/// Removes an archive record: the copies its report lists (names beside it, never a path), then
/// the report itself.
void remove_record(const fs::path& report) {
    std::error_code ec;
    if (!fs::exists(report, ec)) return;
    std::ifstream in(report);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.contains("copies") && j["copies"].is_array())
        for (const auto& name : j["copies"])
            if (name.is_string() && fs::path(name.get<std::string>()).filename() == name.get<std::string>())
                fs::remove(report.parent_path() / name.get<std::string>(), ec);
    fs::remove(report, ec);
}

}  // namespace

void forget_records(const gateway_config& c, const std::string& partner, const std::string& work_name) {
    for (std::string_view state : {"delivered", "rejected", "failed", "duplicate"}) remove_record(record_place(c, partner, state, work_name));
}

reading_options reading_for(const gateway_config& c, const partner_config& p) {
    reading_options r;
    r.profile = p.profile;
    r.profiles_file = c.profiles.string();
    r.charset_override = p.charset;
    return r;
}

namespace {

/// Where the input of a file row is now: claimed/, hold/ or archive/<state>/ (empty: nowhere).
fs::path find_input(const gateway_config& c, const tracking::file_record& f) {
    if (f.work_name.empty()) return {};
    std::error_code ec;
    for (std::string_view state : {"received", "held", "delivered", "rejected", "failed", "duplicate"})
        if (auto p = input_place(c, f.partner, state) / f.work_name; fs::is_regular_file(p, ec)) return p;
    return {};
}

/// Reader events -> directory validation -> collector: what a CONTRL and an APERAK answer.
struct reply_pass final : edifact::handler {
    directory::validator& validator;
    ack::collector collector;
    edifact::interchange_header header;
    explicit reply_pass(directory::validator& v) : validator(v) {}
    void interchange_begin(const edifact::interchange_header& h) override { header = h, collector.interchange_begin(h); }
    void group_begin(const edifact::group_header& g) override { collector.group_begin(g); }
    void message_end(const edifact::message& m) override {
        validator.validate(m, header, [this](core::diagnostic d) { collector.add(d); });
        collector.message_end(m);
    }
    void group_end(const edifact::group_trailer& t) override { collector.group_end(t); }
    void interchange_end(const edifact::interchange_trailer& t) override { collector.interchange_end(t); }
    void finding(const core::diagnostic& d) override { collector.finding(d); }
};

/// Writes `text` as `to` by a temporary file in the same folder and a rename (made durable by the
/// group's syncfs); false when it cannot be written.
bool write_record(const fs::path& report_path, nlohmann::ordered_json report, const std::vector<fs::path>& outputs,
                  const std::vector<fs::path>& replies) {
    std::string stem = report_path.filename().string();
    stem.resize(stem.size() - std::string_view(".report.json").size());
    std::vector<std::pair<fs::path, std::string>> copies;
    for (const auto& o : outputs) copies.emplace_back(o, record_copy_name(stem, "output", o.filename().string()));
    for (const auto& r : replies) copies.emplace_back(r, record_copy_name(stem, "reply", r.filename().string()));
    auto& names = report["copies"] = nlohmann::ordered_json::array();
    for (const auto& c : copies) names.push_back(c.second);
    std::error_code ec;
    fs::create_directories(report_path.parent_path(), ec);
    bool ok = publish(report_path, report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
    for (const auto& [from, name] : copies) {
        if (!ok) break;
        fs::path to = report_path.parent_path() / name;
        if (::link(from.c_str(), to.c_str()) == 0) continue;
        if (errno == EEXIST) fs::remove(to, ec);  // from an attempt that was cut off
        ok = ::link(from.c_str(), to.c_str()) == 0 || (errno == EXDEV && fs::copy_file(from, to, ec) && !ec);
    }
    if (!ok) remove_record(report_path);
    return ok;
}

/// For the poison-file test only (RELIABILITY.md, crash case 10): when EDIGATE_TEST_CRASH_MARKER
/// is set and a file contains it, the process aborts as a translator bug would make it.
void crash_if_marked(const fs::path& file) {
    static const char* marker = std::getenv("EDIGATE_TEST_CRASH_MARKER");
    if (!marker || !*marker) return;
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.find(marker) != std::string::npos) std::abort();
}

std::unique_ptr<tracking::store> open_store(const gateway_config& c) {
    core::diagnostic problem;
    auto s = tracking::store::open(c.work / "edigate.db", problem);
    if (!s) throw std::runtime_error(problem.text);
    return s;
}

}  // namespace

struct gateway::impl {
    std::shared_ptr<const gateway_config> config;
    listener on_done;
    std::unique_ptr<tracking::store> store;  ///< the intake thread's connection; each worker has its own
    int lock_fd = -1;

    mutable std::mutex mutex;
    std::condition_variable wake, idle;
    std::deque<job> queue;
    std::vector<job> waiting;  ///< deferred, with their not_before time
    std::set<std::int64_t> active;  ///< ids queued, deferred or held by a worker: never queued twice
    unsigned busy = 0;
    bool stopping = false;
    bool suspect = false;  ///< a suspect file is being translated: nobody else runs
    clock_type::time_point intake_paused_until{};  ///< after a failed registration (intake thread only)
    int intake_failures = 0;                        ///< registrations failed in a row (intake thread only)
    clock_type::time_point next_requeue{};         ///< the next look for files released by an operator (intake thread only)
    std::string requeue_since;                     ///< ISO time: that look covers rows changed since (intake thread only)
    std::vector<std::thread> workers;
    std::map<std::string, reading_options> readings;  ///< per partner, for the header peek (intake thread only)
    std::mutex couriers_mutex;
    std::vector<std::unique_ptr<courier>> couriers;  ///< one per sending or receipt-reading channel

    void report(file_done d) {
        if (on_done) on_done(d);
    }

    void enqueue(job j) {
        std::lock_guard lock(mutex);
        if (stopping || !active.insert(j.id).second) return;
        queue.push_back(std::move(j));
        wake.notify_one();
    }

    /// Registers claimed files of one partner in one batch: duplicate checks (content, then
    /// interchange reference), the sender check against the partner's UNB identities, the file
    /// row and its interchanges; files settled here (duplicates, impostors) are archived at once,
    /// the rest queued. The folders are fsync'ed once, before the batch commits.
    void register_claims(const std::shared_ptr<const gateway_config>& c, const partner_config& p, std::vector<spool::claimed> claims) {
        if (claims.empty()) return;
        spool::fsync_dir(claimed_dir(*c, p.name));
        spool::fsync_dir(p.inbox);
        auto& reading = readings.try_emplace(p.name, reading_for(*c, p)).first->second;
        std::vector<job> jobs;
        struct settled {
            std::size_t index;
            tracking::file_state state;
            std::string why;
        };
        std::vector<settled> settle;
        std::vector<std::vector<edifact::interchange_header>> headers;
        // The checks read files and the store outside the write transaction, so that the workers'
        // commits never wait for them; files of this same batch are checked from memory.
        std::map<std::string, std::string> batch_content;        // sha256 -> name
        std::set<std::pair<std::string, std::string>> batch_refs;  // sender, control reference
        for (auto& got : claims) {
            job j{c, &p, 0, got.file, got.original_name, {}, clock_type::now(), {}};
            std::string why;
            auto state = tracking::file_state::duplicate;
            if (auto d = store->duplicate_content(p.name, got.sha256, c->duplicate_window))
                why = fmt::format("same content as file {} ({}) received {}", d->id, d->name, d->received_at);
            else if (auto it = batch_content.find(got.sha256); it != batch_content.end())
                why = fmt::format("same content as {} received just before it", it->second);
            batch_content.emplace(got.sha256, got.original_name);
            header_peek peek;
            bool kept = got.bytes <= spool::claimed::kept_bytes;  // its content was read once already, for the hash
            if (why.empty() && (kept ? sniff_text(got.content) : sniff(got.file)) == input_kind::edifact) {
                try {
                    edifact::reader r(reading.make(false));
                    if (kept) r.read(std::string_view(got.content), peek);
                    else r.read_file(got.file, peek);
                } catch (const std::exception&) {
                    // a bad charset in the partner's settings: check-config reports it; the worker fails the file
                }
                for (const auto& h : peek.headers) {
                    if (!p.identities.empty() && std::find(p.identities.begin(), p.identities.end(), h.sender) == p.identities.end()) {
                        // A partner sends only as itself: an interchange from another sender in its
                        // inbox is not translated (nor answered).
                        state = tracking::file_state::rejected;
                        why = fmt::format("interchange {} names the sender '{}', which is not one of {}'s identities ({}); not translated",
                                          h.control_reference, h.sender, p.name, fmt::join(p.identities, ", "));
                        break;
                    }
                    if (h.control_reference.empty()) continue;
                    if (auto d = store->duplicate_interchange(h.sender, h.control_reference, c->duplicate_window)) {
                        why = fmt::format("interchange {} from {} was already received (interchange record {})", h.control_reference, h.sender, *d);
                        break;
                    }
                    if (!batch_refs.emplace(h.sender, h.control_reference).second) {
                        why = fmt::format("interchange {} from {} was received just before, in another file", h.control_reference, h.sender);
                        break;
                    }
                }
            }
            std::string().swap(got.content);  // no longer needed: memory stays bounded by one file
            if (!why.empty()) settle.push_back({jobs.size(), state, why});
            headers.push_back(why.empty() ? std::move(peek.headers) : std::vector<edifact::interchange_header>{});
            jobs.push_back(std::move(j));
        }
        auto b = store->begin();
        std::size_t s = 0;
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            auto& j = jobs[k];
            const auto& got = claims[k];
            j.id = b.add_file(p.name, got.original_name, got.sha256, got.bytes, got.file.filename().string());
            if (s < settle.size() && settle[s].index == k) {
                b.set_state(j.id, settle[s].state, settle[s].why);
                ++s;
            }
            for (const auto& h : headers[k]) j.interchange_ids.push_back(b.add_interchange(j.id, h.sender, h.recipient, h.control_reference));
        }
        // The records of the settled files are written and made durable before the commit that
        // settles them (recover() removes those of a batch that never committed).
        std::vector<fs::path> records;
        for (const auto& x : settle) {
            const auto& j = jobs[x.index];
            fs::path record = record_place(*c, p.name, tracking::to_string(x.state), j.file.filename().string());
            if (write_record(record, settled_report(j, tracking::to_string(x.state), x.why), {}, {})) records.push_back(record);
        }
        if (!records.empty()) sync_filesystem(records.front().parent_path());
        if (!b.commit()) {
            for (const auto& r : records) remove_record(r);
            // Not recorded (disk full, database locked): the files go back into the inbox under the
            // names they came with, so they are taken again by a later pass, as if never claimed.
            // One whose name was taken meanwhile stays claimed; recover() registers it at the next start.
            // No retry storm: the inboxes are looked at again after a wait that doubles each time.
            auto wait = retry_wait(*c, intake_failures++);
            intake_paused_until = clock_type::now() + wait;
            spdlog::error("event=register-failed partner={} files={} reason=\"{}\" retry_in_s={:.1f} : the files go back to the inbox and are "
                          "taken again later", p.name, jobs.size(), store->last_problem().text, wait.count() / 1000.0);
            for (const auto& j : jobs)
                if (::renameat2(AT_FDCWD, j.file.c_str(), AT_FDCWD, (p.inbox / j.name).c_str(), RENAME_NOREPLACE) != 0)
                    spdlog::error("event=left-claimed file={} reason=\"{}\"", j.file.string(), std::strerror(errno));
            return;
        }
        intake_failures = 0;
        std::size_t d = 0;
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            if (d < settle.size() && settle[d].index == k) {
                auto state = std::string(tracking::to_string(settle[d].state));
                archive(jobs[k], state);
                report({p.name, jobs[k].name, state, settle[d].why, jobs[k].id, {}, 0});
                ++d;
            } else {
                enqueue(std::move(jobs[k]));
            }
        }
    }

    /// Moves a claimed input to the place of its state (archive/<state>/, or hold/ when held).
    static bool archive(const job& j, std::string_view state) {
        fs::path to = input_place(*j.config, j.partner->name, state);
        std::error_code ec;
        fs::create_directories(to, ec);
        fs::rename(j.file, to / j.file.filename(), ec);
        if (ec) spdlog::error("event=archive-failed file={} reason=\"{}\"", j.file.string(), ec.message());
        return !ec;
    }

    /// One worker thread: its own database connection and its own translators (one per partner
    /// and configuration), so workers share nothing but the queue. It takes up to `group` queued
    /// files at once and makes them durable together: outputs written and renamed, one syncfs,
    /// one database commit for all (group commit), then the inputs move to the archive.
    void work() {
        constexpr std::size_t group = 64;
        std::unique_ptr<tracking::store> own;
        try {
            own = open_store(*config);
        } catch (const std::exception& e) {
            spdlog::critical("event=worker-failed reason=\"{}\"", e.what());
            return;
        }
        std::map<std::pair<const gateway_config*, std::string>, std::unique_ptr<route_translator>> translators;
        std::shared_ptr<const gateway_config> holding;  // keeps the configuration of the cached translators alive
        directory::catalog dirs{directory::catalog::default_roots()};  // for the replies to rejected inputs
        for (;;) {
            std::vector<job> jobs;
            bool alone = false;
            {
                std::unique_lock lock(mutex);
                // A file that was being translated when the gateway stopped (a crash, a kill) is a
                // suspect: it is translated alone, while no other worker runs, so that a crash it
                // causes again is counted against it and nothing else.
                wake.wait(lock, [&] { return stopping || (!queue.empty() && !suspect && (!queue.front().alone || busy == 0)); });
                if (stopping) return;
                suspect = alone = queue.front().alone;
                do {
                    jobs.push_back(std::move(queue.front()));
                    queue.pop_front();
                } while (!jobs.front().alone && !queue.empty() && !queue.front().alone && jobs.size() < group);
                ++busy;
            }
            // Taken for processing in one commit; a file an operator held meanwhile is left alone.
            {
                auto b = own->begin();
                std::vector<bool> taken;
                for (const auto& j : jobs)
                    taken.push_back(b.transition(j.id, {tracking::file_state::received, tracking::file_state::processing},
                                                 tracking::file_state::processing, "translating"));
                if (!b.commit()) std::fill(taken.begin(), taken.end(), true);  // could not record it: translate anyway
                std::vector<job> kept;
                std::lock_guard lock(mutex);
                for (std::size_t k = 0; k < jobs.size(); ++k) {
                    if (taken[k]) kept.push_back(std::move(jobs[k]));
                    else active.erase(jobs[k].id);
                }
                jobs = std::move(kept);
            }
            std::vector<done_job> done;
            std::vector<job> again;
            for (auto& j : jobs) {
                if (holding != j.config) translators.clear(), holding = j.config;  // a reload: build the translators again
                auto d = translate(j, translators[std::make_pair(j.config.get(), j.partner->name)]);
                if (d.state == tracking::file_state::rejected && sniff(j.file) == input_kind::edifact) reply(d, *own, dirs);
                if (d.state == tracking::file_state::delivered) deliver(d);
                if (!d.r.io_failed) write_report(d);
                if (d.r.io_failed) {
                    d.undo();
                    if (d.io_problem.empty())  // the translator's own output: its finding says which and why
                        for (const auto& f : d.r.findings)
                            if (f.text.starts_with("cannot write ")) d.io_problem = f.text;
                    defer(j, *own, d.io_problem.empty() ? "an output could not be written (disk full or no permission)" : d.io_problem);
                    again.push_back(std::move(j));
                } else {
                    done.push_back(std::move(d));
                }
            }
            if (auto problem = done.empty() ? std::string() : record(done, *own); !problem.empty()) {
                for (auto& d : done) {
                    d.undo();
                    defer(*d.j, *own, problem);
                    again.push_back(std::move(*d.j));
                }
                done.clear();
            }
            std::lock_guard lock(mutex);
            --busy;
            if (alone) suspect = false;
            for (auto& d : done) active.erase(d.j->id);
            for (auto& j : again) waiting.push_back(std::move(j));
            idle.notify_all();
            wake.notify_all();  // a suspect may be waiting for the others to finish, or the others for it
        }
    }

    /// A translated file waiting for the group commit.
    struct done_job {
        job* j = nullptr;
        route_translator::outcome r;
        tracking::file_state state = tracking::file_state::failed;
        std::string text;
        std::vector<std::string> replies;  ///< "CONTRL 17 (rejected) -> path" for the event log
        std::vector<fs::path> reply_files;
        struct delivery {
            std::string output, channel;
            fs::path to;      ///< a folder channel: the output's copy there
            std::string key;  ///< a remote channel: the Idempotency-Key (it is queued, sent by the courier)
        };
        std::vector<delivery> deliveries;  ///< outputs put into their agency's channel folder, or queued for its courier
        std::map<std::string, std::vector<receipts::key>> keys;  ///< per output: what a receipt answering it will carry
        fs::path record;                   ///< the archive record (report and output links)
        std::string io_problem;            ///< what could not be written, and why
        /// Something of this file could not be written (no fault of the input): it is deferred.
        void cannot(const std::string& what, const std::string& why = std::strerror(errno)) {
            r.io_failed = true;
            io_problem = fmt::format("cannot {}: {}", what, why);
        }
        void undo() const {
            std::error_code ec;
            if (!record.empty()) remove_record(record);
            for (const auto& w : r.written) std::filesystem::remove(w, ec);
            for (const auto& w : reply_files) std::filesystem::remove(w, ec);
            for (const auto& w : deliveries)
                if (!w.to.empty()) std::filesystem::remove(w.to, ec);
        }
    };

    /// Translates one claimed file into its outbound folder (not yet durable, not yet recorded).
    done_job translate(job& j, std::unique_ptr<route_translator>& rt) {
        const auto& c = *j.config;
        const auto& p = *j.partner;
        done_job d{&j, {}, tracking::file_state::failed, {}};
        std::string setup_error;
        try {
            if (!rt) {
                fs::create_directories(outbound_dir(c, p.name));
                rt = std::make_unique<route_translator>(p.route, outbound_dir(c, p.name), p.sets, reading_for(c, p), c.max_message_mb);
                rt->sync_outputs_later();
            }
            crash_if_marked(j.file);
            d.r = rt->process(j.file, claim_time(j.file.filename().string()));
        } catch (const std::exception& e) {
            // A route that cannot be loaded (check-config finds this first) or an unexpected failure:
            // the file fails with the reason; nothing is half-written (outputs appear by rename).
            setup_error = e.what();
            d.r.readable = false;
        }
        d.state = !setup_error.empty() || !d.r.readable ? tracking::file_state::failed
                  : d.r.ok                              ? tracking::file_state::delivered
                                                        : tracking::file_state::rejected;
        // What the operator reads first: how many outputs, or (nothing written) the first finding.
        std::vector<std::string> parts;
        if (!setup_error.empty()) parts.push_back(setup_error);
        else if (!d.r.written.empty() || d.state == tracking::file_state::delivered)
            parts.push_back(fmt::format("{} output{} written", d.r.written.size(), d.r.written.size() == 1 ? "" : "s"));
        std::size_t errors = 0;
        for (const auto& f : d.r.findings)
            if (f.level == core::severity::error && errors++ == 0) parts.push_back(fmt::format("{} [{}]", f.text, f.code));
        if (errors == 0 && d.state == tracking::file_state::rejected)  // nothing wrong with it, but nothing for this route either
            parts.push_back(d.r.findings.empty() ? fmt::format("no mapping of route '{}' reads what it carries", p.route)
                                                 : fmt::format("{} [{}]", d.r.findings.front().text, d.r.findings.front().code));
        d.text = parts.empty() ? std::string("no output written") : fmt::format("{}", fmt::join(parts, "; "));
        if (errors > 1) d.text += fmt::format(" and {} more finding{}", errors - 1, errors == 2 ? "" : "s");
        return d;
    }

    /// The answer to a rejected EDIFACT input, for its sender: a CONTRL for each interchange (in
    /// its syntax version; UCM/UCS/UCD point at what is wrong, or it says the syntax was fine), and
    /// an APERAK where the directory found application errors, in work/replies/<partner>/. Each
    /// gets the next outbound control reference of the partner. Not the input's fault when it
    /// cannot be written: the file is then deferred like any other output.
    void reply(done_job& d, tracking::store& db, directory::catalog& dirs) {
        const auto& j = *d.j;
        auto reading = reading_for(*j.config, *j.partner);
        reading.resolve();
        directory::validator validator(dirs, reading.make_validation());
        reply_pass pass(validator);
        std::vector<ack::interchange_record> done;
        pass.collector.on_complete([&](ack::interchange_record& r) { done.push_back(std::move(r)); });
        edifact::reader(reading.make(true)).read_file(j.file, pass);
        fs::path dir = replies_dir(*j.config, j.partner->name);
        std::error_code ec;
        fs::create_directories(dir, ec);
        auto now = std::chrono::system_clock::now();
        std::string stem = j.file.stem().string();
        for (std::size_t k = 0; k < done.size(); ++k) {
            for (const char* kind : {"contrl", "aperak"}) {
                auto b = db.begin();
                auto n = b.next_reference(j.partner->name, "out");
                if (!b.commit()) return d.cannot("record the next control reference", db.last_problem().text);
                std::ostringstream text;
                ack::write_result w;
                std::string reference = fmt::format("EG{:010}", n);
                if (kind == std::string_view("contrl")) {
                    ack::contrl_options o;
                    o.control_reference = reference;
                    o.date = core::utc_text(now, "%Y%m%d", 0), o.time = core::utc_text(now, "%H%M", 0);
                    w = ack::write_contrl(done[k], text, o);
                } else {
                    // The mapping's findings about this interchange's messages (a value an agency
                    // needs is missing) go into the APERAK too: messages by their number in the file.
                    if (k < d.r.interchanges.size())
                        for (std::size_t i = 0; i < done[k].messages.size() && i < d.r.interchanges[k].messages.size(); ++i)
                            for (const auto& f : d.r.findings)
                                if (f.code.starts_with("EDI-M") && ack::is_application_finding(f) &&
                                    f.where.message == d.r.interchanges[k].messages[i].id)
                                    done[k].messages[i].findings.push_back(f);
                    ack::aperak_options o;
                    o.control_reference = reference;
                    o.date = core::utc_text(now, "%Y%m%d", 0), o.time = core::utc_text(now, "%H%M", 0);
                    o.document_name_code = ack::document_codes_from(dirs);
                    w = ack::write_aperak(done[k], text, o);
                }
                if (!w.written) {
                    for (const auto& p : w.problems) d.replies.push_back(fmt::format("no {}: {} [{}]", kind, p.text, p.code));
                    continue;
                }
                fs::path to = dir / fmt::format("{}.{}.{}.edi", stem, k + 1, kind);
                if (!publish(to, text.str())) return d.cannot("write " + to.string());
                d.reply_files.push_back(to);
                d.replies.push_back(fmt::format("{} {} for interchange {} -> {}", kind == std::string_view("contrl") ? "CONTRL" : "APERAK",
                                                reference, done[k].header.control_reference, to.string()));
            }
        }
    }

    /// Puts each output of a delivered file into the channel folder of its agency (the output's
    /// name; a temporary file and a rename, so a partial file is never seen there and a redo
    /// replaces instead of adding a second copy), or, for an SFTP or HTTPS channel, readies its
    /// queue entry (sent by the channel's courier once the file's commit has it). Outputs of
    /// agencies without a channel stay in outbound/ only. Not the input's fault when it cannot be
    /// written: the file is deferred.
    void deliver(done_job& d) {
        const auto& c = *d.j->config;
        for (std::size_t k = 0; k < d.r.written.size() && k < d.r.agencies.size(); ++k) {
            const auto* ch = c.channel_for(d.r.agencies[k]);
            if (!ch) continue;
            fs::path from = d.r.written[k];
            std::ifstream in(from, std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            if (!in) return d.cannot(fmt::format("read {} for channel {}", from.string(), ch->name));
            // What a receipt answering it will carry; only where receipts come back through a
            // folder (an HTTPS answer names its delivery itself), so as not to parse every output twice.
            if (!ch->receipts.empty())
                if (auto keys = receipts::output_keys(text, from.filename().string()); !keys.empty()) d.keys[from.string()] = std::move(keys);
            if (ch->remote()) {
                d.deliveries.push_back({from.string(), ch->name, {}, delivery_key(ch->name, from.filename().string(), text)});
                continue;
            }
            fs::path to = ch->path / from.filename();
            std::error_code ec;
            fs::create_directories(ch->path, ec);
            if (!publish(to, text)) return d.cannot(fmt::format("write {} for channel {}", to.string(), ch->name));
            d.deliveries.push_back({from.string(), ch->name, to, {}});
        }
    }

    /// yyyyMMddHHmmssSSS (a claim time) as 2026-11-27T19:09:24.736Z.
    static std::string iso_time(const std::string& t) {
        if (t.size() != 17) return t;
        return fmt::format("{}-{}-{}T{}:{}:{}.{}Z", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2), t.substr(8, 2), t.substr(10, 2),
                           t.substr(12, 2), t.substr(14));
    }

    /// The report of a file settled without translation (a duplicate, an impostor, a poison file).
    static nlohmann::ordered_json settled_report(const job& j, std::string_view state, const std::string& why) {
        return {{"id", j.id}, {"partner", j.partner->name}, {"name", j.name}, {"work_name", j.file.filename().string()},
                {"state", state}, {"summary", why}, {"route", j.partner->route},
                {"claimed_at", iso_time(claim_time(j.file.filename().string()))},
                {"finished_at", core::utc_text(std::chrono::system_clock::now(), "%Y-%m-%dT%H:%M:%S", 3, ".", "Z")}};
    }

    /// Writes the archive record of a translated file where its input goes once its state is
    /// committed: what was read, every finding with its position, each output with its copy,
    /// the deliveries and the replies.
    void write_report(done_job& d) {
        const auto& j = *d.j;
        auto report = settled_report(j, tracking::to_string(d.state), d.text);
        nlohmann::ordered_json findings = nlohmann::ordered_json::array(), deliveries = nlohmann::ordered_json::array(),
                               replies = nlohmann::ordered_json::array();
        for (const auto& f : d.r.findings) findings.push_back(diagnostic_json(f, nullptr));
        for (const auto& x : d.deliveries)
            deliveries.push_back(x.to.empty() ? nlohmann::ordered_json{{"channel", x.channel}, {"queued", fs::path(x.output).filename().string()},
                                                                       {"idempotency_key", x.key}}
                                              : nlohmann::ordered_json{{"channel", x.channel}, {"file", x.to.string()}});
        for (const auto& r : d.replies) replies.push_back(r);
        report["interchanges"] = interchanges_json(d.r.interchanges);
        report["outputs"] = d.r.outputs;
        report["deliveries"] = deliveries;
        report["replies"] = replies;
        report["findings"] = findings;
        std::vector<fs::path> outputs(d.r.written.begin(), d.r.written.end());
        fs::path record = record_place(*j.config, j.partner->name, tracking::to_string(d.state), j.file.filename().string());
        if (write_record(record, std::move(report), outputs, d.reply_files)) d.record = record;
        else d.cannot("write the archive record " + record.string());
    }

    /// Makes a group of translated files durable and records them in one commit, then archives
    /// the inputs. The problem when they cannot be made durable or recorded (nothing recorded).
    std::string record(std::vector<done_job>& done, tracking::store& db) {
        // One syncfs per outbound file system makes every output and rename of the group durable
        // before the commit that says they exist (an uncommitted output is redone after a crash).
        std::set<std::string> dirs;
        for (const auto& d : done) {
            dirs.insert(outbound_dir(*d.j->config, d.j->partner->name).string());  // replies/ and archive/ are on the same file system (the work folder)
            for (const auto& x : d.deliveries)
                if (!x.to.empty()) dirs.insert(x.to.parent_path().string());
        }
        std::set<dev_t> synced;
        for (const auto& dir : dirs) {
            struct stat st {};
            if (::stat(dir.c_str(), &st) == 0 && !synced.insert(st.st_dev).second) continue;  // one syncfs per file system
            if (!sync_filesystem(dir)) return fmt::format("cannot make the outputs in {} durable: {}", dir, std::strerror(errno));
        }
        auto b = db.begin();
        for (const auto& d : done) {
            const auto& j = *d.j;
            std::unordered_multimap<std::string_view, const done_job::delivery*> deliveries;  // by output path
            for (const auto& x : d.deliveries) deliveries.emplace(x.output, &x);
            for (std::size_t k = 0; k < d.r.interchanges.size(); ++k) {
                const auto& i = d.r.interchanges[k];
                auto iid = k < j.interchange_ids.size() ? j.interchange_ids[k] : b.add_interchange(j.id, i.sender, i.recipient, i.control_reference);
                for (const auto& m : i.messages) {
                    auto mid = b.add_message(iid, m.type, m.reference, m.status, m.references);
                    for (const auto& o : m.outputs) {
                        auto oid = b.add_output(mid, o.mapping, o.path, o.status);
                        auto [from, to] = deliveries.equal_range(o.path);
                        for (auto it = from; it != to; ++it) {
                            const auto& x = *it->second;
                            if (x.to.empty()) b.queue_delivery(oid, j.id, x.channel, o.path, fs::path(o.path).filename().string(), x.key);
                            else b.add_delivery(oid, j.id, x.channel, "delivered", x.to.string());
                        }
                        if (auto found = d.keys.find(o.path); found != d.keys.end())
                            for (const auto& key : found->second) b.add_output_key(oid, key.kind, key.value);
                    }
                }
            }
            for (const auto& o : d.r.outputs) b.event("output", o, j.id);
            for (const auto& x : d.deliveries)
                b.event("delivery", fmt::format("{} -> channel {}: {}", fs::path(x.output).filename().string(), x.channel,
                                                x.to.empty() ? "queued" : x.to.string()), j.id);
            for (const auto& r : d.replies) b.event("reply", r, j.id);
            std::size_t shown = 0;
            for (const auto& f : d.r.findings)
                if (f.level == core::severity::error && shown++ < 100) b.event("finding", fmt::format("{} [{}]", f.text, f.code), j.id);
            b.set_state(j.id, d.state, d.text);
        }
        if (!b.commit()) return db.last_problem().text;
        wake_couriers(done);
        // The states are committed: now the inputs move to the archive. A crash in between leaves
        // them in claimed/ with a terminal row, and recover() finishes the move.
        for (const auto& d : done) {
            archive(*d.j, tracking::to_string(d.state));
            double seconds = std::chrono::duration<double>(clock_type::now() - d.j->claimed_at).count();
            report({d.j->partner->name, d.j->name, std::string(tracking::to_string(d.state)), d.text, d.j->id, d.r.outputs, seconds});
        }
        return {};
    }

    /// The couriers of the channels this group queued deliveries for.
    void wake_couriers(const std::vector<done_job>& done) {
        std::set<std::string> channels;
        for (const auto& d : done)
            for (const auto& x : d.deliveries)
                if (x.to.empty()) channels.insert(x.channel);
        std::lock_guard lock(couriers_mutex);
        for (auto& c : couriers)
            if (channels.contains(c->name())) c->wake();
    }

    /// An agency's receipt for one of a partner's files, rewritten for the partner by its receipt
    /// route (an APERAK from the original's recipient back to its sender, referring to the
    /// original message) into work/replies/<partner>/.
    std::vector<std::string> answer_receipt(const tracking::file_record& f, const std::vector<tracking::interchange_record>& interchanges,
                                            const fs::path& receipt) {
        std::shared_ptr<const gateway_config> c;
        {
            std::lock_guard lock(mutex);
            c = config;
        }
        const partner_config* p = nullptr;
        for (const auto& x : c->partners)
            if (x.name == f.partner) p = &x;
        if (!p || p->receipt_route.empty()) return {};
        auto sets = p->sets;
        if (!interchanges.empty()) {
            sets.push_back("edi_sender=" + interchanges.front().recipient);
            sets.push_back("edi_recipient=" + interchanges.front().sender);
            if (!interchanges.front().messages.empty()) sets.push_back("original=" + interchanges.front().messages.front().reference);
        }
        fs::path dir = replies_dir(*c, p->name);
        fs::create_directories(dir);
        route_translator rt(p->receipt_route, dir, sets, reading_for(*c, *p), c->max_message_mb);
        auto r = rt.process(receipt);
        std::vector<std::string> lines;
        for (const auto& w : r.written) lines.push_back(fmt::format("answer to the sender from receipt {} -> {}", receipt.filename().string(), w));
        for (const auto& x : r.findings)
            if (x.level == core::severity::error)
                lines.push_back(fmt::format("no answer to the sender from receipt {}: {} [{}]", receipt.filename().string(), x.text, x.code));
        return lines;
    }

    /// A courier for each channel that sends (SFTP, HTTPS) or reads receipts.
    void start_couriers() {
        std::lock_guard lock(couriers_mutex);
        couriers.clear();
        for (const auto& ch : config->channels) {
            if (!ch.remote() && ch.receipts.empty()) continue;
            couriers.push_back(std::make_unique<courier>(ch, config->work,
                                                         [this](const auto& f, const auto& i, const auto& p) { return answer_receipt(f, i, p); }));
        }
    }

    void defer(job& j, tracking::store& db, const std::string& why) {
        auto wait = retry_wait(*j.config, j.deferrals++);  // doubles with each deferral in a row, up to retry_max_ms
        j.not_before = clock_type::now() + wait;
        auto b = db.begin();
        b.event("deferred", fmt::format("{}; the input stays claimed and is tried again in {} s", why, wait.count() / 1000.0), j.id);
        b.commit();  // may fail too (the same full disk): the log line below still tells the operator
        spdlog::warn("event=deferred partner={} id={} name=\"{}\" reason=\"{}\" retry_in_s={:.1f}", j.partner->name, j.id, j.name, why,
                     wait.count() / 1000.0);
        report({j.partner->name, j.name, "deferred", why, j.id, {}, 0});
    }
};

gateway::gateway(std::shared_ptr<const gateway_config> config, listener on_done) : impl_(std::make_unique<impl>()) {
    impl_->config = std::move(config);
    impl_->on_done = std::move(on_done);
    const auto& c = *impl_->config;
    std::error_code ec;
    fs::create_directories(c.work, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create the work folder {}: {}", c.work.string(), ec.message()));
    // One gateway per work area: a second one would claim the same files.
    fs::path lock = c.work / "edigate.lock";
    impl_->lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (impl_->lock_fd < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", lock.string(), std::strerror(errno)));
    if (::flock(impl_->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {};
        ssize_t n = ::pread(impl_->lock_fd, pid, sizeof pid - 1, 0);
        throw std::runtime_error(fmt::format("another edigate gateway is running on the work folder {} (pid {}, it holds {})", c.work.string(),
                                             n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown", lock.string()));
    }
    // The lock is the flock of a live process: a crash releases it, no stale lock to remove by hand.
    // The pid in the file is only for the message a second instance prints.
    auto pid = std::to_string(::getpid());
    [[maybe_unused]] bool noted = ::ftruncate(impl_->lock_fd, 0) == 0 && ::pwrite(impl_->lock_fd, pid.data(), pid.size(), 0) > 0;
    impl_->store = open_store(c);
}

gateway::~gateway() {
    stop();
    if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);
}

void gateway::recover() {
    auto c = impl_->config;
    auto& db = *impl_->store;
    std::set<std::string> seen;  // work names found in claimed/
    for (const auto& p : c->partners) {
        fs::path claimed = claimed_dir(*c, p.name), out = outbound_dir(*c, p.name);
        std::error_code ec;
        fs::create_directories(claimed, ec);
        // Temporaries of a cut-off write: an output never published, a copy never finished.
        for (const auto& dir : {out, claimed, replies_dir(*c, p.name)})
            for (const auto& e : fs::directory_iterator(dir, ec)) {
                auto name = e.path().filename().string();
                if (name.starts_with(".edigate-") || (name.starts_with(".") && name.ends_with(".part"))) fs::remove(e.path(), ec);
            }
        std::vector<spool::claimed> unregistered;
        for (const auto& e : spool::scan(claimed, std::chrono::milliseconds(0))) {
            if (e.what != spool::entry::kind::ready || e.name.ends_with(".swapped") || e.name.ends_with(".oversized")) continue;
            seen.insert(p.name + "/" + e.name);
            std::optional<tracking::file_record> row;
            for (auto& f : db.find(e.name))
                if (f.partner == p.name && f.work_name == e.name) row = f;
            job j{c, &p, 0, claimed / e.name, e.name, {}, clock_type::now(), {}};
            // A record written for an attempt that never committed its state is not the truth.
            if (!row || row->state == "received" || row->state == "processing") forget_records(*c, p.name, e.name);
            if (!row) {
                // Claimed by a run cut off before it recorded the claim: registered now, under the
                // name it arrived with (the claimed name is "<stamp>-<name>").
                std::string error;
                spool::entry self{e.name};
                if (auto got = spool::claim(claimed, self, claimed, e.name, error, false)) {
                    auto dash = e.name.find('-');
                    got->original_name = dash == std::string::npos ? e.name : e.name.substr(dash + 1);
                    unregistered.push_back(std::move(*got));
                }
                continue;
            }
            j.id = row->id;
            j.name = row->name;
            if (row->state == "received" || row->state == "processing") {
                // Attempts cut off so far: "processing" events since the file was last received
                // (or deferred for a full disk, which is no fault of the file).
                int attempts = 0;
                for (const auto& ev : db.history(row->id))
                    attempts = ev.kind == "received" || ev.kind == "deferred" ? 0 : attempts + (ev.kind == "processing");
                auto b = db.begin();
                if (attempts >= c->max_attempts) {
                    // A poison file: the gateway stopped while translating it, again and again.
                    // It is set aside so that everything else keeps flowing.
                    auto why = fmt::format("the gateway stopped {} times while translating this file (a crash or kill each time); set "
                                           "aside, not tried again (edigate queue retry {} after a fix)", attempts, j.id);
                    b.set_state(j.id, tracking::file_state::failed, why);
                    fs::path record = record_place(*c, p.name, "failed", e.name);
                    if (write_record(record, impl::settled_report(j, "failed", why), {}, {})) sync_filesystem(record.parent_path());
                    if (b.commit()) impl::archive(j, "failed");
                    spdlog::error("event=poison partner={} id={} name=\"{}\" attempts={}", p.name, j.id, j.name, attempts);
                    impl_->report({p.name, j.name, "failed", "stopped the gateway " + std::to_string(attempts) + " times", j.id, {}, 0});
                    continue;
                }
                for (const auto& i : db.interchanges(row->id)) j.interchange_ids.push_back(i.id);
                j.alone = row->state == "processing";
                b.event("resumed", fmt::format("found claimed at start-up: translated again{} (outputs of an earlier attempt are replaced)",
                                               j.alone ? ", on its own" : ""), j.id);
                b.commit();
                spdlog::info("event=resumed partner={} id={} name=\"{}\" attempts={}", p.name, j.id, j.name, attempts);
                impl_->enqueue(std::move(j));
            } else {
                impl::archive(j, row->state);  // the state was committed; the move (to the archive, or hold/) was cut off
                spdlog::info("event=archived-late partner={} id={} state={}", p.name, j.id, row->state);
            }
        }
        impl_->register_claims(c, p, std::move(unregistered));
    }
    for (const auto& ch : c->channels) {
        std::error_code ec;
        if (ch.path.empty()) continue;
        for (const auto& e : fs::directory_iterator(ch.path, ec))
            if (e.path().filename().string().starts_with(".edigate-")) fs::remove(e.path(), ec);
    }
    // Rows in flight whose input is not in claimed/: an operator's move (edigate queue release,
    // retry, resend) cut off between its commit and its rename is finished; otherwise someone
    // removed the input, which is said, never silent.
    for (const auto& f : db.in_flight()) {
        if (seen.count(f.partner + "/" + f.work_name)) continue;
        const partner_config* p = nullptr;
        for (const auto& q : c->partners)
            if (q.name == f.partner) p = &q;
        if (!p) {
            spdlog::warn("event=unknown-partner id={} partner={}: in flight, but the partner is no longer configured", f.id, f.partner);
            continue;
        }
        if (auto from = find_input(*c, f); !from.empty()) {
            std::error_code ec;
            fs::rename(from, claimed_dir(*c, f.partner) / f.work_name, ec);
            if (!ec) {
                job j{c, p, f.id, claimed_dir(*c, f.partner) / f.work_name, f.name, {}, clock_type::now(), {}};
                for (const auto& i : db.interchanges(f.id)) j.interchange_ids.push_back(i.id);
                impl_->enqueue(std::move(j));
                continue;
            }
        }
        auto b = db.begin();
        b.set_state(f.id, tracking::file_state::failed, fmt::format("the claimed input {} is missing from the work area", f.work_name));
        b.commit();
        spdlog::error("event=missing partner={} id={} name=\"{}\"", f.partner, f.id, f.name);
    }
}

bool gateway::intake(bool report_waiting, const std::set<std::string>& renamed_in) {
    auto c = config();
    bool settling = false;
    {
        // Deferred files whose time has come go back into the queue.
        std::lock_guard lock(impl_->mutex);
        auto now = clock_type::now();
        for (auto it = impl_->waiting.begin(); it != impl_->waiting.end();) {
            if (it->not_before <= now && !impl_->stopping) {
                impl_->queue.push_back(std::move(*it));
                impl_->wake.notify_one();
                it = impl_->waiting.erase(it);
            } else {
                ++it;
            }
        }
    }
    if (clock_type::now() < impl_->intake_paused_until) return false;
    if (clock_type::now() >= impl_->next_requeue) {
        // Files an operator released or sent round again (edigate queue, resend) are "received"
        // and back in claimed/: taken up here, once per scan interval.
        // Only rows changed since the previous look (with a margin for clocks and commit delays):
        // the operator's commands set the change time, and a full scan of a long queue every few
        // seconds would cost more than the work itself.
        impl_->next_requeue = clock_type::now() + c->scan_interval;
        auto since = std::exchange(impl_->requeue_since,
                                   core::utc_text(std::chrono::system_clock::now() - std::chrono::seconds(10), "%Y-%m-%dT%H:%M:%S", 3, ".", "Z"));
        for (const auto& f : impl_->store->in_flight(since)) {
            {
                std::lock_guard lock(impl_->mutex);
                if (impl_->active.count(f.id)) continue;
            }
            const partner_config* p = nullptr;
            for (const auto& q : c->partners)
                if (q.name == f.partner) p = &q;
            fs::path file = p ? claimed_dir(*c, p->name) / f.work_name : fs::path();
            if (!p || f.work_name.empty() || !fs::is_regular_file(file)) continue;
            job j{c, p, f.id, file, f.name, {}, clock_type::now(), {}};
            for (const auto& i : impl_->store->interchanges(f.id)) j.interchange_ids.push_back(i.id);
            impl_->enqueue(std::move(j));
        }
    }
    for (const auto& p : c->partners) {
        fs::path claimed = claimed_dir(*c, p.name), quarantine = c->work / "quarantine" / p.name;
        std::error_code ec;
        fs::create_directories(claimed, ec);
        std::vector<spool::claimed> claims;
        for (auto e : spool::scan(p.inbox, c->settle, c->max_file_mb << 20)) {
            if (e.what == spool::entry::kind::settling && renamed_in.count((p.inbox / e.name).string())) e.what = spool::entry::kind::ready;
            if (e.what == spool::entry::kind::settling || e.what == spool::entry::kind::skipped) {
                settling = settling || e.what == spool::entry::kind::settling;
                if (report_waiting) impl_->report({p.name, e.name, "waiting", e.reason, 0, {}, 0});
                continue;
            }
            std::string error;
            if (e.what == spool::entry::kind::refused) {
                fs::create_directories(quarantine, ec);
                bool moved = spool::quarantine(p.inbox, e, quarantine, error);
                auto why = fmt::format("{}; {}", e.reason, moved ? "moved to quarantine" : error);
                auto b = impl_->store->begin();
                b.event("refused", fmt::format("{}: {} is {}", p.name, spool::safe_name(e.name), why));
                b.commit();
                spdlog::warn("event=refused partner={} name=\"{}\" reason=\"{}\"", p.name, spool::safe_name(e.name), why);
                impl_->report({p.name, e.name, "refused", why, 0, {}, 0});
                continue;
            }
            if (auto got = spool::claim(p.inbox, e, claimed, stamp() + "-" + e.name, error, false, c->max_file_mb << 20)) {
                claims.push_back(std::move(*got));
            } else {
                spdlog::warn("event=not-taken partner={} name=\"{}\" reason=\"{}\"", p.name, spool::safe_name(e.name), error);
                if (report_waiting) impl_->report({p.name, e.name, "waiting", error, 0, {}, 0});
            }
            if (claims.size() >= 256) impl_->register_claims(c, p, std::exchange(claims, {}));  // keep the workers fed
        }
        impl_->register_claims(c, p, std::move(claims));
    }
    return settling;
}

void gateway::start() {
    for (unsigned k = 0; k < impl_->config->workers; ++k) impl_->workers.emplace_back([this] { impl_->work(); });
    impl_->start_couriers();
}

void gateway::drain() {
    {
        std::unique_lock lock(impl_->mutex);
        impl_->idle.wait(lock, [&] { return impl_->stopping || (impl_->queue.empty() && impl_->busy == 0); });
    }
    std::lock_guard lock(impl_->couriers_mutex);
    for (auto& c : impl_->couriers) c->drain();
}

void gateway::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
        impl_->queue.clear();  // still claimed and "received": the next start resumes them
        impl_->waiting.clear();
        impl_->wake.notify_all();
        impl_->idle.notify_all();
    }
    for (auto& t : impl_->workers)
        if (t.joinable()) t.join();
    impl_->workers.clear();
    std::lock_guard lock(impl_->couriers_mutex);
    impl_->couriers.clear();  // each finishes the upload it is in
}

void gateway::reload(std::shared_ptr<const gateway_config> config) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->config = std::move(config);
        impl_->readings.clear();
    }
    impl_->start_couriers();  // the channels as configured now (a fixed known_hosts, a new endpoint)
}

std::shared_ptr<const gateway_config> gateway::config() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->config;
}

std::size_t gateway::deferred() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->waiting.size() + (clock_type::now() < impl_->intake_paused_until ? 1 : 0);
}

}  // namespace edigate::cli
