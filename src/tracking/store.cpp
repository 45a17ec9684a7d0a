// store.cpp - the tracking store on SQLite (see store.hpp). All of edigate's SQL is in this file.
#include "edigate/tracking/store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <utility>

#include "edigate/core/clock.hpp"
#include "edigate/tracking/codes.hpp"

namespace edigate::tracking {

namespace {

/// Numbered migrations: each runs once, in one transaction, and is never edited after release; a
/// change of schema is a new entry. Plain SQL that PostgreSQL also takes, except the triggers.
constexpr const char* migrations[] = {
    // 1: the records of issue 6
    R"sql(
CREATE TABLE files (
  id INTEGER PRIMARY KEY, partner TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
  state TEXT NOT NULL, received_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX files_content ON files (partner, sha256, received_at);
CREATE TABLE interchanges (
  id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files (id), sender TEXT NOT NULL, recipient TEXT NOT NULL,
  control_reference TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE INDEX interchanges_reference ON interchanges (sender, control_reference, received_at);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY, interchange_id INTEGER NOT NULL REFERENCES interchanges (id), type TEXT NOT NULL,
  reference TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE outputs (
  id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages (id), mapping TEXT NOT NULL, path TEXT NOT NULL,
  status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY, output_id INTEGER NOT NULL REFERENCES outputs (id), channel TEXT NOT NULL, status TEXT NOT NULL,
  text TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE receipts (
  id INTEGER PRIMARY KEY, output_id INTEGER NOT NULL REFERENCES outputs (id), reference TEXT NOT NULL, status TEXT NOT NULL,
  text TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, file_id INTEGER);
CREATE INDEX events_file ON events (file_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE counters (partner TEXT NOT NULL, direction TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (partner, direction));
)sql",
    // 2: the gateway daemon: the name a file has in the work area (start-up reconciliation finds
    // it there or in the archive), and the lookups of `edigate status` and `edigate track`
    R"sql(
ALTER TABLE files ADD COLUMN work_name TEXT NOT NULL DEFAULT '';
CREATE INDEX files_state ON files (state, updated_at);
CREATE INDEX files_name ON files (name);
CREATE INDEX messages_reference ON messages (reference);
CREATE INDEX interchanges_file ON interchanges (file_id);
)sql",
    // 3: what a message is looked up by besides its reference (bill of lading and container numbers)
    R"sql(
CREATE TABLE refs (
  id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages (id), kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX refs_value ON refs (value);
CREATE INDEX refs_message ON refs (message_id);
)sql",
    // 4: the same, cheaper to write (a CUSCAR carries dozens): the values a message carries are one
    // text in its row, for display, and the lookup is one tree keyed by value (WITHOUT ROWID is
    // SQLite's; PostgreSQL takes the same table without those two words)
    R"sql(
DROP TABLE refs;
ALTER TABLE messages ADD COLUMN refs TEXT NOT NULL DEFAULT '';
CREATE TABLE message_refs (value TEXT NOT NULL, message_id INTEGER NOT NULL REFERENCES messages (id), PRIMARY KEY (value, message_id))
  WITHOUT ROWID;
)sql",
    // 5: deliveries over SFTP and HTTPS (queued with the file's commit, sent by the channel's
    // courier with attempts and backoff) and the agencies' receipts, tied to an output by the keys
    // both carry (bill numbers, ClientSeqNo, guid...)
    R"sql(
ALTER TABLE deliveries ADD COLUMN file_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN remote_name TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN next_at TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_due ON deliveries (channel, status, next_at);
CREATE INDEX deliveries_file ON deliveries (file_id);
CREATE INDEX deliveries_output ON deliveries (output_id);
ALTER TABLE receipts ADD COLUMN file_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE receipts ADD COLUMN agency TEXT NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN stored TEXT NOT NULL DEFAULT '';
CREATE INDEX receipts_file ON receipts (file_id);
CREATE TABLE output_keys (value TEXT NOT NULL, output_id INTEGER NOT NULL REFERENCES outputs (id), kind TEXT NOT NULL,
  PRIMARY KEY (value, output_id)) WITHOUT ROWID;
)sql",
    // 6: a receipt read twice (its removal from the agency's folder failed, a crash came between
    // its record and its removal) is recognised by its content and recorded once
    R"sql(
ALTER TABLE receipts ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
CREATE INDEX receipts_content ON receipts (agency, sha256);
)sql",
};

/// UTC, milliseconds, ISO 8601: sorts as text, which is what the duplicate windows compare.
std::string utc(std::chrono::system_clock::time_point t = std::chrono::system_clock::now()) {
    return core::utc_text(t, "%Y-%m-%dT%H:%M:%S", 3, ".", "Z");
}

std::string since(long window_seconds) { return utc(std::chrono::system_clock::now() - std::chrono::seconds(window_seconds)); }

#define FILE_COLUMNS "id, partner, name, sha256, bytes, state, received_at, work_name, updated_at"

}  // namespace

std::string_view to_string(file_state s) noexcept {
    switch (s) {
    case file_state::received: return "received";
    case file_state::processing: return "processing";
    case file_state::held: return "held";
    case file_state::delivered: return "delivered";
    case file_state::rejected: return "rejected";
    case file_state::duplicate: return "duplicate";
    case file_state::failed: return "failed";
    }
    return "?";
}

/// The connection and its prepared statements (prepared once, reset after each use).
struct store::impl {
    sqlite3* db = nullptr;
    std::map<std::string, sqlite3_stmt*, std::less<>> statements;
    bool batch_failed = false;

    ~impl() {
        for (auto& [sql, s] : statements) sqlite3_finalize(s);
        if (db) sqlite3_close(db);
    }
    std::string error() const { return db ? sqlite3_errmsg(db) : "no database"; }
    bool exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

    /// A statement with its values bound; step it with row()/done().
    struct query {
        sqlite3_stmt* s;
        ~query() {
            if (s) sqlite3_reset(s), sqlite3_clear_bindings(s);
        }
        bool row() { return s && sqlite3_step(s) == SQLITE_ROW; }
        bool done() { return s && sqlite3_step(s) == SQLITE_DONE; }
        std::int64_t integer(int i) const { return sqlite3_column_int64(s, i); }
        std::string text(int i) const {
            const auto* t = sqlite3_column_text(s, i);
            return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
        }
    };
    template <typename... Values>
    query run(std::string_view sql, const Values&... values) {
        auto it = statements.find(sql);
        if (it == statements.end()) {
            sqlite3_stmt* s = nullptr;
            if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK) return {nullptr};
            it = statements.emplace(std::string(sql), s).first;
        }
        int i = 0;
        (bind(it->second, ++i, values), ...);
        return {it->second};
    }
    static void bind(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
    static void bind(sqlite3_stmt* s, int i, std::string_view v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
    static void bind(sqlite3_stmt* s, int i, const char* v) { bind(s, i, std::string_view(v)); }
    static void bind(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
    static void bind(sqlite3_stmt* s, int i, std::uint64_t v) { sqlite3_bind_int64(s, i, static_cast<std::int64_t>(v)); }
};

namespace {
file_record file_row(const store::impl::query& q) {
    return file_record{q.integer(0), q.text(1), q.text(2), q.text(3), q.text(5), q.text(6), q.text(7), q.text(8), static_cast<std::uint64_t>(q.integer(4))};
}
}  // namespace

store::store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
store::~store() = default;

std::unique_ptr<store> store::open(const std::filesystem::path& file, core::diagnostic& problem) {
    auto fail = [&](std::string text) {
        problem = core::diagnostic{};
        problem.code = std::string(info(code::cannot_open).name);
        problem.text = fmt::format("tracking database {}: {}", file.string(), text);
        return nullptr;
    };
    auto i = std::make_unique<impl>();
    if (sqlite3_open_v2(file.c_str(), &i->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
        return fail(i->error());
    sqlite3_busy_timeout(i->db, 5000);
    // WAL: readers never block the writer; FULL: a committed batch is on disk when commit returns.
    if (!i->exec("PRAGMA journal_mode=WAL") || !i->exec("PRAGMA synchronous=FULL") || !i->exec("PRAGMA foreign_keys=ON"))
        return fail(i->error());
    if (!i->exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"))
        return fail(i->error());
    int have = 0;
    {
        auto q = i->run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!q.row()) return fail(i->error());
        have = static_cast<int>(q.integer(0));
    }
    int known = static_cast<int>(std::size(migrations));
    if (have > known) return fail(fmt::format("schema version {} is newer than this edigate knows ({})", have, known));
    for (int v = have + 1; v <= known; ++v) {
        // BEGIN IMMEDIATE: two processes starting at once migrate one after the other.
        if (!i->exec("BEGIN IMMEDIATE")) return fail(i->error());
        bool again = false;
        {
            auto q = i->run("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", static_cast<std::int64_t>(v));
            again = q.row() && q.integer(0) > 0;
        }
        if (!again && (!i->exec(migrations[v - 1]) ||
                       !i->run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", static_cast<std::int64_t>(v), utc()).done())) {
            std::string e = i->error();
            i->exec("ROLLBACK");
            return fail(fmt::format("migration {} failed: {}", v, e));
        }
        if (!i->exec("COMMIT")) return fail(i->error());
    }
    return std::unique_ptr<store>(new store(std::move(i)));
}

int store::schema_version() const {
    auto q = impl_->run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return q.row() ? static_cast<int>(q.integer(0)) : 0;
}

batch store::begin() { return batch(*this); }

std::optional<file_record> store::file(std::int64_t id) const {
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE id = ?", id);
    if (!q.row()) return std::nullopt;
    return file_row(q);
}

std::vector<file_record> store::in_flight(const std::string& changed_since) const {
    std::vector<file_record> out;
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE state IN ('received', 'processing') AND updated_at >= ? ORDER BY id",
                        changed_since);
    while (q.row()) out.push_back(file_row(q));
    return out;
}

std::vector<file_record> store::queue() const {
    std::vector<file_record> out;
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE state IN ('received', 'processing', 'held', 'failed', 'rejected') ORDER BY id");
    while (q.row()) out.push_back(file_row(q));
    return out;
}

std::vector<file_record> store::received_since(const std::string& partner, const std::string& since) const {
    std::vector<file_record> out;
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE partner = ? AND received_at >= ? ORDER BY id", partner, since);
    while (q.row()) out.push_back(file_row(q));
    return out;
}

std::vector<file_record> store::find(const std::string& reference) const {
    std::vector<file_record> out;
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE CAST(id AS TEXT) = ? OR name = ? OR work_name = ? OR id IN "
                        "(SELECT file_id FROM interchanges WHERE control_reference = ?) OR id IN (SELECT i.file_id FROM messages m "
                        "JOIN interchanges i ON i.id = m.interchange_id WHERE m.reference = ?) OR id IN (SELECT i.file_id FROM message_refs r "
                        "JOIN messages m ON m.id = r.message_id JOIN interchanges i ON i.id = m.interchange_id WHERE r.value = ?) ORDER BY id",
                        reference, reference, reference, reference, reference, reference);
    while (q.row()) out.push_back(file_row(q));
    return out;
}

std::vector<file_record> store::recent(const std::string& state, int limit) const {
    std::vector<file_record> out;
    auto q = impl_->run("SELECT " FILE_COLUMNS " FROM files WHERE state = ? ORDER BY updated_at DESC, id DESC LIMIT ?", state,
                        static_cast<std::int64_t>(limit));
    while (q.row()) out.push_back(file_row(q));
    return out;
}

std::vector<partner_count> store::partner_counts() const {
    std::vector<partner_count> out;
    auto q = impl_->run("SELECT partner, state, COUNT(*) FROM files GROUP BY partner, state ORDER BY partner, state");
    while (q.row()) out.push_back({q.text(0), q.text(1), q.integer(2)});
    return out;
}

#define DELIVERY_COLUMNS "id, output_id, file_id, channel, status, text, at, source, remote_name, idempotency_key, attempts, next_at, created_at"

namespace {
delivery_record delivery_row(const store::impl::query& q) {
    return delivery_record{q.integer(0), q.integer(1), q.integer(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7), q.text(8), q.text(9),
                           static_cast<int>(q.integer(10)), q.text(11), q.text(12)};
}
}  // namespace

std::vector<delivery_record> store::due_deliveries(const std::string& channel, std::size_t limit) const {
    std::vector<delivery_record> out;
    auto q = impl_->run("SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE channel = ? AND status = 'pending' AND next_at <= ? "
                        "ORDER BY next_at, id LIMIT ?", channel, utc(), static_cast<std::int64_t>(limit));
    while (q.row()) out.push_back(delivery_row(q));
    return out;
}

std::string store::next_due(const std::string& channel) const {
    auto q = impl_->run("SELECT MIN(next_at) FROM deliveries WHERE channel = ? AND status = 'pending'", channel);
    return q.row() ? q.text(0) : std::string();
}

std::vector<delivery_record> store::deliveries(std::int64_t file_id) const {
    std::vector<delivery_record> out;
    auto q = impl_->run("SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE file_id = ? ORDER BY id", file_id);
    while (q.row()) out.push_back(delivery_row(q));
    return out;
}

std::vector<delivery_record> store::deliveries_in(const std::string& status, const std::string& channel) const {
    std::vector<delivery_record> out;
    auto q = channel.empty() ? impl_->run("SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE status = ? ORDER BY id", status)
                             : impl_->run("SELECT " DELIVERY_COLUMNS " FROM deliveries WHERE status = ? AND channel = ? ORDER BY id", status, channel);
    while (q.row()) out.push_back(delivery_row(q));
    return out;
}

std::vector<std::tuple<std::string, std::string, std::int64_t>> store::delivery_counts(const std::string& changed_since) const {
    std::vector<std::tuple<std::string, std::string, std::int64_t>> out;
    auto q = impl_->run("SELECT channel, status, COUNT(*) FROM deliveries WHERE at >= ? GROUP BY channel, status ORDER BY channel, status",
                        changed_since);
    while (q.row()) out.emplace_back(q.text(0), q.text(1), q.integer(2));
    return out;
}

bool store::receipt_known(const std::string& agency, const std::string& sha256) const {
    auto q = impl_->run("SELECT 1 FROM receipts WHERE agency = ? AND sha256 = ? LIMIT 1", agency, sha256);
    return q.row();
}

std::vector<delivery_record> store::deliveries_by_key(const std::string& kind, const std::string& value) const {
    std::vector<delivery_record> out;
    auto q = impl_->run("SELECT d.id, d.output_id, d.file_id, d.channel, d.status, d.text, d.at, d.source, d.remote_name, d.idempotency_key, "
                        "d.attempts, d.next_at, d.created_at FROM output_keys k JOIN deliveries d ON d.output_id = k.output_id "
                        "WHERE k.value = ? AND k.kind = ? ORDER BY d.id", value, kind);
    while (q.row()) out.push_back(delivery_row(q));
    return out;
}

std::vector<receipt_record> store::receipts(std::int64_t file_id) const {
    std::vector<receipt_record> out;
    auto q = impl_->run("SELECT id, output_id, file_id, agency, reference, status, text, at, stored FROM receipts WHERE file_id = ? ORDER BY id",
                        file_id);
    while (q.row())
        out.push_back({q.integer(0), q.integer(1), q.integer(2), q.text(3), q.text(4), q.text(5), q.text(6), q.text(7), q.text(8)});
    return out;
}

std::vector<interchange_record> store::interchanges(std::int64_t file_id) const {
    std::vector<interchange_record> out;
    auto q = impl_->run("SELECT id, sender, recipient, control_reference FROM interchanges WHERE file_id = ? ORDER BY id", file_id);
    while (q.row()) out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), {}});
    for (auto& i : out) {
        auto m = impl_->run("SELECT id, type, reference, status, refs FROM messages WHERE interchange_id = ? ORDER BY id", i.id);
        while (m.row()) {
            i.messages.push_back({m.integer(0), m.text(1), m.text(2), m.text(3), {}, {}});
            std::string text = m.text(4);  // "RFF BM=LHCL2403170016;EQD CN=TGHU8743057"
            for (std::size_t at = 0; at < text.size();) {
                auto end = text.find(';', at);
                if (end == std::string::npos) end = text.size();
                auto item = text.substr(at, end - at);
                if (auto eq = item.find('='); eq != std::string::npos) i.messages.back().references.emplace_back(item.substr(0, eq), item.substr(eq + 1));
                at = end + 1;
            }
        }
        for (auto& msg : i.messages) {
            auto o = impl_->run("SELECT mapping, path, status FROM outputs WHERE message_id = ? ORDER BY id", msg.id);
            while (o.row()) msg.outputs.push_back({o.text(0), o.text(1), o.text(2)});
        }
    }
    return out;
}

std::optional<file_record> store::duplicate_content(const std::string& partner, const std::string& sha256, long window_seconds) const {
    auto q = impl_->run("SELECT id FROM files WHERE partner = ? AND sha256 = ? AND received_at >= ? ORDER BY id LIMIT 1", partner, sha256,
                        since(window_seconds));
    if (!q.row()) return std::nullopt;
    return file(q.integer(0));
}

std::optional<std::int64_t> store::duplicate_interchange(const std::string& sender, const std::string& control_reference,
                                                         long window_seconds) const {
    auto q = impl_->run("SELECT id FROM interchanges WHERE sender = ? AND control_reference = ? AND received_at >= ? ORDER BY id LIMIT 1", sender,
                        control_reference, since(window_seconds));
    if (!q.row()) return std::nullopt;
    return q.integer(0);
}

std::optional<file_record> store::unfinished(const std::string& partner, const std::string& sha256) const {
    auto q = impl_->run("SELECT id FROM files WHERE partner = ? AND sha256 = ? AND state IN ('received', 'processing') ORDER BY id LIMIT 1",
                        partner, sha256);
    if (!q.row()) return std::nullopt;
    return file(q.integer(0));
}

std::vector<std::pair<std::string, std::int64_t>> store::counts() const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    auto q = impl_->run("SELECT state, COUNT(*) FROM files GROUP BY state ORDER BY state");
    while (q.row()) out.emplace_back(q.text(0), q.integer(1));
    return out;
}

std::vector<event_record> store::history(std::int64_t file_id) const {
    std::vector<event_record> out;
    auto q = impl_->run("SELECT id, at, kind, text, file_id FROM events WHERE file_id = ? ORDER BY id", file_id);
    while (q.row()) out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.integer(4)});
    return out;
}

// ---- batch ----------------------------------------------------------------------------------

batch::batch(store& s) : store_(&s) {
    s.impl_->batch_failed = false;
    open_ = s.impl_->exec("BEGIN IMMEDIATE");
    if (!open_) {
        s.problem_ = core::diagnostic{};
        s.problem_.code = std::string(info(code::write_failed).name);
        s.problem_.text = fmt::format("cannot start a batch: {}", s.impl_->error());
    }
}

batch::batch(batch&& o) noexcept : store_(o.store_), open_(std::exchange(o.open_, false)) {}

batch::~batch() {
    if (open_) store_->impl_->exec("ROLLBACK");
}

namespace {

/// Marks the batch failed (nothing of it will be committed), with the reason.
void failed_write(store::impl& i, core::diagnostic& problem) {
    i.batch_failed = true;
    problem = core::diagnostic{};
    problem.code = std::string(info(code::write_failed).name);
    problem.text = fmt::format("tracking write failed: {}", i.error());
}

/// Runs an INSERT ... RETURNING id; 0 (and the batch marked failed) on error.
template <typename... Values>
std::int64_t insert(store::impl& i, bool open, core::diagnostic& problem, std::string_view sql, const Values&... values) {
    if (!open || i.batch_failed) return 0;
    auto q = i.run(sql, values...);
    if (q.row()) return q.integer(0);
    failed_write(i, problem);
    return 0;
}

}  // namespace

std::int64_t batch::add_file(const std::string& partner, const std::string& name, const std::string& sha256, std::uint64_t bytes,
                             const std::string& work_name) {
    auto now = utc();
    auto id = insert(*store_->impl_, open_, store_->problem_,
                     "INSERT INTO files (partner, name, sha256, bytes, state, received_at, updated_at, work_name) "
                     "VALUES (?, ?, ?, ?, 'received', ?, ?, ?) RETURNING id",
                     partner, name, sha256, bytes, now, now, work_name);
    if (id) event("received", fmt::format("{} from {} ({} bytes, sha256 {})", name, partner, bytes, sha256), id);
    return id;
}

void batch::set_state(std::int64_t file_id, file_state state, const std::string& text) {
    if (!insert(*store_->impl_, open_, store_->problem_, "UPDATE files SET state = ?, updated_at = ? WHERE id = ? RETURNING id",
                std::string(to_string(state)), utc(), file_id))
        return;
    event(std::string(to_string(state)), text, file_id);
}

bool batch::transition(std::int64_t file_id, const std::vector<file_state>& from, file_state to, const std::string& text) {
    if (!open_ || store_->impl_->batch_failed) return false;
    std::string states;
    for (auto f : from) states += fmt::format("{}'{}'", states.empty() ? "" : ", ", to_string(f));
    // The states are our own words, never input: safe to put into the statement text.
    auto sql = fmt::format("UPDATE files SET state = ?, updated_at = ? WHERE id = ? AND state IN ({}) RETURNING id", states);
    {
        auto q = store_->impl_->run(sql, std::string(to_string(to)), utc(), file_id);
        if (!q.row()) return false;
    }
    event(std::string(to_string(to)), text, file_id);
    return true;
}

std::int64_t batch::add_interchange(std::int64_t file_id, const std::string& sender, const std::string& recipient,
                                    const std::string& control_reference) {
    return insert(*store_->impl_, open_, store_->problem_,
                  "INSERT INTO interchanges (file_id, sender, recipient, control_reference, received_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                  file_id, sender, recipient, control_reference, utc());
}

std::int64_t batch::add_message(std::int64_t interchange_id, const std::string& type, const std::string& reference, const std::string& status,
                                const std::vector<std::pair<std::string, std::string>>& references) {
    std::string text;
    for (const auto& [kind, value] : references) text += fmt::format("{}{}={}", text.empty() ? "" : ";", kind, value);
    auto id = insert(*store_->impl_, open_, store_->problem_,
                     "INSERT INTO messages (interchange_id, type, reference, status, refs) VALUES (?, ?, ?, ?, ?) RETURNING id", interchange_id,
                     type, reference, status, text);
    auto& i = *store_->impl_;
    for (const auto& [kind, value] : references)  // the same value twice in one message is one lookup entry
        if (id && !i.run("INSERT INTO message_refs (value, message_id) VALUES (?, ?) ON CONFLICT DO NOTHING", value, id).done()) {
            failed_write(i, store_->problem_);
            return 0;
        }
    return id;
}

std::int64_t batch::add_output(std::int64_t message_id, const std::string& mapping, const std::string& path, const std::string& status) {
    return insert(*store_->impl_, open_, store_->problem_,
                  "INSERT INTO outputs (message_id, mapping, path, status, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id", message_id, mapping,
                  path, status, utc());
}

std::int64_t batch::add_delivery(std::int64_t output_id, std::int64_t file_id, const std::string& channel, const std::string& status,
                                 const std::string& text) {
    auto now = utc();
    return insert(*store_->impl_, open_, store_->problem_,
                  "INSERT INTO deliveries (output_id, file_id, channel, status, text, at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  output_id, file_id, channel, status, text, now, now);
}

std::int64_t batch::queue_delivery(std::int64_t output_id, std::int64_t file_id, const std::string& channel, const std::string& source,
                                   const std::string& remote_name, const std::string& idempotency_key) {
    auto now = utc();
    return insert(*store_->impl_, open_, store_->problem_,
                  "INSERT INTO deliveries (output_id, file_id, channel, status, text, at, source, remote_name, idempotency_key, next_at, created_at) "
                  "VALUES (?, ?, ?, 'pending', 'queued', ?, ?, ?, ?, ?, ?) RETURNING id",
                  output_id, file_id, channel, now, source, remote_name, idempotency_key, now, now);
}

bool batch::update_delivery(std::int64_t id, const std::string& status, const std::string& text, int attempts_added, const std::string& next_at) {
    return insert(*store_->impl_, open_, store_->problem_,
                  "UPDATE deliveries SET status = ?, text = ?, attempts = attempts + ?, next_at = ?, at = ? WHERE id = ? RETURNING id", status, text,
                  static_cast<std::int64_t>(attempts_added), next_at, utc(), id) != 0;
}

std::int64_t batch::resume_deliveries(const std::string& from_status, const std::string& text, const std::string& channel, std::int64_t file_id) {
    auto& i = *store_->impl_;
    if (!open_ || i.batch_failed) return 0;
    auto now = utc();
    // A resend starts the delivery's lifetime again; an interrupted attempt ("sending") keeps it.
    auto q = i.run("UPDATE deliveries SET status = 'pending', text = ?, next_at = ?, at = ?, "
                   "created_at = CASE WHEN status = 'failed' THEN ? ELSE created_at END "
                   "WHERE status = ? AND (? = '' OR channel = ?) AND (? = 0 OR file_id = ?) AND remote_name <> ''",
                   text, now, now, now, from_status, channel, channel, file_id, file_id);
    if (!q.done()) {
        failed_write(i, store_->problem_);
        return 0;
    }
    return sqlite3_changes(i.db);
}

void batch::add_output_key(std::int64_t output_id, const std::string& kind, const std::string& value) {
    auto& i = *store_->impl_;
    if (!open_ || i.batch_failed) return;
    if (!i.run("INSERT INTO output_keys (value, output_id, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", value, output_id, kind).done()) {
        failed_write(i, store_->problem_);
    }
}

std::int64_t batch::add_receipt(std::int64_t output_id, std::int64_t file_id, const std::string& agency, const std::string& reference,
                                const std::string& status, const std::string& text, const std::string& stored, const std::string& sha256) {
    return insert(*store_->impl_, open_, store_->problem_,
                  "INSERT INTO receipts (output_id, file_id, agency, reference, status, text, at, stored, sha256) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  output_id, file_id, agency, reference, status, text, utc(), stored, sha256);
}

void batch::event(const std::string& kind, const std::string& text, std::int64_t file_id) {
    if (file_id)
        insert(*store_->impl_, open_, store_->problem_, "INSERT INTO events (at, kind, text, file_id) VALUES (?, ?, ?, ?) RETURNING id", utc(),
               kind, text, file_id);
    else
        insert(*store_->impl_, open_, store_->problem_, "INSERT INTO events (at, kind, text) VALUES (?, ?, ?) RETURNING id", utc(), kind, text);
}

std::uint64_t batch::next_reference(const std::string& partner, const std::string& direction) {
    return static_cast<std::uint64_t>(insert(*store_->impl_, open_, store_->problem_,
                                             "INSERT INTO counters (partner, direction, value) VALUES (?, ?, 1) "
                                             "ON CONFLICT (partner, direction) DO UPDATE SET value = value + 1 RETURNING value",
                                             partner, direction));
}

bool batch::commit() {
    if (!open_) return false;
    auto& i = *store_->impl_;
    if (i.batch_failed) {
        i.exec("ROLLBACK");
        open_ = false;
        return false;
    }
    open_ = false;
    if (!i.exec("COMMIT")) {
        store_->problem_ = core::diagnostic{};
        store_->problem_.code = std::string(info(code::write_failed).name);
        store_->problem_.text = fmt::format("commit failed: {}", i.error());
        i.exec("ROLLBACK");
        return false;
    }
    return true;
}

}  // namespace edigate::tracking
