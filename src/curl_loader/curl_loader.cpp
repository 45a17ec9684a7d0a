// curl_loader.cpp - libcurl, loaded on its first call.
//
// Debian's libcurl brings some forty shared libraries (GnuTLS, Kerberos, LDAP, SSH...) whose
// loading and relocation took about 20 ms of every edigate start, and Xerces-C's shared library
// brings them again (for fetching schemas by URL, which edigate never does). So edigate links
// Xerces-C statically and not libcurl at all: the libcurl functions that the transfer module and
// Xerces-C call are defined here, with libcurl's own signatures, and each forwards to libcurl.so.4,
// opened with dlopen the first time any of them is called. Commands that transfer nothing never
// load it: curl_global_init(), which Xerces-C calls when it starts, is only remembered, and run
// just after the library is opened for a call that needs it. When it cannot be loaded, every
// call fails as libcurl itself reports failure, and curl_easy_strerror() says why.
//
// The executable does not export these definitions (nothing it links to asks for them), so
// libcurl's own calls between its functions stay inside libcurl.
// curl.h makes curl_easy_setopt a type-checking macro under GCC; these are the functions themselves.
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdarg>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

namespace {

struct library {
    std::string error;  ///< why libcurl.so.4 could not be used; empty when it was loaded
    CURLcode (*global_init)(long) = nullptr;
    void (*global_cleanup)() = nullptr;
    CURL* (*easy_init)() = nullptr;
    void (*easy_cleanup)(CURL*) = nullptr;
    void (*easy_reset)(CURL*) = nullptr;
    CURLcode (*easy_perform)(CURL*) = nullptr;
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
    const char* (*easy_strerror)(CURLcode) = nullptr;
    curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
    void (*slist_free_all)(curl_slist*) = nullptr;
    CURLM* (*multi_init)() = nullptr;
    CURLMcode (*multi_add_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_remove_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_perform)(CURLM*, int*) = nullptr;
    CURLMcode (*multi_cleanup)(CURLM*) = nullptr;
    CURLMcode (*multi_fdset)(CURLM*, fd_set*, fd_set*, fd_set*, int*) = nullptr;
    CURLMcode (*multi_timeout)(CURLM*, long*) = nullptr;
    CURLMsg* (*multi_info_read)(CURLM*, int*) = nullptr;
};

std::atomic<bool> opened{false};  ///< curl() has run: the library is open, or known not to open

const library& curl() {
    static const library lib = [] {
        opened = true;
        library l;
        void* handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            l.error = std::string("libcurl.so.4 cannot be loaded (apt-get install libcurl4): ") + (why ? why : "unknown reason");
            return l;
        }
        auto get = [&](auto& fn, const char* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
            if (!fn && l.error.empty()) l.error = std::string("libcurl.so.4 lacks ") + name;
        };
        get(l.global_init, "curl_global_init");
        get(l.global_cleanup, "curl_global_cleanup");
        get(l.easy_init, "curl_easy_init");
        get(l.easy_cleanup, "curl_easy_cleanup");
        get(l.easy_reset, "curl_easy_reset");
        get(l.easy_perform, "curl_easy_perform");
        get(l.easy_setopt, "curl_easy_setopt");
        get(l.easy_getinfo, "curl_easy_getinfo");
        get(l.easy_strerror, "curl_easy_strerror");
        get(l.slist_append, "curl_slist_append");
        get(l.slist_free_all, "curl_slist_free_all");
        get(l.multi_init, "curl_multi_init");
        get(l.multi_add_handle, "curl_multi_add_handle");
        get(l.multi_remove_handle, "curl_multi_remove_handle");
        get(l.multi_perform, "curl_multi_perform");
        get(l.multi_cleanup, "curl_multi_cleanup");
        get(l.multi_fdset, "curl_multi_fdset");
        get(l.multi_timeout, "curl_multi_timeout");
        get(l.multi_info_read, "curl_multi_info_read");
        return l;
    }();
    return lib;
}

bool loaded() { return curl().error.empty(); }

std::mutex init_lock;
bool init_wanted = false;  ///< a curl_global_init() before the library was opened, to run once it is
long init_flags = 0;

/// The library is loaded and globally initialised if curl_global_init() was asked for.
bool ready() {
    static const bool ok = [] {
        if (!loaded()) return false;
        std::lock_guard guard(init_lock);
        if (std::exchange(init_wanted, false)) curl().global_init(init_flags);
        return true;
    }();
    return ok;
}

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) {
    {
        std::lock_guard guard(init_lock);
        if (!opened) {  // not loaded for this: the first call that needs libcurl runs it
            init_wanted = true;
            init_flags = flags;
            return CURLE_OK;
        }
    }
    return ready() ? curl().global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup() {
    {
        std::lock_guard guard(init_lock);
        if (!opened) {
            init_wanted = false;
            return;
        }
    }
    if (ready()) curl().global_cleanup();
}

CURL* curl_easy_init() { return ready() ? curl().easy_init() : nullptr; }

void curl_easy_cleanup(CURL* h) {
    if (ready()) curl().easy_cleanup(h);
}

void curl_easy_reset(CURL* h) {
    if (ready()) curl().easy_reset(h);
}

CURLcode curl_easy_perform(CURL* h) { return ready() ? curl().easy_perform(h) : CURLE_FAILED_INIT; }

// The one argument after the option is a long, an object or function pointer, a curl_off_t or a
// blob pointer, by the option's number range (CURLOPTTYPE_*): read it as what it is.
CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) rc = curl().easy_setopt(h, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT) rc = curl().easy_setopt(h, option, va_arg(ap, void*));
    else if (option < CURLOPTTYPE_OFF_T) rc = curl().easy_setopt(h, option, va_arg(ap, void (*)()));
    else if (option < CURLOPTTYPE_BLOB) rc = curl().easy_setopt(h, option, va_arg(ap, curl_off_t));
    else rc = curl().easy_setopt(h, option, va_arg(ap, void*));
    va_end(ap);
    return rc;
}

// Every CURLINFO_* takes a pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    CURLcode rc = curl().easy_getinfo(h, info, va_arg(ap, void*));
    va_end(ap);
    return rc;
}

const char* curl_easy_strerror(CURLcode rc) { return ready() ? curl().easy_strerror(rc) : curl().error.c_str(); }

curl_slist* curl_slist_append(curl_slist* list, const char* text) { return ready() ? curl().slist_append(list, text) : nullptr; }

void curl_slist_free_all(curl_slist* list) {
    if (ready()) curl().slist_free_all(list);
}

CURLM* curl_multi_init() { return ready() ? curl().multi_init() : nullptr; }

CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) { return ready() ? curl().multi_add_handle(m, h) : CURLM_INTERNAL_ERROR; }

CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) { return ready() ? curl().multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR; }

CURLMcode curl_multi_perform(CURLM* m, int* running) { return ready() ? curl().multi_perform(m, running) : CURLM_INTERNAL_ERROR; }

CURLMcode curl_multi_cleanup(CURLM* m) { return ready() ? curl().multi_cleanup(m) : CURLM_INTERNAL_ERROR; }

CURLMcode curl_multi_fdset(CURLM* m, fd_set* r, fd_set* w, fd_set* e, int* max_fd) {
    return ready() ? curl().multi_fdset(m, r, w, e, max_fd) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_timeout(CURLM* m, long* ms) { return ready() ? curl().multi_timeout(m, ms) : CURLM_INTERNAL_ERROR; }

CURLMsg* curl_multi_info_read(CURLM* m, int* left) { return ready() ? curl().multi_info_read(m, left) : nullptr; }

}  // extern "C"
