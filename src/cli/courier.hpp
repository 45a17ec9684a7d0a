// courier.hpp - one channel's deliveries to its agency (SFTP or HTTPS) and the receipts that come
// back (from a local or remote receipts folder, or in an HTTPS answer).
//
// A delivery is queued as a "pending" row in the same commit that settles its file (gateway.cpp),
// so an output is never sent before it is recorded, and never forgotten after. The courier takes
// due rows in rounds: one commit marks them "sending" (the attempt is counted before the upload),
// the uploads run over one reused connection, one commit records the outcomes. A crash between the
// two leaves "sending" rows, which the next start makes pending again: they are sent again under
// the same remote name and Idempotency-Key, so the agency keeps one copy (an SFTP file already
// there with the same bytes, an HTTP 409 or an idempotent 200, are recorded as sent).
//
// Failures: a transient one (server down, connection cut, timeout, HTTP 5xx) and a refusal of the
// whole channel (host key, credentials, TLS) stop the round and pause the channel, the pause
// doubling from retry_min to retry_max (±10%, so that many gateways do not come back at once; a
// longer Retry-After is honoured); a refusal of one document (HTTP 4xx, a different file of that
// name on the server) fails that delivery at once, with an alert, until an operator resends it. A
// delivery not sent within the channel's lifetime fails with an alert.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway.hpp"

namespace edigate::cli {

class courier {
public:
    /// What the sender gets back for a receipt (its route's APERAK): called with the file the
    /// receipt answers, what it carried and the kept receipt; returns "what -> where" lines for
    /// the file's history (empty: nothing sent back).
    using answerer = std::function<std::vector<std::string>(const tracking::file_record&, const std::vector<tracking::interchange_record>&,
                                                            const std::filesystem::path& receipt)>;
    /// Starts its thread at once.
    courier(channel_config channel, std::filesystem::path work, answerer answer_sender);
    ~courier();  ///< stops: an upload in progress is cut off and sent again later (same name, same key)
    courier(const courier&) = delete;
    courier& operator=(const courier&) = delete;

    /// New deliveries were committed: look now.
    void wake();
    /// Waits until a round started after this call found nothing due (deliveries the channel's
    /// pause or backoff holds back count as not due) and the receipts folder was read once.
    void drain();
    const std::string& name() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

/// The Idempotency-Key of a delivery: the same for every attempt and every resend of the same
/// bytes under the same name through the same channel, so the agency recognises a second copy.
std::string delivery_key(const std::string& channel, const std::string& remote_name, std::string_view content);

}  // namespace edigate::cli
