// sftp.hpp - uploads to an agency's SFTP server with libcurl: key authentication, strict host key
// checking against a known_hosts file, a temporary name and a rename (the agency never sees a
// partial file), one SSH connection reused across uploads.
//
// The delivery side of the gateway (retries, backoff, tracking) decides what to do with each
// outcome; this layer only transfers, classifies and explains.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edigate/transfer/outcome.hpp"

namespace edigate::transfer {

struct sftp_endpoint {
    std::string host = "127.0.0.1";
    int port = 22;
    std::string user;
    std::string folder;                     ///< absolute remote folder the files go into
    std::filesystem::path private_key;      ///< the client's key (never printed)
    std::filesystem::path public_key;       ///< optional; libssh2 derives it when empty
    std::filesystem::path known_hosts;      ///< required: an unknown or changed host key refuses the transfer
    std::chrono::seconds connect_timeout{15};
    const std::atomic<bool>* cancel = nullptr;  ///< set: a transfer in progress stops at once (transient, tried again later)
    long low_speed_limit = 1024;            ///< bytes/s; slower than this for low_speed_time aborts the transfer
    std::chrono::seconds low_speed_time{60};
};

/// One SFTP connection to one endpoint, opened on first use and reused by later uploads. Not
/// thread-safe: one session per delivery thread.
class sftp_session {
public:
    explicit sftp_session(sftp_endpoint endpoint);
    ~sftp_session();
    sftp_session(const sftp_session&) = delete;
    sftp_session& operator=(const sftp_session&) = delete;

    /// Uploads `data` as `name` in the endpoint's folder: written as ".<name>.part", then renamed
    /// to `name`. When `name` is already there (an earlier attempt renamed it but its success was
    /// not recorded), its bytes are compared: the same bytes are `sent` with already_there, other
    /// bytes are a conflict for an operator, never overwritten. `name` must be a plain file name
    /// (letters, digits, '.', '-', '_'; not starting with '.').
    upload_result upload(const std::string& name, std::string_view data);

    /// Inbound (agency receipts): the plain file names in a remote folder (names starting with '.',
    /// such as another writer's temporaries, are left out); false with `problem` when it cannot be listed.
    bool list(const std::string& folder, std::vector<std::string>& names, std::string& problem);
    /// Downloads folder/name (at most `limit` bytes; more is a problem); false with `problem`.
    bool fetch(const std::string& folder, const std::string& name, std::size_t limit, std::string& data, std::string& problem);
    /// Removes folder/name on the server (after its download was recorded); false with `problem`.
    bool remove(const std::string& folder, const std::string& name, std::string& problem);

    /// SSH connections opened so far (a reused connection is not counted again).
    std::int64_t connections() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace edigate::transfer
