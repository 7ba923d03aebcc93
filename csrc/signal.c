/* signal.c: `core.signal`; the contract is in signal.h. */
#include "signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t first_signal;
static volatile sig_atomic_t signal_count;

static const int watched[] = {SIGINT, SIGTERM, SIGHUP};
#define N_WATCHED (sizeof watched / sizeof watched[0])
static struct sigaction previous[N_WATCHED];
static int watching;

static void on_signal(int sig)
{
    if (first_signal == 0)
        first_signal = sig;
    if (signal_count < 1000)
        signal_count = signal_count + 1;
}

static int sig_watch(lua_State *L)
{
    if (!watching) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        first_signal = 0;
        signal_count = 0;
        for (size_t i = 0; i < N_WATCHED; i++)
            sigaction(watched[i], &sa, &previous[i]);
        watching = 1;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int sig_pending(lua_State *L)
{
    int sig = first_signal;
    if (sig == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, sig == SIGINT ? "INT" : sig == SIGTERM ? "TERM" : "HUP");
    lua_pushinteger(L, signal_count);
    return 2;
}

static int sig_restore(lua_State *L)
{
    if (watching) {
        for (size_t i = 0; i < N_WATCHED; i++)
            sigaction(watched[i], &previous[i], NULL);
        watching = 0;
    }
    first_signal = 0;
    signal_count = 0;
    lua_pushboolean(L, 1);
    return 1;
}

void xt_signal_register(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"watch", sig_watch}, {"pending", sig_pending}, {"restore", sig_restore}, {NULL, NULL}};
    lua_newtable(L);
    xt_setfuncs(L, functions);
    lua_setfield(L, -2, "signal");
}
