// curl_common.hpp - what the transfer module's libcurl users share (private to src/transfer).
#pragma once

#include <curl/curl.h>

#include <string>

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

}  // namespace edigate::transfer
