// store.hpp - the tracking store: every file, interchange, message, output, delivery and receipt,
// an append-only event log and the control-reference counters, in one SQLite file.
//
// All SQL of edigate lives in this module. The schema is created and evolved by numbered
// migrations (schema_migrations records which ran), and the SQL is kept to what PostgreSQL also
// understands (INTEGER, TEXT, INSERT ... RETURNING, ISO 8601 UTC times as text), so that several
// gateway nodes can later share one PostgreSQL database behind the same interface.
//
// Writes go through a batch: one transaction that many steps share, committed at once (group
// commit), because one fsync per step would make the database the bottleneck. The file is in WAL
// mode with synchronous=FULL: a committed batch survives a crash or power loss, an uncommitted one
// leaves no trace. Problems are diagnostics (EDI-T codes), never exceptions out of this interface.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "edigate/core/diagnostic.hpp"

namespace edigate::tracking {

/// Where a received file stands; every file ends in exactly one of the last four. An operator
/// may hold a received file (it waits until released) and send a finished one round again.
enum class file_state { received, processing, held, delivered, rejected, duplicate, failed };
std::string_view to_string(file_state s) noexcept;

struct file_record {
    std::int64_t id = 0;
    std::string partner, name, sha256, state, received_at;
    std::string work_name;            ///< its name in the work area (claimed/, archive/<state>/)
    std::string updated_at;
    std::uint64_t bytes = 0;
};

struct output_record {
    std::string mapping, path, status;
};

struct message_record {
    std::int64_t id = 0;
    std::string type, reference, status;
    std::vector<output_record> outputs;
    /// What an operator looks a message up by, besides its reference: ("RFF BM", bill of lading
    /// number), ("EQD CN", container number)...
    std::vector<std::pair<std::string, std::string>> references;
};

struct interchange_record {
    std::int64_t id = 0;
    std::string sender, recipient, control_reference;
    std::vector<message_record> messages;
};

/// One output on its way to an agency's channel. A local folder channel is "delivered" at once
/// (in the file's own commit); SFTP and HTTPS deliveries are "pending" (with next_at), "sending"
/// while an attempt runs, then "sent" or "failed" (with the reason, for an operator).
struct delivery_record {
    std::int64_t id = 0, output_id = 0, file_id = 0;
    std::string channel, status, text, at;
    std::string source;           ///< the output file sent
    std::string remote_name;      ///< its name at the agency
    std::string idempotency_key;  ///< the same for every attempt and resend of this content
    int attempts = 0;
    std::string next_at, created_at;
};

/// An agency's answer to one output.
struct receipt_record {
    std::int64_t id = 0, output_id = 0, file_id = 0;
    std::string agency, reference, status, text, at;
    std::string stored;  ///< where the receipt file is kept in the work area
};

struct partner_count {
    std::string partner, state;
    std::int64_t files = 0;
};

struct event_record {
    std::int64_t id = 0;
    std::string at, kind, text;
    std::int64_t file_id = 0;  ///< 0: not about one file
};

class store;

/// One transaction. Nothing is visible to other readers, or durable, until commit(); a batch
/// destroyed without commit() is rolled back.
class batch {
public:
    ~batch();
    batch(batch&&) noexcept;
    batch& operator=(batch&&) = delete;

    std::int64_t add_file(const std::string& partner, const std::string& name, const std::string& sha256, std::uint64_t bytes,
                          const std::string& work_name = {});
    void set_state(std::int64_t file_id, file_state state, const std::string& text = {});
    /// Moves a file to `to` only when it is in one of `from` (another process may have moved it
    /// meanwhile: a worker that took it, an operator who held it); false when it was not.
    bool transition(std::int64_t file_id, const std::vector<file_state>& from, file_state to, const std::string& text);
    std::int64_t add_interchange(std::int64_t file_id, const std::string& sender, const std::string& recipient,
                                 const std::string& control_reference);
    /// `references`: what the message carries that an operator tracks it by, (kind, value) such as
    /// ("RFF BM", a bill of lading number); found again by store::find.
    std::int64_t add_message(std::int64_t interchange_id, const std::string& type, const std::string& reference, const std::string& status,
                             const std::vector<std::pair<std::string, std::string>>& references = {});
    std::int64_t add_output(std::int64_t message_id, const std::string& mapping, const std::string& path, const std::string& status);
    /// A delivery done in this commit (a local folder channel).
    std::int64_t add_delivery(std::int64_t output_id, std::int64_t file_id, const std::string& channel, const std::string& status,
                              const std::string& text = {});
    /// A delivery for a channel's courier: pending from now on.
    std::int64_t queue_delivery(std::int64_t output_id, std::int64_t file_id, const std::string& channel, const std::string& source,
                                const std::string& remote_name, const std::string& idempotency_key);
    /// A delivery's new status (sending, pending with its next time, sent, failed); false when it is not there.
    bool update_delivery(std::int64_t id, const std::string& status, const std::string& text, int attempts_added, const std::string& next_at);
    /// Deliveries in `from_status` ("sending": cut off by a stop or crash; "failed": an operator
    /// resends them) become pending now; only one channel's or one file's when given. Returns how many.
    std::int64_t resume_deliveries(const std::string& from_status, const std::string& text, const std::string& channel = {},
                                   std::int64_t file_id = 0);
    /// What a receipt answering this output will carry (a bill number, a ClientSeqNo...).
    void add_output_key(std::int64_t output_id, const std::string& kind, const std::string& value);
    std::int64_t add_receipt(std::int64_t output_id, std::int64_t file_id, const std::string& agency, const std::string& reference,
                             const std::string& status, const std::string& text, const std::string& stored, const std::string& sha256 = {});
    void event(const std::string& kind, const std::string& text, std::int64_t file_id = 0);
    /// The next control reference for a partner and direction ("in"/"out"): 1, 2, 3... never
    /// given twice, also across processes and restarts (the counter moves inside this batch).
    std::uint64_t next_reference(const std::string& partner, const std::string& direction);

    /// Makes everything durable at once; false with the problem in store::last_problem().
    bool commit();

private:
    friend class store;
    explicit batch(store& s);
    store* store_;
    bool open_ = false;
};

class store {
public:
    /// Opens (creating it when absent) and migrates the database; nullptr with `problem`.
    static std::unique_ptr<store> open(const std::filesystem::path& file, core::diagnostic& problem);
    ~store();

    /// The schema version after migrations (the highest migration applied).
    int schema_version() const;
    /// Starts a batch; waits (up to a few seconds) while another process holds the write lock.
    batch begin();

    std::optional<file_record> file(std::int64_t id) const;
    /// A file with the same content from the same partner received within `window_seconds`.
    std::optional<file_record> duplicate_content(const std::string& partner, const std::string& sha256, long window_seconds) const;
    /// An interchange with the same sender and control reference received within `window_seconds`.
    std::optional<std::int64_t> duplicate_interchange(const std::string& sender, const std::string& control_reference,
                                                      long window_seconds) const;
    /// A file of this partner with this content still in the "received" or "processing" state: one
    /// whose run was cut off (a crash), found again at start-up so that it is finished, not counted twice.
    std::optional<file_record> unfinished(const std::string& partner, const std::string& sha256) const;
    /// Files per state (state name, count), for `edigate status`.
    std::vector<std::pair<std::string, std::int64_t>> counts() const;
    /// Files still "received" or "processing": the work a cut-off run left, oldest first; with
    /// `changed_since` (ISO 8601 UTC) only those whose state changed at or after it.
    std::vector<file_record> in_flight(const std::string& changed_since = {}) const;
    /// Files not finished for good: received, processing, held, failed, rejected (oldest first).
    std::vector<file_record> queue() const;
    /// Files of a partner received at or after `since` (ISO 8601 UTC, a prefix such as 2026-11-27 is enough).
    std::vector<file_record> received_since(const std::string& partner, const std::string& since) const;
    /// Files a reference names: the file id, its name as received or in the work area, an
    /// interchange control reference, a message reference, or a bill of lading or container
    /// number a message carried.
    std::vector<file_record> find(const std::string& reference) const;
    /// The latest files in a state, newest first.
    std::vector<file_record> recent(const std::string& state, int limit) const;
    /// Files per partner and state.
    std::vector<partner_count> partner_counts() const;
    /// The interchanges of a file with their messages and each message's outputs.
    std::vector<interchange_record> interchanges(std::int64_t file_id) const;
    /// Pending deliveries of a channel whose time has come, oldest first.
    std::vector<delivery_record> due_deliveries(const std::string& channel, std::size_t limit) const;
    /// The earliest next_at of the channel's pending deliveries (ISO 8601 UTC); empty: none.
    std::string next_due(const std::string& channel) const;
    std::vector<delivery_record> deliveries(std::int64_t file_id) const;
    /// Deliveries in a status (of one channel when given).
    std::vector<delivery_record> deliveries_in(const std::string& status, const std::string& channel = {}) const;
    /// (channel, status, count) for `edigate status`; with `changed_since` (ISO 8601 UTC) only the
    /// deliveries whose status changed at or after it (what one batch run did).
    std::vector<std::tuple<std::string, std::string, std::int64_t>> delivery_counts(const std::string& changed_since = {}) const;
    /// The deliveries of the outputs that carry this key (see batch::add_output_key).
    std::vector<delivery_record> deliveries_by_key(const std::string& kind, const std::string& value) const;
    /// Whether a receipt with this content was recorded for this agency already.
    bool receipt_known(const std::string& agency, const std::string& sha256) const;
    std::vector<receipt_record> receipts(std::int64_t file_id) const;
    /// The events of one file, oldest first (the whole history of that item).
    std::vector<event_record> history(std::int64_t file_id) const;

    const core::diagnostic& last_problem() const noexcept { return problem_; }

    struct impl;

private:
    friend class batch;
    explicit store(std::unique_ptr<impl> i);
    std::unique_ptr<impl> impl_;
    core::diagnostic problem_;
};

}  // namespace edigate::tracking
