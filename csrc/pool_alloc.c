/*
 * pool_alloc.c: the small-block pool behind core.use_pool_allocator() (contract in pool_alloc.h).
 *
 * Every path that shrinks a block has an answer that cannot fail, as Lua assumes: a pool block shrinking to a
 * smaller class moves when the smaller class has room, and otherwise stays where it is (a block is at least as large
 * as the class its size later names, so it is freed onto a list of blocks no larger than it); other blocks are
 * shrunk by the allocator that made them, as before installation.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE, MAP_NORESERVE */
#endif
#include "pool_alloc.h"

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "compat.h"

/* Builds where the pool never applies; use_pool_allocator only says why. */
#if LUA_VERSION_NUM < 504
#define XT_POOL_REFUSE "LuaJIT has its own allocator (lua_setallocf is not supported on 64-bit)"
#elif defined(__SANITIZE_ADDRESS__)
#define XT_POOL_REFUSE "the core is built with AddressSanitizer, which must see every block"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define XT_POOL_REFUSE "the core is built with a sanitizer, which must see every block"
#endif
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define XT_POOL_HAVE_VALGRIND_H 1
#endif
#endif

#ifndef XT_POOL_REFUSE
#define CLASSES    ((int)(XT_POOL_MAX / 16))
#define HEAD_BYTES ((size_t)64 << 10)       /* the pool struct's part of the reservation */
#ifndef XT_POOL_STACK_CAP                   /* a test build makes it small, so that the overflow lists run */
#define XT_POOL_STACK_CAP ((size_t)1 << 20) /* free blocks a class's stack holds at most */
#endif
#define STACK_CAP    XT_POOL_STACK_CAP
#define STACK_STEP   ((size_t)64 << 10)                             /* bytes of a stack committed at a time */
#define STACKS_BYTES ((size_t)CLASSES * STACK_CAP * sizeof(void *)) /* all the stacks' reservation */

/* A class's free blocks: a stack of their addresses first, then (once the stack is full or cannot grow) a list
 * threaded through the blocks themselves. The stack is the fast path: pushing and popping touch neither the freed
 * block nor the one handed out, where a threaded list takes a cache miss on each (the collector frees cold node
 * and array parts, and the next pop reads the next pointer out of a cold block). */
typedef struct free_class {
    void **top;       /* next free slot of the stack */
    void **bottom;    /* its first slot */
    void **committed; /* end of its read-write part */
    void **limit;     /* end of its reservation */
    void *list;       /* the overflow list */
} free_class;

typedef struct pool {
    lua_Alloc old;
    void *old_ud;
    char *base; /* the blocks' region: [base, end) */
    char *end;
    char *bump;      /* next never-used byte */
    char *committed; /* end of the read-write part */
    free_class free[CLASSES];
} pool;

static int class_of(size_t n) /* 1 <= n <= XT_POOL_MAX */
{
    return (int)((n - 1) >> 4);
}

static int ours(const pool *P, const void *p)
{
    return (uintptr_t)p >= (uintptr_t)P->base && (uintptr_t)p < (uintptr_t)P->end;
}

/* A block of class c from the pool, or NULL when the region is used up or cannot be committed further. */
static void *pool_take(pool *P, int c)
{
    free_class *F = &P->free[c];
    if (F->top > F->bottom)
        return *--F->top;
    void *b = F->list;
    if (b != NULL) {
        F->list = *(void **)b;
        return b;
    }
    size_t size = (size_t)(c + 1) * 16;
    if ((size_t)(P->committed - P->bump) < size) {
        if ((size_t)(P->end - P->committed) < XT_POOL_STEP ||
            mprotect(P->committed, XT_POOL_STEP, PROT_READ | PROT_WRITE) != 0)
            return NULL;
        P->committed += XT_POOL_STEP;
    }
    b = P->bump;
    P->bump += size;
    return b;
}

static void pool_give(pool *P, void *b, size_t osize)
{
    free_class *F = &P->free[class_of(osize)];
    if (F->top == F->committed && F->committed < F->limit) {
        size_t left = (size_t)(F->limit - F->committed) * sizeof(void *);
        size_t step = left < STACK_STEP ? left : STACK_STEP;
        if (mprotect(F->committed, step, PROT_READ | PROT_WRITE) == 0)
            F->committed += step / sizeof(void *);
    }
    if (F->top < F->committed) {
        *F->top++ = b;
        return;
    }
    *(void **)b = F->list; /* the stack cannot grow: a list, which needs no memory of its own */
    F->list = b;
}

/* A new block of n > 0 bytes, from the pool when it can serve it; tag is Lua's object type tag for the old
 * allocator. */
static void *pool_get(pool *P, size_t n, size_t tag)
{
    if (n <= XT_POOL_MAX) {
        void *b = pool_take(P, class_of(n));
        if (b != NULL)
            return b;
    }
    return P->old(P->old_ud, NULL, tag, n);
}

/* Everything but the two fast paths of pool_alloc. */
static __attribute__((noinline)) void *pool_slow(pool *P, void *ptr, size_t osize, size_t nsize)
{
    if (ptr == NULL) /* osize is a type tag, not a size */
        return nsize == 0 ? NULL : pool_get(P, nsize, osize);
    if (!ours(P, ptr))
        return P->old(P->old_ud, ptr, osize, nsize); /* made before installation or too large: its own allocator */
    if (nsize == 0) {
        pool_give(P, ptr, osize);
        return NULL;
    }
    if (nsize <= XT_POOL_MAX && class_of(nsize) == class_of(osize))
        return ptr;
    void *b = pool_get(P, nsize, 0);
    if (b == NULL)
        return nsize < osize ? ptr : NULL; /* a shrink stays in place (see the top comment); a growth may fail */
    memcpy(b, ptr, nsize < osize ? nsize : osize);
    pool_give(P, ptr, osize);
    return b;
}

/* The fast paths, a pool block freed onto its class's stack and a small block taken from one, need no stack frame;
 * the rest is a tail call. */
static void *pool_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    pool *P = ud;
    if (nsize == 0) {
        if (ours(P, ptr)) { /* NULL never is */
            free_class *F = &P->free[class_of(osize)];
            if (F->top < F->committed) {
                *F->top++ = ptr;
                return NULL;
            }
        }
    } else if (ptr == NULL && nsize <= XT_POOL_MAX) {
        free_class *F = &P->free[class_of(nsize)];
        if (F->top > F->bottom)
            return *--F->top;
    }
    return pool_slow(P, ptr, osize, nsize);
}

/* Keeps the core loaded for the life of the process: lua_close unloads C modules before it frees the state's last
 * blocks through pool_alloc. */
static int pin_self(void)
{
#if defined(RTLD_NODELETE) && defined(RTLD_NOLOAD)
    Dl_info info;
    if (dladdr((void *)&pool_alloc, &info) == 0 || info.dli_fname == NULL)
        return 0;
    return dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != NULL; /* never closed: the pin */
#else
    return 0;
#endif
}

/* Installs the pool on L; NULL on success, else why not. */
static const char *install(lua_State *L)
{
    if (sizeof(void *) < 8)
        return "the pool needs a 64-bit address space";
#ifdef XT_POOL_HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND)
        return "running under valgrind, which must see every block";
#endif
    if (!pin_self())
        return "the core cannot be pinned in memory";
    /* One reservation: the pool struct, the classes' stacks, then the blocks. */
    size_t total = HEAD_BYTES + STACKS_BYTES + XT_POOL_RESERVE;
    char *region = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED)
        return "the address space for the pool cannot be reserved";
    char *blocks = region + HEAD_BYTES + STACKS_BYTES;
    if (mprotect(region, HEAD_BYTES, PROT_READ | PROT_WRITE) != 0 ||
        mprotect(blocks, XT_POOL_STEP, PROT_READ | PROT_WRITE) != 0) {
        munmap(region, total);
        return "the pool's first pages cannot be committed";
    }
    pool *P = (pool *)(void *)region; /* fresh anonymous pages: every overflow list starts empty (NULL) */
    P->old = lua_getallocf(L, &P->old_ud);
    P->base = blocks;
    P->end = blocks + XT_POOL_RESERVE;
    P->bump = blocks;
    P->committed = blocks + XT_POOL_STEP;
    void **stacks = (void **)(void *)(region + HEAD_BYTES);
    for (int c = 0; c < CLASSES; c++) {
        free_class *F = &P->free[c];
        F->top = F->bottom = F->committed = stacks + (size_t)c * STACK_CAP;
        F->limit = F->bottom + STACK_CAP;
    }
    lua_setallocf(L, pool_alloc, P);
    return NULL;
}
#endif

/* core.use_pool_allocator() -> true | true, "already" | false, reason */
static int use_pool_allocator(lua_State *L)
{
#ifdef XT_POOL_REFUSE
    lua_pushboolean(L, 0);
    lua_pushstring(L, XT_POOL_REFUSE);
    return 2;
#else
    void *ud;
    if (lua_getallocf(L, &ud) == pool_alloc) {
        lua_pushboolean(L, 1);
        lua_pushliteral(L, "already");
        return 2;
    }
    const char *why = install(L);
    lua_pushboolean(L, why == NULL);
    if (why == NULL)
        return 1;
    lua_pushstring(L, why);
    return 2;
#endif
}

void xt_pool_register(lua_State *L)
{
    lua_pushcfunction(L, use_pool_allocator);
    lua_setfield(L, -2, "use_pool_allocator");
}
