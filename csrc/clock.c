/*
 * clock.c: core.now and core.sleep (contract in clock.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"

#include <errno.h>
#include <time.h>

double xt_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* now() -> seconds since an arbitrary fixed point. */
static int clock_now(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)xt_clock_now());
    return 1;
}

/* sleep(seconds): blocks the calling thread; resumes after signals until the whole time has passed. */
static int clock_sleep(lua_State *L)
{
    lua_Number seconds = luaL_checknumber(L, 1);
    struct timespec want;
    if (!(seconds > 0)) /* also rejects NaN */
        return 0;
    if (seconds > 86400.0 * 365)
        return luaL_argerror(L, 1, "sleep longer than a year");
    want.tv_sec = (time_t)seconds;
    want.tv_nsec = (long)((seconds - (lua_Number)want.tv_sec) * 1e9);
    if (want.tv_nsec > 999999999L)
        want.tv_nsec = 999999999L;
    while (nanosleep(&want, &want) != 0 && errno == EINTR) {
    }
    return 0;
}

void xt_clock_open(lua_State *L)
{
    static const luaL_Reg functions[] = {{"now", clock_now}, {"sleep", clock_sleep}, {NULL, NULL}};
    xt_setfuncs(L, functions);
}
