// outcome.hpp - what became of one transfer to an agency, for every channel type.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace edigate::transfer {

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
    long http_status = 0;        ///< HTTPS: the status of the answer (0: none)
    std::chrono::seconds retry_after{0};  ///< HTTPS: the server's Retry-After, when it gave one
    std::string answer;          ///< HTTPS: the answer's body (its first 64 KiB); an agency may answer with its receipt
    /// needs_operator because the channel itself is refused (host key, our key or password, TLS,
    /// the remote folder), not this document: every delivery of the channel waits for the same fix.
    bool whole_channel = false;
};

/// Whether `name` is acceptable as a remote file name: letters, digits, '.', '-' and '_', not
/// starting with '.', at most 200 characters (it goes into URLs and SFTP commands as is).
bool plain_remote_name(std::string_view name) noexcept;

}  // namespace edigate::transfer
