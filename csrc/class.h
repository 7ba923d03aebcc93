/*
 * class.h: what every C class of xingtu.core (xingtu.Session, xingtu.Multi) gets in the same way.
 *
 * A class is a full userdata whose metatable is registered under its dotted name, with the methods in __index, a
 * __tostring ("xingtu.Session (0x...)", or "xingtu.Session (closed)"), and one idempotent close behind the `close`
 * method, __gc and (Lua 5.4) __close: the class's release function runs at most once per object, whichever comes
 * first, and every other method raises "<noun> is closed" afterwards (through xt_class_check).
 *
 * The userdata of a class starts with an xt_object (its first member), which holds the closed flag. Descriptors are
 * static const data, shared read-only by every Lua state of the process (no mutable C globals).
 */
#ifndef XINGTU_CLASS_H
#define XINGTU_CLASS_H

#include <stddef.h>

#include "compat.h"

typedef struct xt_class {
    /* Registry name of the metatable, and what __tostring prints: "xingtu.Session". */
    const char *name;
    /* As in "session is closed". */
    const char *noun;
    /* The methods in __index; `close` is added by the class. */
    const luaL_Reg *methods;
    /* Frees what the object holds (the object is at stack index 1). Runs at most once and must not raise; finds
     * fields still NULL when the constructor raised half-way. */
    void (*release)(lua_State *L, void *self);
} xt_class;

typedef struct xt_object {
    int closed;
} xt_object;

/* Registers the class's metatable in this Lua state (once; later calls do nothing). Stack unchanged. */
void xt_class_new(lua_State *L, const xt_class *cls);

/* Pushes a new object of the class: a zeroed userdata of `size` bytes (>= sizeof(xt_object)) with one uservalue slot
 * and the class's metatable, so from here on its release owns whatever the constructor stores in it. */
void *xt_class_push(lua_State *L, const xt_class *cls, size_t size);

/* The object at idx, which must be of the class and not closed; raises otherwise. */
void *xt_class_check(lua_State *L, int idx, const xt_class *cls);

#endif
