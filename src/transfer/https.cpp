// https.cpp - see https.hpp.
#include "edigate/transfer/https.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "curl_common.hpp"

namespace edigate::transfer {

namespace {

/// The start of the answer's body, kept for the record (the rest is read and dropped).
std::size_t keep_start(char* data, std::size_t size, std::size_t count, void* user) {
    constexpr std::size_t keep = 64 * 1024;
    auto& body = *static_cast<std::string*>(user);
    std::size_t n = size * count;
    body.append(data, std::min(n, keep - std::min(body.size(), keep)));
    return n;
}

/// A body excerpt fit for a log line: printable ASCII, at most 200 characters.
std::string excerpt(const std::string& body) {
    std::string out;
    for (char c : body) {
        if (out.size() >= 200) break;
        out += c >= 32 && c < 127 ? c : ' ';
    }
    return out;
}

}  // namespace

struct https_client::impl {
    https_endpoint e;
    std::string password;
    CURL* curl = nullptr;
    char error[CURL_ERROR_SIZE] = {};
    std::int64_t connections = 0;
};

https_client::https_client(https_endpoint endpoint) : impl_(std::make_unique<impl>()) {
    global_init();
    if (!endpoint.url.starts_with("https://"))
        throw std::invalid_argument(fmt::format("'{}' is not an https:// address: deliveries are never sent unencrypted", endpoint.url));
    if (endpoint.method != "PUT" && endpoint.method != "POST")
        throw std::invalid_argument(fmt::format("method '{}': PUT or POST", endpoint.method));
    if (!endpoint.url.ends_with('/')) endpoint.url += '/';
    if (!endpoint.password_file.empty()) {
        std::ifstream in(endpoint.password_file);
        if (!in || !std::getline(in, impl_->password))
            throw std::invalid_argument(fmt::format("cannot read the password file {}", endpoint.password_file.string()));
    }
    impl_->e = std::move(endpoint);
    impl_->curl = curl_easy_init();
    if (!impl_->curl) throw std::runtime_error(std::string("curl_easy_init failed: ") + curl_easy_strerror(CURLE_FAILED_INIT));
}

https_client::~https_client() {
    if (impl_ && impl_->curl) curl_easy_cleanup(impl_->curl);
}

std::int64_t https_client::connections() const noexcept { return impl_->connections; }

upload_result https_client::send(const std::string& name, std::string_view data, const std::string& idempotency_key) {
    auto& s = *impl_;
    upload_result r;
    std::string url = s.e.url + name;
    if (!plain_remote_name(name)) {
        r.result = outcome::needs_operator;
        r.text = fmt::format("'{}' is not a plain file name; not sent to {}", name, s.e.url);
        return r;
    }
    CURL* c = s.curl;
    curl_easy_reset(c);  // keeps the connection cache
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is answered, never followed
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!s.e.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.e.ca_file.c_str());
    if (!s.e.client_cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, s.e.client_cert.c_str());
    if (!s.e.client_key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, s.e.client_key.c_str());
    if (!s.e.user.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, s.e.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s.error);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.e.connect_timeout.count()));
    cancel_with(c, s.e.cancel);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(s.e.timeout.count()));
    curl_list headers;
    headers.add("Idempotency-Key: " + idempotency_key);
    headers.add("Content-Type: " + s.e.content_type);
    headers.add("Expect:");  // no 100-continue round trip for every PUT
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.head);
    reading in{data};
    if (s.e.method == "PUT") {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, &reading::part);
        curl_easy_setopt(c, CURLOPT_READDATA, &in);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, data.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(data.size()));
    }
    std::string body;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &keep_start);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    s.error[0] = '\0';
    CURLcode rc = curl_easy_perform(c);
    long opened = 0;
    if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK) s.connections += opened;
    std::string at = fmt::format("{} {} to {}", s.e.method, name, s.e.url);
    std::string why = s.error[0] ? std::string(s.error) : std::string(curl_easy_strerror(rc));
    r.curl_code = rc;
    if (rc != CURLE_OK) {
        switch (rc) {
            case CURLE_PEER_FAILED_VERIFICATION:
            case CURLE_SSL_CACERT_BADFILE:
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_SSL_CERTPROBLEM:
                r.result = outcome::needs_operator;
                r.whole_channel = true;
                r.text = fmt::format("{} not sent: TLS refused: {} (curl {}); check the agency's certificate and our CA file and client "
                                     "certificate", at, why, rc);
                break;
            case CURLE_ABORTED_BY_CALLBACK:
                r.result = outcome::transient;
                r.text = fmt::format("{} interrupted: the gateway is stopping; sent again (same Idempotency-Key) when it runs again", at);
                break;
            case CURLE_OPERATION_TIMEDOUT:
                r.result = outcome::transient;
                r.text = fmt::format("{}: no answer within {} s ({}; curl {}): the outcome is unknown; it is sent again with the same "
                                     "Idempotency-Key", at, s.e.timeout.count(), why, rc);
                break;
            default:
                // Under TLS 1.3 a server that wants our client certificate says so in an alert
                // after the handshake (curl 55/56, "alert certificate required"): not transient.
                if (why.find("alert") != std::string::npos && why.find("certificate") != std::string::npos) {
                    r.result = outcome::needs_operator;
                    r.whole_channel = true;
                    r.text = fmt::format("{} not sent: TLS refused by the server: {} (curl {}); check our client certificate", at, why, rc);
                    break;
                }
                r.result = outcome::transient;
                r.text = fmt::format("{} not sent: {} (curl {}); tried again later", at, why, rc);
        }
        return r;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.http_status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        r.retry_after = std::chrono::seconds(retry_after);
    long st = r.http_status;
    std::string answer = body.empty() ? std::string() : fmt::format(": {}", excerpt(body));
    if (st >= 200 && st < 300) {
        r.result = outcome::sent;
        r.text = fmt::format("{}: HTTP {} ({} bytes){}", at, st, data.size(), answer);
        r.answer = std::move(body);
    } else if (st == 409) {
        r.result = outcome::sent;
        r.already_there = true;
        r.text = fmt::format("{}: HTTP 409, the agency already has this delivery (an earlier attempt){}", at, answer);
    } else if (st == 408 || st == 429 || st >= 500) {
        r.result = outcome::transient;
        r.text = fmt::format("{} not accepted: HTTP {}{}; tried again later{}", at, st, answer,
                             r.retry_after.count() ? fmt::format(" (the server asks for {} s)", r.retry_after.count()) : "");
    } else if (st == 401 || st == 403 || st == 407) {
        r.result = outcome::needs_operator;
        r.whole_channel = true;  // our credentials: every delivery of this channel would get the same
        r.text = fmt::format("{} refused: HTTP {}{}; check the channel's user and password file or client certificate", at, st, answer);
    } else {
        r.result = outcome::needs_operator;
        r.text = fmt::format("{} refused: HTTP {}{}; not tried again until an operator resends it", at, st, answer);
    }
    return r;
}

}  // namespace edigate::transfer
