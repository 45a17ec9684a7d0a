// curl_common.hpp - what the transfer module's libcurl users share (private to src/transfer).
#pragma once

#include <curl/curl.h>

#include <algorithm>
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
