/*
 * curlmem.h: the memory functions xingtu hands libcurl (curl_global_init_mem), which keep libcurl's large blocks.
 *
 * Every transfer of a batch runs on a fresh easy handle (transfer.h says why), and a fresh handle allocates a few
 * blocks of a kilobyte or more (its state, its 16 KB receive buffer, the connection it first sets up and then
 * drops for the pooled one). glibc serves an allocation that large only after malloc_consolidate has merged every
 * small chunk freed since the last one, and the Lua collector frees thousands for each decoded body: once per
 * request, that walk and the slow small allocations after it were a fifth of a batch's CPU. These functions keep
 * the freed large blocks of libcurl's few sizes on free lists of their own (bounded: XT_CURLMEM_KEEP bytes in
 * all), so a new handle takes them back without glibc; small blocks go straight to malloc and free.
 *
 * Process-wide, as libcurl's memory functions are: installed by the first curl_global_init of the process only
 * when it is ours (a host that initialised libcurl before keeps its own functions, and loses nothing but the
 * speed); the core is then pinned in memory (never unloaded while libcurl may call these), thread-safe (a mutex around
 * the lists). Under ASan and valgrind's memcheck a block on a list is marked unusable, so that a use-after-free inside
 * libcurl still shows there; MSan builds pass through to malloc and free.
 */
#ifndef XINGTU_CURLMEM_H
#define XINGTU_CURLMEM_H

#include <curl/curl.h>

#define XT_CURLMEM_KEEP ((size_t)8 << 20) /* bytes of freed large blocks kept at most */

/* curl_global_init(flags) with the functions above (or plain malloc and free, see above). */
CURLcode xt_curlmem_global_init(long flags);

#endif
