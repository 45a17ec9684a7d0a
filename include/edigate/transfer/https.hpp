// https.hpp - deliveries to an agency's HTTPS endpoint with libcurl: TLS verification always on
// (the agency's CA file, optionally a client certificate), PUT or POST, an Idempotency-Key header
// so that a resent delivery is recognised, timeouts for connecting and for the whole exchange,
// and the answer's status and body kept for the record. One TLS connection reused across sends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "edigate/transfer/outcome.hpp"

namespace edigate::transfer {

struct https_endpoint {
    std::string url;                          ///< https://host[:port]/path/ : the file name is appended
    std::string method = "PUT";               ///< PUT or POST
    std::filesystem::path ca_file;            ///< the CAs trusted for this agency; empty: the system's
    std::filesystem::path client_cert;        ///< mutual TLS (PEM), optional, with client_key
    std::filesystem::path client_key;
    std::string user;                         ///< Basic authentication, optional, with password_file
    std::filesystem::path password_file;      ///< its first line is the password (never printed)
    std::string content_type = "application/octet-stream";
    std::chrono::seconds connect_timeout{15};
    const std::atomic<bool>* cancel = nullptr;  ///< set: a transfer in progress stops at once (transient, tried again later)
    std::chrono::seconds timeout{120};        ///< the whole exchange; no answer by then: outcome unknown, resent later
};

/// One HTTPS client for one endpoint. Not thread-safe: one per delivery thread.
class https_client {
public:
    /// Throws std::invalid_argument for an endpoint that is not https:// or names an unknown method.
    explicit https_client(https_endpoint endpoint);
    ~https_client();
    https_client(const https_client&) = delete;
    https_client& operator=(const https_client&) = delete;

    /// Sends `data` as `name` (a plain file name, see plain_remote_name) with the header
    /// `Idempotency-Key: <key>`; a resend of the same delivery must use the same key.
    /// 2xx: sent. 409: sent (the agency already has it). 408, 429, 5xx: transient, with the
    /// server's Retry-After. Other statuses and any certificate problem: for an operator.
    upload_result send(const std::string& name, std::string_view data, const std::string& idempotency_key);

    /// TLS connections opened so far (a reused connection is not counted again).
    std::int64_t connections() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace edigate::transfer
