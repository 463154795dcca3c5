/* libcurl, loaded with dlopen on the first download instead of linked.
 *
 * Linking libcurl (directly or through FoundationNetworking) makes every start of the program
 * load it and ~25 libraries it depends on (Kerberos, LDAP, GnuTLS, SSH, ...), about half of the
 * time before the Jupyter kernel can bind its ports. Only a CIFAR-10 download needs it, so the
 * module map links nothing and these wrappers reach libcurl.so.4 through dlopen/dlsym.
 * Types and constants come from Debian's libcurl4-openssl-dev headers. */
#ifndef SWIFT_LAB_CCURL_SHIM_H
#define SWIFT_LAB_CCURL_SHIM_H

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <curl/curl.h>

/* The libcurl functions we call, resolved from the loaded library. */
struct swl_curl {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
};

/* The loaded functions and the load's error text, kept in one function-local static
   (Swift emits the bodies of header functions, but not header-level static variables). */
struct swl_curl_state {
    pthread_once_t once;
    struct swl_curl api;
    char error[512];
};
static inline struct swl_curl_state *swl_curl_state(void) {
    static struct swl_curl_state state = { PTHREAD_ONCE_INIT };
    return &state;
}
#define swl_curl_api (swl_curl_state()->api)
#define swl_curl_load_error (swl_curl_state()->error)

static inline void swl_curl_do_load(void) {
    /* $SWIFT_LAB_LIBCURL names another library file (tests use it to see a missing libcurl). */
    const char *name = getenv("SWIFT_LAB_LIBCURL");
    void *lib = dlopen(name && *name ? name : "libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(swl_curl_load_error, sizeof swl_curl_load_error, "%s", e ? e : "dlopen failed");
        return;
    }
    struct swl_curl a;
    CURLcode (*global_init)(long) = (CURLcode (*)(long))dlsym(lib, "curl_global_init");
#define SWL_SYM(field, name) a.field = (__typeof__(a.field))dlsym(lib, name)
    SWL_SYM(easy_init, "curl_easy_init");
    SWL_SYM(easy_setopt, "curl_easy_setopt");
    SWL_SYM(easy_getinfo, "curl_easy_getinfo");
    SWL_SYM(easy_cleanup, "curl_easy_cleanup");
    SWL_SYM(easy_strerror, "curl_easy_strerror");
    SWL_SYM(multi_init, "curl_multi_init");
    SWL_SYM(multi_add_handle, "curl_multi_add_handle");
    SWL_SYM(multi_remove_handle, "curl_multi_remove_handle");
    SWL_SYM(multi_perform, "curl_multi_perform");
    SWL_SYM(multi_poll, "curl_multi_poll");
    SWL_SYM(multi_info_read, "curl_multi_info_read");
    SWL_SYM(multi_cleanup, "curl_multi_cleanup");
#undef SWL_SYM
    if (!global_init || !a.easy_init || !a.easy_setopt || !a.easy_getinfo || !a.easy_cleanup || !a.easy_strerror
        || !a.multi_init || !a.multi_add_handle || !a.multi_remove_handle || !a.multi_perform || !a.multi_poll
        || !a.multi_info_read || !a.multi_cleanup) {
        snprintf(swl_curl_load_error, sizeof swl_curl_load_error, "libcurl.so.4 lacks a function we need (libcurl 7.66 or newer is)");
        return;
    }
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(swl_curl_load_error, sizeof swl_curl_load_error, "curl_global_init failed");
        return;
    }
    swl_curl_api = a;
}

/* libcurl's functions, loaded once (thread-safe); NULL when it cannot be loaded (see swl_curl_error). */
static inline const struct swl_curl *swl_curl_load(void) {
    pthread_once(&swl_curl_state()->once, swl_curl_do_load);
    return swl_curl_api.easy_init ? &swl_curl_api : NULL;
}

/* Why swl_curl_load returned NULL. */
static inline const char *swl_curl_error(void) { return swl_curl_load_error; }

/* curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper per kind of value. */
static inline CURLcode swl_curl_setopt_long(const struct swl_curl *c, CURL *h, CURLoption o, long v) {
    return c->easy_setopt(h, o, v);
}
static inline CURLcode swl_curl_setopt_pointer(const struct swl_curl *c, CURL *h, CURLoption o, void *v) {
    return c->easy_setopt(h, o, v);
}
static inline CURLcode swl_curl_setopt_string(const struct swl_curl *c, CURL *h, CURLoption o, const char *v) {
    return c->easy_setopt(h, o, v);
}

/* Body bytes as they arrive; return count * size to go on, anything else aborts the transfer. */
typedef size_t (*swl_curl_write_fn)(char *data, size_t size, size_t count, void *user);
static inline CURLcode swl_curl_setopt_write(const struct swl_curl *c, CURL *h, swl_curl_write_fn f, void *user) {
    CURLcode r = c->easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
    return r != CURLE_OK ? r : c->easy_setopt(h, CURLOPT_WRITEDATA, user);
}

/* The HTTP status of the last response (0 before one arrived). */
static inline long swl_curl_response_code(const struct swl_curl *c, CURL *h) {
    long code = 0;
    c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

/* The body's announced length, or -1 when the response gave none. */
static inline curl_off_t swl_curl_content_length(const struct swl_curl *c, CURL *h) {
    curl_off_t n = -1;
    c->easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &n);
    return n;
}

/* The result of the finished transfer on `multi` (CURLE_OK), or -1 while none has finished. */
static inline int swl_curl_multi_result(const struct swl_curl *c, CURLM *multi) {
    int left = 0;
    CURLMsg *m;
    while ((m = c->multi_info_read(multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE) return (int)m->data.result;
    }
    return -1;
}

#endif
