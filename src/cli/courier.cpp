// courier.cpp - see courier.hpp.
#include "courier.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fmt/ranges.h>
#include <map>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "edigate/core/clock.hpp"
#include "edigate/receipts/receipt.hpp"
#include "edigate/tracking/store.hpp"
#include "edigate/transfer/https.hpp"
#include "edigate/transfer/sftp.hpp"

namespace edigate::cli {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using sys_clock = std::chrono::system_clock;

namespace {

/// Hex SHA-256 of the parts, one after the other.
std::string sha256_hex(std::initializer_list<std::string_view> parts) {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 is not available");
    for (auto part : parts) EVP_DigestUpdate(ctx.get(), part.data(), part.size());
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

}  // namespace

std::string delivery_key(const std::string& channel, const std::string& remote_name, std::string_view content) {
    return "edigate-" + sha256_hex({channel, "\n", remote_name, "\n", content}).substr(0, 32);
}

namespace {

std::string iso(sys_clock::time_point t) { return core::utc_text(t, "%Y-%m-%dT%H:%M:%S", 3, ".", "Z"); }

/// An ISO time of ours (2026-11-27T19:09:24.736Z) back to a time point; nullopt when it is not one.
std::optional<sys_clock::time_point> parse_iso(const std::string& s) {
    std::tm tm{};
    int ms = 0;
    if (s.size() < 24 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                                     &tm.tm_sec, &ms) != 7)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return sys_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(ms);
}

/// A receipt file from a local folder: a regular file with one name, opened without following a
/// link, at most `limit` bytes, unchanged for a second. False with `why` (empty: not ready yet).
bool read_plain(const fs::path& p, std::size_t limit, std::string& data, std::string& why) {
    int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        why = errno == ELOOP ? "a symbolic link" : std::strerror(errno);
        return false;
    }
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0;
    if (!ok) why = std::strerror(errno);
    else if (!S_ISREG(st.st_mode)) why = "not a regular file", ok = false;
    else if (st.st_nlink != 1) why = "a hard link", ok = false;
    else if (static_cast<std::size_t>(st.st_size) > limit) why = fmt::format("larger than {} bytes", limit), ok = false;
    else if (std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime) < std::chrono::seconds(1)) ok = false;
    data.clear();
    char buf[1 << 16];
    for (ssize_t n; ok && (n = ::read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) why = std::strerror(errno), ok = false;
        else data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return ok;
}

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

struct courier::impl {
    channel_config ch;
    fs::path work;
    courier::answerer answer_sender;
    std::unique_ptr<tracking::store> db;
    std::unique_ptr<transfer::sftp_session> sftp;
    std::unique_ptr<transfer::https_client> https;
    std::mt19937 random{std::random_device{}()};

    std::mutex mutex;
    std::condition_variable wake, settled;
    bool stopping = false, woken = false, finished = false;
    std::atomic<bool> cancel{false};  ///< set on stop: an upload in progress is cut off (it stays pending, or "sending" for the next start)
    std::uint64_t asked = 0, answered = 0;  ///< drain requests made / the last one a quiet round answered
    std::thread thread;

    clock_type::time_point paused_until{};  ///< the channel's pause after a failure
    int failures = 0;                       ///< rounds in a row that ended in a failure of the channel
    clock_type::time_point next_receipts{};
    std::vector<std::function<void(tracking::batch&)>> unrecorded;  ///< outcomes whose commit failed: recorded first next time

    /// The wait after `n` failures in a row: retry_min doubled n-1 times, at most retry_max, ±10%.
    std::chrono::milliseconds backoff(int n) {
        auto wait = ch.retry_min;
        for (int i = 1; i < n && wait < ch.retry_max; ++i) wait *= 2;
        wait = std::min(wait, ch.retry_max);
        std::uniform_real_distribution<double> jitter(0.9, 1.1);
        return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(wait.count()) * jitter(random)));
    }

    /// The channel's lifetime as an operator reads it: "120 h", "0.5 h", "2 s".
    std::string lifetime() const {
        auto ms = ch.lifetime.count();
        return ms >= 360'000 ? fmt::format("{:g} h", static_cast<double>(ms) / 3.6e6) : fmt::format("{:g} s", static_cast<double>(ms) / 1e3);
    }

    transfer::sftp_session& open_sftp() {
        if (!sftp) {
            transfer::sftp_endpoint e;
            e.host = ch.host, e.port = ch.port, e.user = ch.user, e.folder = ch.folder;
            e.private_key = ch.key_file, e.known_hosts = ch.known_hosts;
            e.connect_timeout = ch.connect_timeout, e.low_speed_time = ch.low_speed_time, e.cancel = &cancel;
            sftp = std::make_unique<transfer::sftp_session>(e);
        }
        return *sftp;
    }

    transfer::upload_result send(const tracking::delivery_record& d, const std::string& data) {
        transfer::upload_result r;
        if (delivery_key(d.channel, d.remote_name, data) != d.idempotency_key) {  // re-translated since it was queued
            r.result = transfer::outcome::needs_operator;
            r.text = fmt::format("the output {} changed since this delivery was queued (the file was translated again?): not sent under "
                                 "the old Idempotency-Key; the newer delivery of that output sends it", d.source);
            return r;
        }
        try {
            if (ch.type == "sftp") return open_sftp().upload(d.remote_name, data);
            if (!https) {
                transfer::https_endpoint e;
                e.url = ch.url, e.method = ch.method, e.ca_file = ch.ca_file, e.client_cert = ch.client_cert, e.client_key = ch.client_key;
                e.user = ch.user, e.password_file = ch.password_file, e.content_type = ch.content_type;
                e.connect_timeout = ch.connect_timeout, e.timeout = ch.timeout, e.cancel = &cancel;
                https = std::make_unique<transfer::https_client>(e);
            }
            return https->send(d.remote_name, data, d.idempotency_key);
        } catch (const std::exception& e) {  // a channel that cannot be set up (an empty password file...): for an operator
            r.result = transfer::outcome::needs_operator;
            r.whole_channel = true;
            r.text = fmt::format("channel {} cannot be used: {}", ch.name, e.what());
            return r;
        }
    }

    /// Commits `steps` (and those of an earlier round whose commit failed, first); false when the
    /// database cannot be written: they are kept (by value) for the next round, and the channel
    /// pauses, so that a full disk is not hammered.
    bool record(std::vector<std::function<void(tracking::batch&)>> steps) {
        for (auto& s : steps) unrecorded.push_back(std::move(s));
        auto b = db->begin();
        for (const auto& s : unrecorded) s(b);
        if (!b.commit()) {
            auto wait = backoff(++failures);
            paused_until = clock_type::now() + wait;
            spdlog::error("event=delivery-not-recorded channel={} reason=\"{}\" retry_in_s={:.1f} : kept in memory and recorded first", ch.name,
                          db->last_problem().text, static_cast<double>(wait.count()) / 1000.0);
            return false;
        }
        unrecorded.clear();
        return true;
    }
    bool record(std::function<void(tracking::batch&)> step) { return record(std::vector{std::move(step)}); }

    /// Deliveries of this channel left "sending" by a gateway that stopped mid-attempt (a crash,
    /// a kill, a reload that replaced this courier) are pending again: sent under the same name
    /// and key, so the agency keeps one copy.
    void resume() {
        auto b = db->begin();
        auto n = b.resume_deliveries("sending", "interrupted (edigate stopped during the attempt): sent again under the same name and key",
                                     ch.name);
        if (n) b.event("deliveries-resumed", fmt::format("{} deliveries whose attempt a stop cut off are pending again (channel {})", n, ch.name));
        if (n && b.commit())
            spdlog::info("event=deliveries-resumed channel={} count={} : their attempts were cut off; the agency keeps one copy", ch.name, n);
    }

    /// One round: the due deliveries, marked sending, sent, their outcomes recorded. Returns how
    /// many were taken (0: nothing due, or the channel is paused).
    std::size_t round() {
        if (clock_type::now() < paused_until) return 0;
        if (!unrecorded.empty() && !record(std::vector<std::function<void(tracking::batch&)>>{})) return 0;
        auto due = db->due_deliveries(ch.name, ch.batch);
        if (due.empty()) return 0;
        {
            auto b = db->begin();
            for (const auto& d : due) b.update_delivery(d.id, "sending", fmt::format("attempt {} started", d.attempts + 1), 0, d.next_at);
            if (!b.commit()) {  // nothing marked, nothing sent: tried again after a pause
                paused_until = clock_type::now() + backoff(++failures);
                spdlog::error("event=delivery-not-recorded channel={} reason=\"{}\"", ch.name, db->last_problem().text);
                return 0;
            }
        }
        auto now = sys_clock::now();
        std::vector<std::function<void(tracking::batch&)>> steps;
        std::size_t k = 0;
        std::optional<std::chrono::milliseconds> pause;
        std::size_t cut_off = due.size();  // the one a stop interrupted
        for (; k < due.size() && !pause && !cancel; ++k) {
            auto& d = due[k];
            auto data = read_file(d.source);
            transfer::upload_result r;
            if (!data) {
                r.result = transfer::outcome::needs_operator;
                r.text = fmt::format("the output {} is gone from the work area (removed by hand?); nothing was sent", d.source);
            } else {
                r = send(d, *data);
            }
            if (cancel && r.result == transfer::outcome::transient) {  // cut off by a stop: as if not tried (below)
                cut_off = k;
                break;
            }
            std::string next = iso(sys_clock::now());
            if (r.result == transfer::outcome::sent) {
                failures = 0;
                steps.push_back([d, r](tracking::batch& b) {
                    b.update_delivery(d.id, "sent", r.text, 1, "");
                    b.event("sent", fmt::format("{} -> channel {}: {}", d.remote_name, d.channel, r.text), d.file_id);
                });
                spdlog::info("event=sent channel={} id={} file={} name={} attempt={}{}", ch.name, d.id, d.file_id, d.remote_name, d.attempts + 1,
                             r.already_there ? " already_there=1" : "");
                if (!r.answer.empty()) answer(d, r.answer);
                continue;
            }
            bool expired = parse_iso(d.created_at).value_or(now) + ch.lifetime < now;
            if (r.result == transfer::outcome::needs_operator && !r.whole_channel) {
                steps.push_back(fail(d, r.text));
                continue;
            }
            // The channel is down or refuses us: this delivery and the rest wait for the pause.
            auto wait = backoff(++failures);
            if (r.retry_after > wait) wait = std::min<std::chrono::milliseconds>(r.retry_after, ch.retry_max);  // never longer than retry_max
            pause = wait;
            next = iso(sys_clock::now() + wait);
            if (expired) {
                steps.push_back(fail(d, fmt::format("not sent within {} ({} attempts); last: {}", lifetime(), d.attempts + 1, r.text)));
                continue;
            }
            bool alert = r.result == transfer::outcome::needs_operator;
            steps.push_back([d, r, next, alert](tracking::batch& b) {
                b.update_delivery(d.id, "pending", r.text, 1, next);
                b.event(alert ? "alert" : "deferred", fmt::format("{} -> channel {}: {}; next attempt at {}", d.remote_name, d.channel, r.text, next),
                        d.file_id);
            });
            if (alert)
                spdlog::error("event=alert channel={} id={} file={} reason=\"{}\" next_attempt={} : the channel is paused and tried again then; "
                              "an operator should look", ch.name, d.id, d.file_id, r.text, next);
            else
                spdlog::warn("event=deferred channel={} id={} file={} reason=\"{}\" retry_in_s={:.1f}", ch.name, d.id, d.file_id, r.text,
                             static_cast<double>(wait.count()) / 1000.0);
        }
        // Deliveries of the round not tried (the channel failed first) wait for the same time,
        // without an attempt counted; those past their lifetime fail now. Those a stop cut off
        // (or never reached) keep their time and the reason of their last real attempt.
        for (; k < due.size(); ++k) {
            const auto& d = due[k];
            if (parse_iso(d.created_at).value_or(now) + ch.lifetime < now) {
                steps.push_back(fail(d, fmt::format("not sent within {} ({} attempts)", lifetime(), d.attempts)));
                continue;
            }
            // Their place in the queue is kept (the channel's pause holds them back), so that one
            // document the agency keeps failing does not go first after every pause.
            bool interrupted = k == cut_off;
            steps.push_back([d, interrupted](tracking::batch& b) {
                b.update_delivery(d.id, "pending", d.text, 0, d.next_at);
                if (interrupted)
                    b.event("interrupted", fmt::format("{} -> channel {}: the gateway stopped during the attempt; sent again when it runs again",
                                                       d.remote_name, d.channel), d.file_id);
            });
        }
        if (pause) paused_until = clock_type::now() + *pause;
        record(std::move(steps));
        return due.size();
    }

    std::function<void(tracking::batch&)> fail(const tracking::delivery_record& d, const std::string& why) {
        spdlog::error("event=alert channel={} id={} file={} name={} reason=\"{}\" : failed; `edigate resend --deliveries` sends it again", ch.name,
                      d.id, d.file_id, d.remote_name, why);
        return [d, why](tracking::batch& b) {
            b.update_delivery(d.id, "failed", why, 1, "");
            b.event("alert", fmt::format("delivery of {} -> channel {} failed: {}", d.remote_name, d.channel, why), d.file_id);
        };
    }

    // ---- receipts ----------------------------------------------------------------------------

    /// An HTTPS answer that is a receipt (the data centre answers a DecMessage with its
    /// DecImportResponse at once) is taken like a receipt from the folder.
    void answer(const tracking::delivery_record& d, const std::string& body) {
        core::diagnostic problem;
        if (!receipts::read_receipt(body, d.remote_name, problem)) return;  // an ordinary answer: kept in the delivery text
        take_receipt(fmt::format("{}.answer.xml", d.remote_name), body, &d);
    }

    /// Keeps the receipt in work/receipts/<channel>/, ties it to the delivery it answers and
    /// records it; false when it could not be kept or recorded (it is then left where it was).
    /// `answering`: the delivery whose HTTPS answer it is (no need to look it up by its keys).
    bool take_receipt(const std::string& name, const std::string& data, const tracking::delivery_record* answering = nullptr) {
        // Read before (its removal failed, a crash came between its record and its removal): once is enough.
        std::string sha = sha256_hex({data});
        if (db->receipt_known(ch.agency, sha)) {
            spdlog::info("event=receipt-again channel={} name={} : the same receipt was recorded before; not recorded twice", ch.name, name);
            return true;
        }
        fs::path dir = work / "receipts" / ch.name;
        std::error_code ec;
        fs::create_directories(dir, ec);
        fs::path kept = dir / fmt::format("{}-{}", core::utc_text(sys_clock::now(), "%Y%m%dT%H%M%S", 6), name);
        if (!publish(kept, data) || !sync_filesystem(dir)) {
            spdlog::error("event=receipt-not-kept channel={} name={} reason=\"cannot write {}: {}\"", ch.name, name, kept.string(), std::strerror(errno));
            return false;
        }
        core::diagnostic problem;
        auto r = receipts::read_receipt(data, name, problem);
        if (!r) {
            spdlog::warn("event=receipt-unreadable channel={} name={} kept={} reason=\"{} [{}]\"", ch.name, name, kept.string(), problem.text, problem.code);
            return record([=, this](tracking::batch& b) {
                b.event("receipt-unreadable", fmt::format("{} from channel {}: {} [{}]; kept as {}", name, ch.name, problem.text, problem.code, kept.string()));
            });
        }
        // The delivery it answers: an output sent through this channel, of the message type the
        // receipt answers (an MT5101 response shares containers with the voyage's MT1101), that
        // shares at least one identifying key with it (a bill, a ClientSeqNo, a guid, a message
        // id: a voyage, a ship or a container alone names no declaration) and the most keys of
        // all. When several do: the one of the file received last (the newer declaration), and of
        // that file the delivery made last (a resent declaration). Not the delivery queued last:
        // files of one batch are translated in parallel, and which is queued first is chance.
        static const std::set<std::string, std::less<>> weak{"voyage", "ship", "container"};
        std::map<std::int64_t, std::pair<int, tracking::delivery_record>> votes;
        std::map<std::string, bool> answers;  // per output file: is it of the type the receipt answers
        auto of_type = [&](const tracking::delivery_record& d) {
            auto [it, fresh] = answers.try_emplace(d.source, true);
            if (fresh && !r->answers.empty())
                if (auto text = read_file(d.source)) it->second = receipts::output_type(*text, d.source) == r->answers;
            return it->second;
        };
        for (const auto& k : answering ? std::vector<receipts::key>{} : r->keys)
            for (auto& d : db->deliveries_by_key(k.kind, k.value))
                if (d.channel == ch.name && of_type(d)) {
                    auto& v = votes[d.id];
                    v.first += weak.contains(k.kind) ? 1 : 1000;
                    v.second = std::move(d);
                }
        const tracking::delivery_record* best = answering;
        int most = 1000;  // at least one identifying key
        for (const auto& [id, v] : votes)
            if (v.first > most || (v.first == most && (!best || std::pair(v.second.file_id, id) > std::pair(best->file_id, best->id))))
                most = v.first, best = &v.second;
        std::string verdict(receipts::to_string(r->result));
        std::string text = r->code.empty() ? r->text : fmt::format("{} {}", r->code, r->text);
        for (const auto& item : r->items)  // what was not accepted, item by item
            if (item.result != receipts::verdict::accepted)
                text += fmt::format("; {} {} {}: {}", item.what.kind, item.what.value, receipts::to_string(item.result),
                                    item.code.empty() ? item.text : fmt::format("{} {}", item.code, item.text));
        std::vector<std::string> keys;
        for (const auto& k : r->keys) keys.push_back(fmt::format("{}={}", k.kind, k.value));
        if (!best) {
            spdlog::warn("event=receipt-unmatched channel={} name={} answers={} keys=\"{}\" kept={}", ch.name, name, r->answers, fmt::join(keys, ","),
                         kept.string());
            return record([=, this](tracking::batch& b) {
                b.event("receipt-unmatched", fmt::format("{} from channel {} ({} answering {}, {}): no delivery of agency {} carries {}; kept as {}", name,
                                                         ch.name, r->format, r->answers, verdict, ch.agency, fmt::join(keys, ", "), kept.string()));
            });
        }
        auto d = *best;
        spdlog::info("event=receipt channel={} file={} delivery={} name={} verdict={} text=\"{}\"", ch.name, d.file_id, d.id, name, verdict, text);
        if (!record([=, this](tracking::batch& b) {
                b.add_receipt(d.output_id, d.file_id, ch.agency, r->agency_reference, verdict, text, kept.string(), sha);
                // What the agency now knows the output by (the SeqNo a DecImportResponse gives a
                // declaration): the later receipts that carry only that (DecResult) find it too.
                for (const auto& k : r->keys)
                    if (!weak.contains(k.kind)) b.add_output_key(d.output_id, k.kind, k.value);
                b.event("receipt", fmt::format("{} answers {} ({}): {}{}", name, d.remote_name, ch.agency, verdict, text.empty() ? "" : ": " + text),
                        d.file_id);
            }))
            return false;
        // The sender's answer (an APERAK through the partner's receipt route), from the kept copy.
        auto f = db->file(d.file_id);
        auto interchanges = f ? db->interchanges(d.file_id) : std::vector<tracking::interchange_record>{};
        if (f && answer_sender) {
            std::vector<std::string> replies;
            try {
                replies = answer_sender(*f, interchanges, kept);
            } catch (const std::exception& e) {
                replies.push_back(fmt::format("no answer to the sender: {}", e.what()));
            }
            if (!replies.empty())
                record([=, this](tracking::batch& b) {
                    for (const auto& line : replies) b.event("reply", line, d.file_id);
                });
        }
        return true;
    }

    /// Reads the receipts folder: each file kept, recorded, then removed from the folder (on the
    /// server: only after its record is committed, so a crash in between reads it again).
    void poll_receipts() {
        constexpr std::size_t limit = 16u << 20;
        if (ch.type == "sftp") {
            auto& session = open_sftp();
            std::vector<std::string> names;
            std::string problem;
            if (!session.list(ch.receipts, names, problem)) {
                spdlog::warn("event=receipts-unreachable channel={} reason=\"{}\"", ch.name, problem);
                return;
            }
            for (const auto& n : names) {
                std::string data;
                if (!session.fetch(ch.receipts, n, limit, data, problem)) {
                    spdlog::warn("event=receipt-not-fetched channel={} name={} reason=\"{}\"", ch.name, n, problem);
                    continue;
                }
                if (take_receipt(n, data) && !session.remove(ch.receipts, n, problem))
                    spdlog::warn("event=receipt-not-removed channel={} name={} reason=\"{}\" : it will be read again and recorded twice", ch.name, n, problem);
            }
            return;
        }
        // A local folder the agency (or whoever may write there) fills: only plain files are read
        // (never through a link, which could point at our keys), and only once they have not
        // changed for a second (a receipt still being written is left for the next look).
        std::error_code ec;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(ch.receipts, ec))
            if (!e.path().filename().string().starts_with(".")) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (cancel) return;
            std::string data, why;
            if (!read_plain(f, limit, data, why)) {
                if (!why.empty()) spdlog::warn("event=receipt-left channel={} file={} reason=\"{}\" : left in place", ch.name, f.string(), why);
                continue;
            }
            if (take_receipt(f.filename().string(), data) && !fs::remove(f, ec))
                spdlog::warn("event=receipt-not-removed channel={} file={} reason=\"{}\" : read again next time (recorded once)", ch.name,
                             f.string(), ec.message());
        }
    }

    void run() {
        loop();
        if (sftp || https)
            spdlog::info("event=courier-stopped channel={} connections={}", ch.name, sftp ? sftp->connections() : https->connections());
        std::lock_guard lock(mutex);
        finished = true;
        settled.notify_all();
    }

    void loop() {
        try {
            core::diagnostic problem;
            db = tracking::store::open(work / "edigate.db", problem);
            if (!db) throw std::runtime_error(problem.text);
        } catch (const std::exception& e) {
            spdlog::critical("event=courier-failed channel={} reason=\"{}\"", ch.name, e.what());
            return;
        }
        if (ch.remote()) resume();
        for (;;) {
            std::uint64_t ask;
            {
                std::lock_guard lock(mutex);
                if (stopping) return;
                ask = asked;
                woken = false;
            }
            std::size_t taken = 0;
            try {
                taken = ch.remote() ? round() : 0;
                if (!ch.receipts.empty() && (clock_type::now() >= next_receipts || ask > answered)) {
                    next_receipts = clock_type::now() + ch.receipts_interval;  // set first: a poll that throws is not retried at once
                    poll_receipts();
                }
            } catch (const std::exception& e) {  // a channel that cannot even be set up (checked by check-config first)
                spdlog::critical("event=courier-failed channel={} reason=\"{}\"", ch.name, e.what());
                paused_until = clock_type::now() + backoff(++failures);
            }
            std::unique_lock lock(mutex);
            if (taken) continue;
            answered = ask;
            settled.notify_all();
            // Until woken, the next due delivery, the pause's end, or the next look at the receipts;
            // at most 5 s, as an operator's `edigate resend` in another process wakes nobody.
            auto until = clock_type::now() + std::chrono::seconds(5);
            if (!ch.receipts.empty()) until = std::min(until, next_receipts);
            if (paused_until > clock_type::now()) until = std::max(std::min(until, paused_until), clock_type::now());
            else if (ch.remote())
                if (auto next = parse_iso(db->next_due(ch.name)))
                    until = std::min(until, clock_type::now() + std::chrono::duration_cast<clock_type::duration>(*next - sys_clock::now()));
            wake.wait_until(lock, until, [&] { return stopping || woken || asked > answered; });
        }
    }
};

courier::courier(channel_config channel, fs::path work, answerer answer_sender)
    : impl_(std::make_unique<impl>()) {
    impl_->ch = std::move(channel);
    impl_->answer_sender = std::move(answer_sender);
    impl_->work = std::move(work);
    impl_->thread = std::thread([this] { impl_->run(); });
}

courier::~courier() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->cancel = true;
    impl_->wake.notify_all();
    impl_->settled.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

void courier::wake() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->woken = true;
    }
    impl_->wake.notify_all();
}

void courier::drain() {
    std::unique_lock lock(impl_->mutex);
    auto ask = ++impl_->asked;
    impl_->wake.notify_all();
    impl_->settled.wait(lock, [&] { return impl_->finished || impl_->answered >= ask; });
}

const std::string& courier::name() const { return impl_->ch.name; }

}  // namespace edigate::cli
