// curl_common.hpp - what the transfer module's libcurl users share (private to src/transfer).
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <string_view>

namespace edigate::transfer {

/// curl_global_init, once per process, before the first handle.
void global_init();

/// A curl_slist that frees itself.
struct curl_list {
    curl_slist* head = nullptr;
    curl_list() = default;
    curl_list(const curl_list&) = delete;
    curl_list& operator=(const curl_list&) = delete;
    ~curl_list() { curl_slist_free_all(head); }
    void add(const std::string& s) { head = curl_slist_append(head, s.c_str()); }
};

/// Lets a transfer be stopped from another thread (a gateway shutting down): libcurl asks this
/// callback while it works and aborts with CURLE_ABORTED_BY_CALLBACK when the flag is set.
inline void cancel_with(CURL* curl, const std::atomic<bool>* cancel) {
    if (!cancel) return;
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, cancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, +[](void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
        return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
    });
}

/// An upload's body, handed to libcurl piece by piece (CURLOPT_READFUNCTION / READDATA).
struct reading {
    std::string_view data;
    std::size_t at = 0;
    static std::size_t part(char* buffer, std::size_t size, std::size_t count, void* user) {
        auto& r = *static_cast<reading*>(user);
        std::size_t n = std::min(size * count, r.data.size() - r.at);
        std::copy_n(r.data.data() + r.at, n, buffer);
        r.at += n;
        return n;
    }
};

}  // namespace edigate::transfer
