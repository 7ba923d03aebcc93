/*
 * transfer.h: one HTTP transfer's C side, shared by the session (session.c) and the multi engine (multi.c).
 *
 * A transfer (xt_xfer) is one libcurl easy handle plus everything its callbacks write to: the body buffer, the
 * recorded headers and the error text. The body buffer is kept from one request to the next (up to 1 MiB) and
 * sized once from the response's Content-Length when that announces more than it holds. Nothing here touches Lua:
 * the callbacks only append to buffers, and the result is built from them after the transfer finished (result.h).
 * An xt_xfer lives inside a Lua userdata (the session, or one slot of a multi), so the userdata's single release
 * frees the malloc'd body buffer and the handle, and a Lua error raised while a result is being built leaks nothing.
 */
#ifndef XINGTU_TRANSFER_H
#define XINGTU_TRANSFER_H

#include <curl/curl.h>
#include <stddef.h>

#include "xt_limits.h"

#define XT_RETRY_AFTER_MAX 64 /* bytes kept of Retry-After, with the NUL */

typedef struct xt_xfer {
    CURL *easy;
    char *body; /* malloc'd; owned by the enclosing userdata */
    size_t len;
    size_t cap;
    size_t max_body;
    int too_large; /* the write callback refused bytes over max_body */
    int oom;       /* the write callback could not grow the buffer */
    char errbuf[CURL_ERROR_SIZE];
    char content_type[XT_HEADER_MAX];
    char request_id[XT_HEADER_MAX];
    char retry_after[XT_RETRY_AFTER_MAX];
} xt_xfer;

/* curl_global_init exactly once per process (pthread_once). */
void xt_curl_global_init(void);

/* A share for connections, DNS and TLS sessions (they outlive each transfer's easy handle), or NULL (no memory). */
CURLSH *xt_share_new(void);

/* Points the handle's callbacks and error buffer at x and applies x->max_body (call again after every new handle). */
void xt_xfer_bind(xt_xfer *x);

/*
 * Gives x a fresh easy handle duplicated from `from` (which may be x->easy itself), using `share`, bound to x; the
 * old handle is cleaned up. Returns 0 when libcurl is out of memory: x then keeps its old handle.
 * Why a fresh handle for every request: reusing one is unsafe with libcurl 7.88 (Debian 12): a response whose first
 * header line is a folded continuation is unfolded into the previous response's freed header store (state.prevhead
 * is left dangling), a heap-use-after-free that a server can trigger (found by fuzz/fuzz_envelope.c;
 * spec/reliability_sandbox_spec.lua has the regression). curl_easy_reset() does not clear that pointer either (checked
 * under ASan with a reused handle, with and without a reset between the requests: both read freed memory; a duplicate
 * does not). Connections stay alive in the share.
 */
int xt_xfer_renew(xt_xfer *x, CURL *from, CURLSH *share);

/* Per-request reset: empty the body (keep a modest capacity), clear headers and the error text, set the URL and the
 * whole-attempt timeout (milliseconds; set on every request, as handles are duplicated from the previous one). */
CURLcode xt_xfer_prepare(xt_xfer *x, const char *url, long timeout_ms);

/* Empties the body, and frees its buffer when it grew past a modest size (1 MiB). */
void xt_xfer_trim(xt_xfer *x);

/* Frees the body buffer and cleans up the easy handle (idempotent). */
void xt_xfer_free(xt_xfer *x);

/* Number of new connections the last transfer of x opened (CURLINFO_NUM_CONNECTS). */
long xt_xfer_connects(xt_xfer *x);

#endif
