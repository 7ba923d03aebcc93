/*
 * transfer.c: the libcurl side of one transfer (contract in transfer.h): process-wide initialisation, the share, the
 * write and header callbacks, and the life of an xt_xfer's handle and buffers. No Lua in this file.
 */
#include "transfer.h"

#include "curlmem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUF_KEEP    ((size_t)1 << 20) /* a body buffer bigger than this is freed after use */
#define BUF_INITIAL ((size_t)16384)   /* first allocation of a body buffer */

/* ---- process-wide libcurl initialisation: the only C global ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    /* A failure here shows up later as curl_easy_init() returning NULL, which raises. */
    (void)xt_curlmem_global_init(CURL_GLOBAL_DEFAULT);
}

void xt_curl_global_init(void)
{
    (void)pthread_once(&curl_once, curl_init_once);
}

CURLSH *xt_share_new(void)
{
    CURLSH *share = curl_share_init();
    if (share != NULL) {
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
    return share;
}

/* ---- libcurl callbacks ---- */

/* The body buffer's capacity becomes ncap (> x->cap); 0 when out of memory (the buffer is unchanged). */
static int grow_to(xt_xfer *x, size_t ncap)
{
    char *nb = realloc(x->body, ncap);
    if (nb == NULL)
        return 0;
    x->body = nb;
    x->cap = ncap;
    return 1;
}

/* Makes room for `need` bytes of body in all (need <= max_body), doubling; 0 when out of memory. */
static int reserve(xt_xfer *x, size_t need)
{
    if (need <= x->cap)
        return 1;
    size_t ncap = x->cap ? x->cap : BUF_INITIAL;
    while (ncap < need)
        ncap *= 2; /* need <= max_body <= 2^40: no overflow */
    if (ncap > x->max_body)
        ncap = x->max_body;
    return grow_to(x, ncap);
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    xt_xfer *x = ud;
    size_t n = size * nmemb;
    if (n == 0)
        return 0;
    /* invariant: x->len <= x->max_body */
    if (n > x->max_body - x->len) {
        x->too_large = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (!reserve(x, x->len + n)) {
        x->oom = 1;
        return 0;
    }
    memcpy(x->body + x->len, data, n);
    x->len += n;
    return n;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Does the header line start with `name` (lowercase) followed by ':'? Returns the offset after the colon or 0. */
static size_t header_is(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n <= k || line[k] != ':')
        return 0;
    for (size_t i = 0; i < k; i++)
        if (ascii_lower((unsigned char)line[i]) != name[i])
            return 0;
    return k + 1;
}

/* Copies the value part of a header line, trimmed of blanks and CR/LF, control bytes dropped, truncated. */
static void header_copy(char *dst, size_t dstlen, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < dstlen; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            continue;
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
}

/*
 * A Content-Length announces the body: one allocation of that size (at least BUF_INITIAL) instead of doubling
 * through every power of two below it, each step copying what came so far. Only a hint: a compressed body grows
 * past it as before, a value over max_body or garbled is ignored (libcurl refuses the first through
 * CURLOPT_MAXFILESIZE), and failing to allocate now is left for the write callback to report.
 */
static void presize(xt_xfer *x, const char *v, size_t n)
{
    size_t i = 0, len = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i == n || v[i] < '0' || v[i] > '9')
        return;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        len = len * 10 + (size_t)(v[i] - '0');
        if (len > x->max_body)
            return;
    }
    if (len < BUF_INITIAL) /* small bodies share one size, so that buffers kept across requests fit them all */
        len = BUF_INITIAL < x->max_body ? BUF_INITIAL : x->max_body;
    if (len > x->cap && x->len == 0)
        (void)grow_to(x, len);
}

static void clear_headers(xt_xfer *x)
{
    x->content_type[0] = '\0';
    x->retry_after[0] = '\0';
    x->request_id[0] = '\0';
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    xt_xfer *x = ud;
    size_t n = size * nmemb, off;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0)
        clear_headers(x); /* a new response starts (after 1xx, or a proxy's CONNECT reply) */
    else if ((off = header_is(line, n, "content-type")) != 0)
        header_copy(x->content_type, sizeof x->content_type, line + off, n - off);
    else if ((off = header_is(line, n, "retry-after")) != 0)
        header_copy(x->retry_after, sizeof x->retry_after, line + off, n - off);
    else if ((off = header_is(line, n, "x-request-id")) != 0)
        header_copy(x->request_id, sizeof x->request_id, line + off, n - off);
    else if ((off = header_is(line, n, "content-length")) != 0)
        presize(x, line + off, n - off);
    return n;
}

/* ---- an xt_xfer's handle and buffers ---- */

void xt_xfer_bind(xt_xfer *x)
{
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, (void *)x);
    curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, (void *)x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
}

int xt_xfer_renew(xt_xfer *x, CURL *from, CURLSH *share)
{
    CURL *fresh = curl_easy_duphandle(from);
    if (fresh == NULL)
        return 0;
    if (x->easy != NULL)
        curl_easy_cleanup(x->easy); /* after the duplication: `from` may be this handle */
    x->easy = fresh;
    (void)curl_easy_setopt(fresh, CURLOPT_SHARE, share);
    xt_xfer_bind(x);
    return 1;
}

void xt_xfer_trim(xt_xfer *x)
{
    if (x->cap > BUF_KEEP) {
        free(x->body);
        x->body = NULL;
        x->cap = 0;
    }
    x->len = 0;
}

CURLcode xt_xfer_prepare(xt_xfer *x, const char *url, long timeout_ms)
{
    xt_xfer_trim(x);
    x->too_large = 0;
    x->oom = 0;
    x->errbuf[0] = '\0';
    clear_headers(x);
    CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    return rc != CURLE_OK ? rc : curl_easy_setopt(x->easy, CURLOPT_URL, url);
}

void xt_xfer_free(xt_xfer *x)
{
    free(x->body);
    x->body = NULL;
    x->len = x->cap = 0;
    if (x->easy != NULL) {
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
    }
}

long xt_xfer_connects(xt_xfer *x)
{
    long n = 0;
    if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &n) != CURLE_OK)
        n = 0;
    return n;
}
