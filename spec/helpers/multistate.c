/*
 * multistate.c: several Lua states in one process, each on its own thread, using xingtu.core at once (the way nginx
 * workers' light threads, or a host application, would). Built and run by spec/core_http_spec.lua.
 *
 *   multistate <cpath> <url> <threads> <calls>
 *
 * Every thread opens its own state, requires xingtu.core from <cpath>, and makes <calls> GETs of <url> on one
 * session, decoding each answer, plus as many decodes and encodes of a small document. Prints "ok <n>" with the
 * number of successful calls over all threads, or the first error, and exits non-zero on any failure.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const char *cpath, *url;
static int calls;

static const char SCRIPT[] = "local cpath, url, calls = ...\n"
                             "package.cpath = cpath\n"
                             "local core = require 'xingtu.core'\n"
                             "local s = core.session { timeout = 10 }\n"
                             "local ok = 0\n"
                             "for i = 1, calls do\n"
                             "  local r = s:get(url)\n"
                             "  assert(r.error == nil, r.error_message)\n"
                             "  assert(type(r.body) == 'table' and r.body.code == 0, 'not the envelope')\n"
                             "  local doc = core.decode(core.encode({ i = i, big = 7012345678901234567 }))\n"
                             "  assert(doc.i == i and doc.big == 7012345678901234567)\n"
                             "  ok = ok + 1\n"
                             "end\n"
                             "s:close()\n"
                             "return ok\n";

typedef struct {
    int ok;
    char error[512];
} outcome;

static void *run(void *arg)
{
    outcome *out = arg;
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        snprintf(out->error, sizeof out->error, "luaL_newstate failed");
        return NULL;
    }
    luaL_openlibs(L);
    if (luaL_loadbuffer(L, SCRIPT, sizeof SCRIPT - 1, "=multistate") != LUA_OK) {
        snprintf(out->error, sizeof out->error, "%s", lua_tostring(L, -1));
    } else {
        lua_pushstring(L, cpath);
        lua_pushstring(L, url);
        lua_pushinteger(L, calls);
        if (lua_pcall(L, 3, 1, 0) != LUA_OK)
            snprintf(out->error, sizeof out->error, "%s", lua_tostring(L, -1));
        else
            out->ok = (int)lua_tointeger(L, -1);
    }
    lua_close(L);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: multistate <cpath> <url> <threads> <calls>\n");
        return 2;
    }
    cpath = argv[1];
    url = argv[2];
    int threads = atoi(argv[3]);
    calls = atoi(argv[4]);
    if (threads < 1 || threads > 64 || calls < 1) {
        fprintf(stderr, "multistate: threads 1..64, calls >= 1\n");
        return 2;
    }
    pthread_t tid[64];
    outcome outs[64] = {{0}};
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&tid[i], NULL, run, &outs[i]) != 0) {
            fprintf(stderr, "multistate: pthread_create failed\n");
            return 1;
        }
    }
    int total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (outs[i].error[0] != '\0') {
            printf("thread %d: %s\n", i, outs[i].error);
            return 1;
        }
        total += outs[i].ok;
    }
    printf("ok %d\n", total);
    return 0;
}
