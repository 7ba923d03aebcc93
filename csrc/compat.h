/*
 * compat.h: the few Lua 5.4 API calls the core uses, mapped down to LuaJIT 2.1's Lua 5.1 API.
 *
 * The core is written against Lua 5.4. Under LuaJIT (LUA_VERSION_NUM == 501) these macros and inline functions
 * stand in for what 5.1 lacks. They carry our own names (xt_*) so they never collide with the 5.2 functions
 * LuaJIT already declares.
 */
#ifndef XINGTU_COMPAT_H
#define XINGTU_COMPAT_H

#include <lauxlib.h>
#include <lua.h>

#if LUA_VERSION_NUM >= 504
#define XT_HAVE_INTEGERS        1
#define xt_newuserdata(L, size) lua_newuserdatauv((L), (size), 1)
#define xt_setuservalue(L, idx) lua_setiuservalue((L), (idx), 1)
#define xt_getuservalue(L, idx) lua_getiuservalue((L), (idx), 1)
#define xt_setfuncs(L, l)       luaL_setfuncs((L), (l), 0)
#define xt_rawlen(L, idx)       lua_rawlen((L), (idx))
#else
#define XT_HAVE_INTEGERS        0
#define xt_newuserdata(L, size) lua_newuserdata((L), (size))
#define xt_setuservalue(L, idx) lua_setfenv((L), (idx))
#define xt_getuservalue(L, idx) lua_getfenv((L), (idx))
#define xt_rawlen(L, idx)       lua_objlen((L), (idx))
static inline void xt_setfuncs(lua_State *L, const luaL_Reg *l)
{
    for (; l->name != NULL; l++) {
        lua_pushcfunction(L, l->func);
        lua_setfield(L, -2, l->name);
    }
}
#ifndef luaL_newlib
#define luaL_newlib(L, l) (lua_newtable(L), xt_setfuncs((L), (l)))
#endif
#endif

#endif
