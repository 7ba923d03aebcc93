/*
 * fetch_baseline.c: what plain libcurl achieves, for comparison with core.multi.
 *
 * Fetches N copies of one URL with the multi interface, at most C at once (connections shared and reused the same
 * way core.multi does), discards the bodies and prints requests per second.
 *
 *   make -C bench && bench/fetch_baseline http://127.0.0.1:8080/json 2000 8
 *
 * Not part of the module; use loopback or sandbox URLs only (every call to the real API is billed).
 */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t nmemb, void *ud)
{
    (void)data;
    *(size_t *)ud += size * nmemb;
    return size * nmemb;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static CURL *new_easy(const char *url, CURLSH *share, size_t *bytes)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)bytes);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(e, CURLOPT_SHARE, share);
    return e;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s URL [N=1000] [C=8]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000;
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
    if (share == NULL || multi == NULL || easy == NULL)
        return 1;
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, c);

    size_t bytes = 0;
    long started = 0, finished = 0, failed = 0, connects = 0;
    double t0 = now_s();
    for (long i = 0; i < c && started < n; i++, started++) {
        easy[i] = new_easy(url, share, &bytes);
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
            if (msg->data.result != CURLE_OK)
                failed++;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &k);
            if (status < 200 || status > 299)
                failed += msg->data.result == CURLE_OK;
            connects += k;
            finished++;
            curl_multi_remove_handle(multi, e);
            if (started < n) { /* reuse the handle for the next copy */
                started++;
                curl_multi_add_handle(multi, e);
            }
        }
        if (finished < n)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double dt = now_s() - t0;

    printf("%ld requests (%ld failed) in %.3f s at concurrency %ld: %.1f requests/s, %ld connections, %zu bytes\n", n,
           failed, dt, c, (double)n / dt, connects, bytes);

    for (long i = 0; i < c; i++)
        if (easy[i] != NULL)
            curl_easy_cleanup(easy[i]);
    free(easy);
    curl_multi_cleanup(multi);
    curl_share_cleanup(share);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
