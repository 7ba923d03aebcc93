/*
 * session.c: core.session, one blocking transfer at a time (contract in session.h).
 *
 * Every request runs on a fresh easy handle duplicated from the previous one (see xt_xfer_renew for why), and the
 * connections stay alive in the session's share. curl_easy_perform blocks the calling thread; inside nginx the Lua
 * layer uses the cosocket transport instead.
 */
#include "session.h"

#include <string.h>

#include "class.h"
#include "options.h"
#include "result.h"
#include "transfer.h"

typedef struct xt_session {
    xt_object obj;
    xt_xfer x;
    CURLSH *share; /* connections, DNS and TLS sessions: they outlive each request's easy handle */
    int used;      /* x.easy has made a request: the next one gets a fresh duplicate */
    xt_conf conf;
    unsigned long requests;
    unsigned long connects;
} xt_session;

static void session_release(lua_State *L, void *self);
static int session_get(lua_State *L);
static int session_stats(lua_State *L);

static const luaL_Reg session_methods[] = {
    {"get", session_get},
    {"stats", session_stats},
    {NULL, NULL},
};

static const xt_class session_class = {"xingtu.Session", "session", session_methods, session_release};

static void session_release(lua_State *L, void *self)
{
    xt_session *s = self;
    (void)L;
    xt_xfer_free(&s->x);
    if (s->share != NULL) {
        curl_share_cleanup(s->share); /* after the handle that used it */
        s->share = NULL;
    }
}

static int session_new(lua_State *L)
{
    lua_settop(L, 1);
    xt_session *s = xt_class_push(L, &session_class, sizeof *s); /* opts s */
    /* From here on the release owns whatever the session holds, so the raises below leak nothing. */
    xt_curl_global_init();
    s->x.easy = curl_easy_init();
    s->share = xt_share_new();
    if (s->x.easy == NULL || s->share == NULL)
        return luaL_error(L, "libcurl initialisation failed");
    xt_curl_must(L, curl_easy_setopt(s->x.easy, CURLOPT_SHARE, s->share), "CURLOPT_SHARE");
    xt_options_apply(L, 1, s->x.easy, &s->conf, NULL);
    s->x.max_body = s->conf.max_body;
    xt_xfer_bind(&s->x);
    return 1;
}

static int session_get(lua_State *L)
{
    xt_session *s = xt_class_check(L, 1, &session_class);
    size_t ulen;
    const char *url = luaL_checklstring(L, 2, &ulen);
    if (strlen(url) != ulen)
        return luaL_argerror(L, 2, "URL contains a NUL byte");
    long timeout_ms = xt_timeout_arg(L, 3, s->conf.timeout_ms);
    lua_settop(L, 2);
    /* Raises only on memory exhaustion; the session stays usable (the old handle is kept). */
    if (s->used && !xt_xfer_renew(&s->x, s->x.easy, s->share))
        return luaL_error(L, "out of memory (curl_easy_duphandle)");
    s->used = 0;
    if (xt_xfer_prepare(&s->x, url, timeout_ms) != CURLE_OK)
        return luaL_error(L, "out of memory");
    s->used = 1;
    CURLcode rc = curl_easy_perform(s->x.easy);
    s->requests++;
    s->connects += (unsigned long)xt_xfer_connects(&s->x);
    xt_xfer_push_result(L, &s->x, rc, &s->conf); /* url r */
    xt_xfer_trim(&s->x);
    return 1;
}

static int session_stats(lua_State *L)
{
    xt_session *s = xt_class_check(L, 1, &session_class);
    xt_push_stats(L, s->requests, s->connects);
    return 1;
}

void xt_session_open(lua_State *L)
{
    xt_curl_global_init();
    xt_class_new(L, &session_class);
    lua_pushcfunction(L, session_new);
    lua_setfield(L, -2, "session");
}
