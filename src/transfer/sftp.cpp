// sftp.cpp - see sftp.hpp.
#include "edigate/transfer/sftp.hpp"

#include "curl_common.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace edigate::transfer {

namespace {

/// Characters a remote folder may hold: it goes into a URL and into SFTP quote commands as is.
bool plain_folder(std::string_view f) noexcept {
    if (f.empty() || f.front() != '/' || f.find("//") != std::string_view::npos || f.find("/../") != std::string_view::npos ||
        f.ends_with("/.."))
        return false;
    return std::all_of(f.begin(), f.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '-' || c == '_';
    });
}

struct fetching {
    std::string got;
    std::size_t limit = 0;  ///< more than this is already a difference: stop
};

std::size_t write_part(char* data, std::size_t size, std::size_t count, void* user) {
    auto& f = *static_cast<fetching*>(user);
    std::size_t n = size * count;
    if (f.got.size() + n > f.limit) return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    f.got.append(data, n);
    return n;
}

}  // namespace

struct sftp_session::impl {
    sftp_endpoint e;
    CURL* curl = nullptr;
    char error[CURL_ERROR_SIZE] = {};
    std::int64_t connections = 0;
    curl_khmatch host_key = CURLKHMATCH_OK;  ///< how the last host key compared with known_hosts

    static int check_host_key(CURL*, const curl_khkey*, const curl_khkey*, curl_khmatch match, void* user) {
        static_cast<impl*>(user)->host_key = match;
        return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;  // never added, never accepted once
    }

    std::string url(const std::string& name, const std::string& folder = {}) const {
        return fmt::format("sftp://{}:{}{}/{}", e.host, e.port, folder.empty() ? e.folder : folder, name);
    }
    std::string where() const { return fmt::format("{}@{}:{}{}", e.user, e.host, e.port, e.folder); }

    /// The options of every transfer; a reused handle keeps its SSH connection.
    void common(const std::string& target) {
        curl_easy_reset(curl);  // keeps the connection cache
        curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "sftp");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl, CURLOPT_USERNAME, e.user.c_str());
        curl_easy_setopt(curl, CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PUBLICKEY));
        curl_easy_setopt(curl, CURLOPT_SSH_PRIVATE_KEYFILE, e.private_key.c_str());
        if (!e.public_key.empty()) curl_easy_setopt(curl, CURLOPT_SSH_PUBLIC_KEYFILE, e.public_key.c_str());
        curl_easy_setopt(curl, CURLOPT_SSH_KNOWNHOSTS, e.known_hosts.c_str());
        curl_easy_setopt(curl, CURLOPT_SSH_KEYFUNCTION, &impl::check_host_key);
        curl_easy_setopt(curl, CURLOPT_SSH_KEYDATA, this);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(e.connect_timeout.count()));
        cancel_with(curl, e.cancel);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, e.low_speed_limit);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(e.low_speed_time.count()));
        error[0] = '\0';
        host_key = CURLKHMATCH_OK;
    }

    CURLcode perform() {
        CURLcode rc = curl_easy_perform(curl);
        long opened = 0;
        if (curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK) connections += opened;
        return rc;
    }

    std::string detail(CURLcode rc) const { return error[0] ? std::string(error) : std::string(curl_easy_strerror(rc)); }

    upload_result failed(CURLcode rc, const std::string& name) const {
        upload_result r;
        r.curl_code = rc;
        std::string at = fmt::format("{} to {}", name, where());
        switch (rc) {
            case CURLE_PEER_FAILED_VERIFICATION:
                r.result = outcome::needs_operator;
                r.whole_channel = true;
                r.text = fmt::format("{} not sent: the server's host key {} {} (curl {}); check the key with the agency, then "
                                     "update the known_hosts file", at,
                                     host_key == CURLKHMATCH_MISMATCH ? "has CHANGED from the one in" : "is not in", e.known_hosts.string(), rc);
                break;
            case CURLE_LOGIN_DENIED:
                r.result = outcome::needs_operator;
                r.whole_channel = true;
                r.text = fmt::format("{} not sent: the server refused our key {} for user {} (curl {})", at, e.private_key.filename().string(), e.user, rc);
                break;
            case CURLE_REMOTE_ACCESS_DENIED:
            case CURLE_REMOTE_FILE_NOT_FOUND:
                r.result = outcome::needs_operator;
                r.whole_channel = true;
                r.text = fmt::format("{} not sent: {} (curl {}); check the folder and its permissions on the server", at, detail(rc), rc);
                break;
            case CURLE_ABORTED_BY_CALLBACK:
                r.result = outcome::transient;
                r.text = fmt::format("{} interrupted: the gateway is stopping; sent again (same name) when it runs again", at);
                break;
            default:
                r.result = outcome::transient;
                r.text = fmt::format("{} not sent: {} (curl {}); tried again later", at, detail(rc), rc);
        }
        return r;
    }
};

sftp_session::sftp_session(sftp_endpoint endpoint) : impl_(std::make_unique<impl>()) {
    global_init();
    if (!plain_folder(endpoint.folder))
        throw std::invalid_argument(fmt::format("remote folder '{}': an absolute path of letters, digits, '/', '.', '-' and '_'", endpoint.folder));
    if (endpoint.known_hosts.empty()) throw std::invalid_argument("no known_hosts file: without it any server key would be accepted");
    impl_->e = std::move(endpoint);
    impl_->curl = curl_easy_init();
    if (!impl_->curl) throw std::runtime_error(std::string("curl_easy_init failed: ") + curl_easy_strerror(CURLE_FAILED_INIT));
}

sftp_session::~sftp_session() {
    if (impl_ && impl_->curl) curl_easy_cleanup(impl_->curl);
}

std::int64_t sftp_session::connections() const noexcept { return impl_->connections; }

upload_result sftp_session::upload(const std::string& name, std::string_view data) {
    auto& s = *impl_;
    if (!plain_remote_name(name)) {
        upload_result r;
        r.result = outcome::needs_operator;
        r.text = fmt::format("'{}' is not a plain file name; not sent to {}", name, s.where());
        return r;
    }
    // A known_hosts file that is missing or empty would make every key "unknown": said plainly.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(s.e.known_hosts, ec) || std::filesystem::file_size(s.e.known_hosts, ec) == 0) {
        upload_result r;
        r.result = outcome::needs_operator;
        r.whole_channel = true;
        r.text = fmt::format("{} not sent to {}: the known_hosts file {} is missing or empty", name, s.where(), s.e.known_hosts.string());
        return r;
    }
    std::string part = "." + name + ".part";
    s.common(s.url(part));
    reading in{data};
    curl_list rename;
    rename.add(fmt::format("rename \"{}/{}\" \"{}/{}\"", s.e.folder, part, s.e.folder, name));
    curl_easy_setopt(s.curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s.curl, CURLOPT_READFUNCTION, &reading::part);
    curl_easy_setopt(s.curl, CURLOPT_READDATA, &in);
    curl_easy_setopt(s.curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl_easy_setopt(s.curl, CURLOPT_POSTQUOTE, rename.head);
    CURLcode rc = s.perform();
    if (rc == CURLE_OK) return {outcome::sent, 0, false, fmt::format("{} sent to {} ({} bytes)", name, s.where(), data.size())};
    if (rc != CURLE_QUOTE_ERROR) return s.failed(rc, name);

    // The upload went through but the rename did not: is `name` already there, from an earlier
    // attempt whose success was never recorded? The same bytes are a success; others a conflict.
    std::string why = s.detail(rc);
    s.common(s.url(name));
    fetching there{{}, data.size()};
    curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, &write_part);
    curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &there);
    CURLcode got = s.perform();
    if (got == CURLE_REMOTE_FILE_NOT_FOUND || (got != CURLE_OK && got != CURLE_WRITE_ERROR)) {
        auto r = s.failed(got == CURLE_REMOTE_FILE_NOT_FOUND ? rc : got, name);
        if (got == CURLE_REMOTE_FILE_NOT_FOUND) {
            r.result = outcome::transient;
            r.text = fmt::format("{} uploaded to {} as {} but not renamed: {} (curl {}); tried again later", name, s.where(), part, why, rc);
        }
        return r;
    }
    // Tidy the temporary copy away (best effort: a later upload replaces it anyway).
    s.common(s.url(name));
    curl_list remove;
    remove.add(fmt::format("rm \"{}/{}\"", s.e.folder, part));
    curl_easy_setopt(s.curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(s.curl, CURLOPT_POSTQUOTE, remove.head);
    s.perform();
    if (got == CURLE_OK && there.got == data)
        return {outcome::sent, 0, true, fmt::format("{} was already on {} with the same {} bytes (an earlier attempt)", name, s.where(), data.size())};
    upload_result r;
    r.result = outcome::needs_operator;
    r.curl_code = rc;
    r.text = fmt::format("{} not sent: {} already holds a different file of that name; it is not overwritten", name, s.where());
    return r;
}

bool sftp_session::list(const std::string& folder, std::vector<std::string>& names, std::string& problem) {
    auto& s = *impl_;
    if (!plain_folder(folder)) {
        problem = fmt::format("remote folder '{}' is not a plain absolute path", folder);
        return false;
    }
    s.common(s.url("", folder));
    curl_easy_setopt(s.curl, CURLOPT_DIRLISTONLY, 1L);
    fetching listing{{}, 16u << 20};
    curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, &write_part);
    curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &listing);
    if (CURLcode rc = s.perform(); rc != CURLE_OK) {
        problem = s.failed(rc, "listing " + folder).text;
        return false;
    }
    names.clear();
    for (std::size_t at = 0; at < listing.got.size();) {
        auto end = listing.got.find('\n', at);
        if (end == std::string::npos) end = listing.got.size();
        std::string name = listing.got.substr(at, end - at);
        if (!name.empty() && name.back() == '\r') name.pop_back();
        if (plain_remote_name(name)) names.push_back(std::move(name));  // never ".", "..", temporaries or odd names
        at = end + 1;
    }
    std::sort(names.begin(), names.end());
    return true;
}

bool sftp_session::fetch(const std::string& folder, const std::string& name, std::size_t limit, std::string& data, std::string& problem) {
    auto& s = *impl_;
    if (!plain_folder(folder) || !plain_remote_name(name)) {
        problem = fmt::format("'{}/{}' is not a plain remote path", folder, name);
        return false;
    }
    s.common(s.url(name, folder));
    fetching got{{}, limit};
    curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, &write_part);
    curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &got);
    CURLcode rc = s.perform();
    if (rc == CURLE_WRITE_ERROR) {
        problem = fmt::format("{}/{} on {} is larger than {} bytes; left on the server", folder, name, s.where(), limit);
        return false;
    }
    if (rc != CURLE_OK) {
        problem = s.failed(rc, fmt::format("fetching {}/{}", folder, name)).text;
        return false;
    }
    data = std::move(got.got);
    return true;
}

bool sftp_session::remove(const std::string& folder, const std::string& name, std::string& problem) {
    auto& s = *impl_;
    if (!plain_folder(folder) || !plain_remote_name(name)) {
        problem = fmt::format("'{}/{}' is not a plain remote path", folder, name);
        return false;
    }
    s.common(s.url("", folder));
    curl_list rm;
    rm.add(fmt::format("rm \"{}/{}\"", folder, name));
    curl_easy_setopt(s.curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(s.curl, CURLOPT_QUOTE, rm.head);
    if (CURLcode rc = s.perform(); rc != CURLE_OK) {
        problem = fmt::format("cannot remove {}/{} on {}: {} (curl {})", folder, name, s.where(), s.detail(rc), static_cast<int>(rc));
        return false;
    }
    return true;
}

}  // namespace edigate::transfer
