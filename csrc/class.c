/*
 * class.c: the metatable, the type check, __tostring and the idempotent close of every C class (contract in class.h).
 *
 * The close and __tostring functions are shared by all classes: each is a C closure whose upvalue is the class's
 * descriptor (a light userdata pointing to static const data), so they know which class they serve.
 */
#include "class.h"

#include <string.h>

static const xt_class *upvalue_class(lua_State *L)
{
    return (const xt_class *)lua_touserdata(L, lua_upvalueindex(1));
}

/* close, __gc and __close: release once. */
static int class_close(lua_State *L)
{
    const xt_class *cls = upvalue_class(L);
    xt_object *o = luaL_checkudata(L, 1, cls->name);
    if (!o->closed) {
        o->closed = 1; /* first: a release that is interrupted must never run twice */
        cls->release(L, o);
    }
    return 0;
}

static int class_tostring(lua_State *L)
{
    const xt_class *cls = upvalue_class(L);
    xt_object *o = luaL_checkudata(L, 1, cls->name);
    if (o->closed)
        lua_pushfstring(L, "%s (closed)", cls->name);
    else
        lua_pushfstring(L, "%s (%p)", cls->name, (void *)o);
    return 1;
}

/* Stack: pushes fn as a closure over the class descriptor. */
static void push_class_closure(lua_State *L, const xt_class *cls, lua_CFunction fn)
{
    lua_pushlightuserdata(L, (void *)cls);
    lua_pushcclosure(L, fn, 1);
}

void xt_class_new(lua_State *L, const xt_class *cls)
{
    luaL_checkstack(L, 4, cls->name);
    if (luaL_newmetatable(L, cls->name)) { /* mt */
        push_class_closure(L, cls, class_close);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "__gc");
#if LUA_VERSION_NUM >= 504
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "__close");
#endif
        lua_newtable(L); /* mt close methods */
        xt_setfuncs(L, cls->methods);
        lua_insert(L, -2); /* mt methods close */
        lua_setfield(L, -2, "close");
        lua_setfield(L, -2, "__index");
        push_class_closure(L, cls, class_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
}

void *xt_class_push(lua_State *L, const xt_class *cls, size_t size)
{
    void *self = xt_newuserdata(L, size);
    memset(self, 0, size);
    luaL_getmetatable(L, cls->name);
    lua_setmetatable(L, -2);
    return self;
}

void *xt_class_check(lua_State *L, int idx, const xt_class *cls)
{
    xt_object *o = luaL_checkudata(L, idx, cls->name);
    if (o->closed)
        luaL_error(L, "%s is closed", cls->noun);
    return o;
}
