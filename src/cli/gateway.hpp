// gateway.hpp - the gateway behind `edigate run`: partners' inboxes -> claim -> translate along the
// route -> outbound, every step recorded in the tracking store, each input archived under the one
// terminal state it reached. The batch job (--once) and the daemon run the same code: an intake
// pass (one thread, so duplicate checks never race) and a pool of translation workers.
//
// The promise: nothing lost, nothing done twice. A claimed file is in the work area's claimed/
// folder until its terminal state is committed, then it moves to archive/<partner>/<state>/. At
// start-up recover() compares that folder with the database and finishes whatever was in flight:
// a file without a row is registered, a file whose row is still "received" is translated again
// (its outputs have the same names, so a redo replaces them), a file whose state is already
// committed is archived. Outputs appear by fsync + rename; leftover temporaries are removed.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/tracking/store.hpp"

namespace edigate::cli {

struct partner_config {
    std::string name, route, profile, charset;
    std::vector<std::string> identities;  ///< UNB sender ids (0004) it may use; empty: not checked
    std::filesystem::path inbox;
    std::vector<std::string> sets;  ///< NAME=VALUE the mappings read as $NAME
    std::string receipt_route;      ///< turns the agencies' receipts for this partner's files into its replies (APERAK); empty: none
};

/// Where the outputs for one agency go: a local folder ("directory", written in the file's own
/// commit), an SFTP server or an HTTPS endpoint ("sftp", "https": queued with the file's commit and
/// sent by the channel's courier, with retries). Receipts come back from `receipts` (a local folder
/// or a remote SFTP folder) or, for HTTPS, in the answer's body.
struct channel_config {
    std::string name, type, agency;  ///< agency: the mappings/ folder whose outputs go here
    std::filesystem::path path;      ///< directory: the folder
    std::string receipts;            ///< the folder the agency's receipts are picked up from (directory: local; sftp: remote)
    std::chrono::milliseconds receipts_interval{30000};
    // sftp
    std::string host, user, folder;
    int port = 22;
    std::filesystem::path key_file, known_hosts;
    // https
    std::string url, method = "PUT", content_type = "application/xml";
    std::filesystem::path ca_file, client_cert, client_key, password_file;
    // both
    std::chrono::seconds connect_timeout{15}, timeout{120}, low_speed_time{60};
    std::chrono::milliseconds retry_min{60000}, retry_max{3600000};  ///< the wait after a failed attempt doubles from min to max (±10%)
    std::chrono::milliseconds lifetime{std::chrono::hours(120)};  ///< a delivery not sent within this fails, with an alert
    std::size_t batch = 64;            ///< deliveries taken per round (one commit before, one after)
    bool remote() const { return type == "sftp" || type == "https"; }
};

struct gateway_config {
    std::filesystem::path file, work, profiles;
    std::chrono::milliseconds settle{1000};          ///< a file modified within this is still being written
    std::chrono::milliseconds scan_interval{5000};   ///< the daemon's periodic scan, besides inotify
    std::chrono::milliseconds retry_after{30000};    ///< a file deferred by a full disk is tried again after this...
    std::chrono::milliseconds retry_max{600000};     ///< ...doubled with each deferral in a row, up to this
    long duplicate_window = 72 * 3600;               ///< seconds
    unsigned workers = 2;
    int max_attempts = 3;  ///< translations cut off (crash, kill) before a file is set aside as failed
    std::uint64_t max_file_mb = 256;    ///< a file over this is refused on its size, unread, and quarantined
    std::uint64_t max_message_mb = 32;  ///< an EDIFACT message over this is checked for syntax, not translated (EDI-M007)
    std::vector<partner_config> partners;
    std::vector<channel_config> channels;
    const channel_config* channel_for(const std::string& agency) const {
        for (const auto& c : channels)
            if (c.agency == agency) return &c;
        return nullptr;
    }
};

/// Reads and checks a configuration file. Every mistake goes to `problems` as "file:line: text"
/// (all of them, not only the first); with `load_routes`, each partner's route and its mappings
/// are loaded too, so a missing mapping or a bad mapping file is found before anything runs.
std::optional<gateway_config> load_config(const std::filesystem::path& file, std::vector<std::string>& problems, bool load_routes);

struct reading_options;
/// How a partner's files are read: its tolerance profile (from the configuration's profiles file)
/// and its charset override.
reading_options reading_for(const gateway_config& c, const partner_config& p);

/// The folder that holds an input in this state: claimed/<partner> while received or processing,
/// hold/<partner> while held, archive/<partner>/<state> once finished.
std::filesystem::path input_place(const gateway_config& c, const std::string& partner, std::string_view state);

/// The archive record of a finished file, beside its input in archive/<partner>/<state>/:
/// `<work name>.report.json` (what happened, every finding with its position, the outputs, the
/// deliveries, the replies), with `<work name>.output.<name>` and `<work name>.reply.<name>`, hard
/// links to each output and reply. This returns the report's path.
std::filesystem::path record_place(const gateway_config& c, const std::string& partner, std::string_view state,
                                   const std::string& work_name);

/// Interchanges, their messages (with the references they carry) and each message's outputs, as
/// `edigate track --json` and the archive's report.json show them.
nlohmann::ordered_json interchanges_json(const std::vector<tracking::interchange_record>& interchanges);

/// The name of the archive's copy of an output or a reply ("output" or "reply") of the file
/// `work_name`: "<stamp>-manifest.edi.output.1.cuscar-mt1101.xml" for the output
/// "<stamp>-manifest.1.cuscar-mt1101.xml" (the input's name is not said twice).
std::string record_copy_name(const std::string& work_name, std::string_view kind, std::string name);

/// Removes the archive records of a file (in every terminal state): its input goes back into
/// processing, and the record of the earlier outcome must not outlive it.
void forget_records(const gateway_config& c, const std::string& partner, const std::string& work_name);

/// The claim time of a claimed name ("<yyyyMMddTHHmmss + 6 digits>-<name>") as the mappings'
/// $now (yyyyMMddHHmmssSSS): a declaration is sent as of its arrival, so a redo after a crash, or
/// a replay, writes the same bytes. Empty for other names.
std::string claim_time(const std::string& work_name);

/// The wait before the next try after `failures` failed tries in a row (a full disk): retry_after,
/// doubled each time, at most retry_max.
std::chrono::milliseconds retry_wait(const gateway_config& c, int failures);

/// Writes `text` as `to` by a temporary name and a rename (not fsync'ed: see sync_filesystem).
bool publish(const std::filesystem::path& to, const std::string& text);
/// Makes every write on the file system of `dir` durable (one syncfs for a whole group of files).
bool sync_filesystem(const std::filesystem::path& dir);

/// What became of one inbox entry (reported to the listener as it happens).
struct file_done {
    std::string partner, name, state, text;  ///< state: a terminal state, or refused / waiting / deferred
    std::int64_t id = 0;                     ///< the tracking id (0: never registered)
    std::vector<std::string> outputs;
    double seconds = 0;                      ///< from claim to terminal state
};

class gateway {
public:
    using listener = std::function<void(const file_done&)>;
    /// Opens the tracking store and locks the work area (one gateway per work area); throws
    /// std::runtime_error when either fails. `on_done` is called from the worker threads.
    gateway(std::shared_ptr<const gateway_config> config, listener on_done);
    ~gateway();
    gateway(const gateway&) = delete;
    gateway& operator=(const gateway&) = delete;

    /// Start-up reconciliation of the work area with the database (see the file comment).
    void recover();
    /// One pass over every inbox: ready files are claimed, registered and queued, deferred files
    /// whose time has come are queued again. Returns true when some file is still settling (the
    /// daemon then looks again after the settle time). `report_waiting` reports settling files.
    /// `renamed_in`: inbox path + '/' + name of the files inotify saw renamed in; they are
    /// complete (their writer renamed them when done), so they skip the settle time.
    bool intake(bool report_waiting, const std::set<std::string>& renamed_in = {});
    /// Starts the workers (config().workers threads).
    void start();
    /// Waits until the queue is empty and no worker is busy.
    void drain();
    /// Stops: no new work is taken, the queued files stay claimed for the next start (recover()),
    /// each worker finishes the file it holds. Idempotent.
    void stop();
    /// Uses a new configuration from the next intake pass on (the caller has checked it).
    void reload(std::shared_ptr<const gateway_config> config);
    std::shared_ptr<const gateway_config> config() const;
    /// Files deferred (disk full, database busy) that wait for their retry; 1 more while the
    /// intake pauses after a failed registration.
    std::size_t deferred() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace edigate::cli
