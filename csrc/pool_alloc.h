/*
 * pool_alloc.h: core.use_pool_allocator(), an opt-in allocator for a Lua 5.4 state whose program owns it.
 *
 * Decoding a body makes a table and its array or node part for every JSON object and array, and the collector frees
 * them again: through Lua's default allocator that is glibc's malloc and free, a fifth of client:each's CPU. This
 * allocator takes over the state (lua_setallocf) and serves blocks of up to XT_POOL_MAX bytes from size classes of
 * 16 bytes, each a LIFO stack of its free blocks' addresses (kept apart from the blocks, so that neither freeing nor
 * reusing one touches it; a list threaded through them once the stack is full) and refilled by bump allocation;
 * everything else (larger blocks, blocks the state allocated before, and any block when the pool cannot grow) goes to
 * the allocator it wraps (lua_getallocf at installation). Lua passes a block's size on free and realloc, so blocks
 * carry no header.
 *
 * All pool blocks come from one virtual region reserved at installation (XT_POOL_RESERVE bytes, PROT_NONE and
 * MAP_NORESERVE: address space only), committed XT_POOL_STEP bytes at a time as the bump pointer reaches them; "is
 * this block ours" is one range check. The pool's struct and the classes' stacks (256 MB more of address space,
 * committed 64 KB at a time) live in the same reservation, before the blocks. Nothing is ever
 * returned to the OS and the region is never unmapped, not even by lua_close (which frees the state's last blocks
 * through the pool, so the pool must outlive it): a program's high-water mark of small blocks stays committed for
 * the life of the process, and freed blocks are reused through the free lists. Meant for a process that owns its
 * state (the CLI, a job script), called first thing; a library embedded in a host's states should not call it.
 *
 * One pool per lua_State, used only by that state (states are single-threaded); no C globals. The core is pinned in
 * memory (RTLD_NODELETE) before installation, so the allocator's code outlives the module's unloading in lua_close.
 *
 * core.use_pool_allocator() -> true on installation; true, "already" when this state already has it; false, reason
 * when it does not apply (LuaJIT, which has its own allocator; ASan, MSan or valgrind, which must see every block
 * Lua allocates; a 32-bit build; the reservation or the pin failing). It never raises for such reasons.
 */
#ifndef XINGTU_POOL_ALLOC_H
#define XINGTU_POOL_ALLOC_H

#include <lua.h>

#define XT_POOL_MAX     ((size_t)512)      /* largest block served by the pool */
#define XT_POOL_RESERVE ((size_t)16 << 30) /* address space reserved per state */
#define XT_POOL_STEP    ((size_t)2 << 20)  /* bytes committed at a time */

/* Stack: the module table on top; adds use_pool_allocator. */
void xt_pool_register(lua_State *L);

#endif
