/*
 * curlmem.c: libcurl's memory functions, with free lists for its large blocks (contract in curlmem.h).
 *
 * Every block carries a header with the size asked for, so free knows whether it is a large one. A freed large
 * block goes onto the list of its exact size: libcurl's large allocations come in a handful of sizes (the handle,
 * its receive buffer, a connection), so exact sizes match without rounding up and wasting the difference.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#endif
#include "curlmem.h"

#include <dlfcn.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Under ASan and memcheck the lists run too, with every block on a list marked unusable (ASan's poisoning,
 * memcheck's no-access), so a use of a block libcurl freed is still reported as the use-after-free it is. */
#if defined(__SANITIZE_ADDRESS__)
#define XT_CURLMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_CURLMEM_ASAN 1
#endif
#endif
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define XT_CURLMEM_PASS 1 /* MSan tracks initialisation through malloc only */
#endif
#endif
#ifndef XT_CURLMEM_PASS
#define XT_CURLMEM_PASS 0
#endif

#ifdef XT_CURLMEM_ASAN
#include <sanitizer/asan_interface.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define XT_HAVE_MEMCHECK_H 1
#endif
#endif

/* A block going onto a list, and one taken off it (its n bytes from p). */
static void retire(void *p, size_t n)
{
#ifdef XT_CURLMEM_ASAN
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
#ifdef XT_HAVE_MEMCHECK_H
    VALGRIND_MAKE_MEM_NOACCESS(p, n);
#endif
    (void)p;
    (void)n;
}

static void revive(void *p, size_t n)
{
#ifdef XT_CURLMEM_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#ifdef XT_HAVE_MEMCHECK_H
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
    (void)p;
    (void)n;
}

#define HEADER    ((size_t)16)       /* the size asked for, then (on a list) the next block; keeps malloc's alignment */
#define LARGE_MIN ((size_t)1000)     /* glibc's tcache serves smaller blocks fast, without consolidating */
#define LARGE_MAX ((size_t)64 << 10) /* bigger blocks are rare, and not worth keeping */
#define SIZES     16                 /* distinct large sizes with a list; others go back to free() */

typedef struct free_list {
    size_t size;
    void *head; /* user pointers; each free block's header holds the next one (see next_of) */
} free_list;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static free_list lists[SIZES];
static int nlists;
static size_t kept; /* bytes on all lists */

static size_t *header_of(void *p)
{
    return (size_t *)(void *)((char *)p - HEADER);
}

/* Where a block on a list keeps the next one: in its header, which is never poisoned, so that a leak checker
 * (which ignores pointers in poisoned memory) still finds the whole list reachable. */
static void *next_of(void *p)
{
    return (char *)p - HEADER + sizeof(size_t);
}

/* The list for size n, made when there is room for one more; NULL otherwise. Under the lock. */
static free_list *list_for(size_t n, int make)
{
    for (int i = 0; i < nlists; i++)
        if (lists[i].size == n)
            return &lists[i];
    if (!make || nlists == SIZES)
        return NULL;
    lists[nlists].size = n;
    lists[nlists].head = NULL;
    return &lists[nlists++];
}

static void *mem_malloc(size_t n)
{
    if (n >= LARGE_MIN && n <= LARGE_MAX) {
        void *p = NULL;
        pthread_mutex_lock(&lock);
        free_list *l = list_for(n, 0);
        if (l != NULL && l->head != NULL) {
            p = l->head;
            revive(p, n);
            memcpy(&l->head, next_of(p), sizeof l->head);
            kept -= n;
        }
        pthread_mutex_unlock(&lock);
        if (p != NULL)
            return p; /* its header still says n */
    }
    if (n > SIZE_MAX - HEADER)
        return NULL;
    size_t *b = malloc(HEADER + n);
    if (b == NULL)
        return NULL;
    *b = n;
    return (char *)b + HEADER;
}

static void mem_free(void *p)
{
    if (p == NULL)
        return;
    size_t n = *header_of(p);
    if (n >= LARGE_MIN && n <= LARGE_MAX) {
        int taken = 0;
        pthread_mutex_lock(&lock);
        free_list *l = kept + n <= XT_CURLMEM_KEEP ? list_for(n, 1) : NULL;
        if (l != NULL) {
            memcpy(next_of(p), &l->head, sizeof l->head);
            retire(p, n);
            l->head = p;
            kept += n;
            taken = 1;
        }
        pthread_mutex_unlock(&lock);
        if (taken)
            return;
    }
    free(header_of(p));
}

static void *mem_realloc(void *p, size_t n)
{
    if (p == NULL)
        return mem_malloc(n);
    size_t old = *header_of(p);
    if (old < LARGE_MIN && n < LARGE_MIN) { /* glibc may grow it in place */
        size_t *b = realloc(header_of(p), HEADER + n);
        if (b == NULL)
            return NULL;
        *b = n;
        return (char *)b + HEADER;
    }
    void *q = mem_malloc(n);
    if (q == NULL)
        return NULL; /* p stays valid, as realloc promises */
    memcpy(q, p, old < n ? old : n);
    mem_free(p);
    return q;
}

static void *mem_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = mem_malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

static char *mem_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mem_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* Keeps this library loaded for the life of the process. Lua unloads a C module when its last state closes, and
 * libcurl (loaded for the process, maybe used by its host too) would then call memory functions that are gone, and
 * the blocks on the lists would leak with them. Fails (and the lists are not used) where that cannot be done. */
static int pin_self(void)
{
#if defined(RTLD_NODELETE) && defined(RTLD_NOLOAD)
    Dl_info info;
    if (dladdr((void *)&pin_self, &info) == 0 || info.dli_fname == NULL)
        return 0;
    return dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != NULL; /* never closed: the pin */
#else
    return 0;
#endif
}

CURLcode xt_curlmem_global_init(long flags)
{
    if (XT_CURLMEM_PASS || !pin_self())
        return curl_global_init(flags);
    return curl_global_init_mem(flags, mem_malloc, mem_free, mem_realloc, mem_strdup, mem_calloc);
}
