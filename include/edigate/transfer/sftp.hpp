// sftp.hpp - uploads to an agency's SFTP server with libcurl: key authentication, strict host key
// checking against a known_hosts file, a temporary name and a rename (the agency never sees a
// partial file), one SSH connection reused across uploads.
//
// The delivery side of the gateway (retries, backoff, tracking) decides what to do with each
// outcome; this layer only transfers, classifies and explains.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

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
    long low_speed_limit = 1024;            ///< bytes/s; slower than this for low_speed_time aborts the transfer
    std::chrono::seconds low_speed_time{60};
};

/// What became of one upload.
enum class outcome {
    sent,            ///< the file is on the server under its name (possibly already from an earlier attempt)
    transient,       ///< not sent; worth trying again later (server down, connection cut, timeout, disk full)
    needs_operator,  ///< not sent; trying again changes nothing until someone acts (host key, key, permission, conflict)
};
std::string_view to_string(outcome o) noexcept;

struct upload_result {
    outcome result = outcome::transient;
    int curl_code = 0;           ///< the CURLcode of the failing step (0 when sent)
    bool already_there = false;  ///< an earlier attempt had put the same bytes there (its rename was not recorded)
    std::string text;            ///< for operators: what happened, where, and what to do
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

    /// SSH connections opened so far (a reused connection is not counted again).
    std::int64_t connections() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Whether `name` is acceptable as a remote file name (see upload()).
bool plain_remote_name(std::string_view name) noexcept;

}  // namespace edigate::transfer
