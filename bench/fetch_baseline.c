/*
 * fetch_baseline.c: what plain libcurl achieves, for comparison with core.multi.
 *
 * Fetches N URLs with the multi interface, at most C at once (connections shared and reused the same way core.multi
 * does), and prints requests per second. The URLs are one URL repeated, or with @FILE the lines of FILE in turn
 * (cycled when N is larger; N defaults to the number of lines).
 *
 *   make -C bench && bench/fetch_baseline http://127.0.0.1:8080/json 2000 8
 *   bench/fetch_baseline [--copy] [--fresh] @/tmp/urls.txt 2000 32
 *
 * By default the bodies are discarded (counted only). --copy keeps each body whole, as any client that then parses
 * it must: every handle has one buffer, kept from one transfer to the next and doubled when a body needs more.
 * --fresh gives every transfer a new handle (curl_easy_duphandle of the configured one, the old one cleaned up), as
 * core.multi does to stay clear of libcurl 7.88's folded-header bug (csrc/transfer.h): the price of that, in
 * isolation. By default a handle is reused for the next URL, as libcurl's own examples do.
 *
 * Not part of the module; use loopback or sandbox URLs only (every call to the real API is billed).
 */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* What the write callback writes to: one per handle. */
typedef struct sink {
    size_t *bytes; /* all bodies, all handles */
    int copy;
    char *buf; /* --copy: the current body */
    size_t len, cap;
} sink;

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    sink *k = ud;
    size_t n = size * nmemb;
    *k->bytes += n;
    if (!k->copy)
        return n;
    if (n > k->cap - k->len) {
        size_t ncap = k->cap ? k->cap : 16384;
        while (ncap < k->len + n)
            ncap *= 2;
        char *nb = realloc(k->buf, ncap);
        if (nb == NULL)
            return 0;
        k->buf = nb;
        k->cap = ncap;
    }
    memcpy(k->buf + k->len, data, n);
    k->len += n;
    return n;
}

/* CPU time (user + system) this process has used, in seconds. */
static double cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the non-empty lines of path into *out (one malloc'd block, lines NUL-terminated in place); returns the count,
 * or -1. */
static long read_lines(const char *path, char ***out, char **block)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return -1;
    buf[len] = '\0';
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\n';
    char **lines = malloc((size_t)(n + 1) * sizeof *lines);
    if (lines == NULL) {
        free(buf);
        return -1;
    }
    long k = 0;
    for (char *p = buf; *p != '\0';) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        size_t l = strlen(p);
        if (l > 0 && p[l - 1] == '\r')
            p[l - 1] = '\0';
        if (*p != '\0')
            lines[k++] = p;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    *out = lines;
    *block = buf;
    return k;
}

static CURL *new_easy(const char *url, CURLSH *share, sink *k)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)k);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)k);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(e, CURLOPT_SHARE, share);
    return e;
}

int main(int argc, char **argv)
{
    int copy = 0, fresh = 0;
    while (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
        if (strcmp(argv[1], "--copy") == 0)
            copy = 1;
        else if (strcmp(argv[1], "--fresh") == 0)
            fresh = 1;
        else
            break;
        argv++;
        argc--;
    }
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s [--copy] [--fresh] URL|@FILE [N=1000 or the lines of FILE] [C=8]\n", argv[0]);
        return 2;
    }
    char *one[1] = {argv[1]};
    char **urls = one, *block = NULL;
    long nurls = 1;
    if (argv[1][0] == '@') {
        nurls = read_lines(argv[1] + 1, &urls, &block);
        if (nurls < 1) {
            fprintf(stderr, "%s: no URLs in %s\n", argv[0], argv[1] + 1);
            return 2;
        }
    }
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : (block != NULL ? nurls : 1000);
    long c = argc > 3 ? strtol(argv[3], NULL, 10) : 8;
    if (n < 1 || c < 1 || c > 1024) {
        fprintf(stderr, "N must be >= 1 and C in 1..1024\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;

    CURLSH *share = curl_share_init();
    CURLM *multi = curl_multi_init();
    CURL **easy = calloc((size_t)c, sizeof *easy);
    sink *sinks = calloc((size_t)c, sizeof *sinks);
    if (share == NULL || multi == NULL || easy == NULL || sinks == NULL)
        return 1;
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, c);

    size_t bytes = 0;
    long started = 0, finished = 0, failed = 0, connects = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (long i = 0; i < c && started < n; i++, started++) {
        sinks[i].bytes = &bytes;
        sinks[i].copy = copy;
        easy[i] = new_easy(urls[started % nurls], share, &sinks[i]);
        if (easy[i] == NULL)
            return 1;
        curl_multi_add_handle(multi, easy[i]);
    }
    while (finished < n) {
        int running = 0, left = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            long k = 0, status = 0;
            char *priv = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
            ((sink *)(void *)priv)->len = 0; /* the body is complete: the buffer takes the next one */
            if (msg->data.result != CURLE_OK)
                failed++;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &k);
            if (status < 200 || status > 299)
                failed += msg->data.result == CURLE_OK;
            connects += k;
            finished++;
            curl_multi_remove_handle(multi, e);
            if (started < n && fresh) { /* a new handle for the next URL, the old one cleaned up */
                CURL *d = curl_easy_duphandle(e);
                if (d == NULL)
                    return 1;
                for (long i = 0; i < c; i++)
                    if (easy[i] == e)
                        easy[i] = d;
                curl_easy_cleanup(e);
                e = d;
                curl_easy_setopt(e, CURLOPT_SHARE, share);
            }
            if (started < n) { /* the handle (or its copy) takes the next URL */
                curl_easy_setopt(e, CURLOPT_URL, urls[started % nurls]);
                started++;
                curl_multi_add_handle(multi, e);
            }
        }
        if (finished < n)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double dt = now_s() - t0, cpu = cpu_s() - c0;

    printf("%ld requests (%ld failed) in %.3f s at concurrency %ld: %.1f requests/s, %ld connections, %zu bytes, "
           "%.1f us CPU per request\n",
           n, failed, dt, c, (double)n / dt, connects, bytes, cpu * 1e6 / (double)n);

    for (long i = 0; i < c; i++) {
        if (easy[i] != NULL)
            curl_easy_cleanup(easy[i]);
        free(sinks[i].buf);
    }
    free(easy);
    free(sinks);
    if (block != NULL) {
        free(urls);
        free(block);
    }
    curl_multi_cleanup(multi);
    curl_share_cleanup(share);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
