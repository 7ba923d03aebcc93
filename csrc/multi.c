/*
 * multi.c: core.multi, the concurrent engine for batches on libcurl's multi interface (contract in multi.h).
 *
 * At most `concurrency` transfers run at once, one per slot; a slot keeps its body buffer's capacity from one
 * transfer to the next, and gets a fresh easy handle for each (duplicated from the template: see xt_xfer_renew). All
 * slots share one CURLSH (DNS cache, TLS sessions, connections), and HTTP/2 multiplexing is used when the server
 * offers it. Queued URLs and the tags live in the userdata's uservalue, never in the registry: a running transfer's tag
 * under its slot's number (an array that never grows), a queued transfer's URL, timeout and tag under an id that
 * grows with each add (a table keyed by growing ids keeps moving its keys into a new hash part, and a transfer that
 * finds a free slot at add() skips these tables). libcurl callbacks never call Lua; results are built after
 * curl_multi_perform returned, and a slot is released only once its result table is complete, so a Lua memory error
 * while building results loses nothing (the results come back on the next poll).
 *
 * Why `at_most`: building a result decodes its body, which costs far more than a transfer. When many transfers finish
 * together (a batch's slots run in step), decoding them all before any slot is refilled keeps every slot idle for
 * the whole run of decodes, and the slots stay in step from then on. Taking one result at a time lets the caller
 * refill that slot and put its request on the wire before the next decode, so the slots drift apart and each answer
 * is handled as it arrives.
 *
 * Why new requests are held back while results wait (see hold): a request sent on its own wakes a server that keeps
 * up with the client and sleeps between requests, and in a VM that wake-up cost the client's kernel more than the
 * rest of the request's networking. While more results wait than requests, the caller is busy for that long anyway,
 * so the requests go out together, a few at a time, without any slot running dry.
 */
#include "multi.h"

#include <math.h>
#include <string.h>

#include "class.h"
#include "clock.h"
#include "options.h"
#include "result.h"
#include "transfer.h"

#define UV_TAGS     1 /* uservalue[1]: slot number (1-based) -> tag of the transfer in that slot */
#define UV_URLS     2 /* uservalue[2]: id -> URL of a queued transfer */
#define UV_TIMEOUTS 3 /* uservalue[3]: id -> timeout (ms) of a queued transfer that has its own */
#define UV_QTAGS    4 /* uservalue[4]: id -> tag of a queued transfer */

#define SEND_BATCH 16    /* added transfers held back at most (see hold) */
#define SEND_HOLD  0.001 /* seconds an added transfer is held back at most */

enum { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

typedef struct xt_slot {
    xt_xfer x; /* x.easy duplicated from the template for each transfer */
    int state;
    int returning; /* part of the result array being built */
    CURLcode rc;
    unsigned long done_seq; /* completion order, for SLOT_DONE */
} xt_slot;

typedef struct xt_multi {
    xt_object obj;
    CURLM *multi;
    CURLSH *share;
    CURL *tmpl; /* carries the options; slots' handles are duplicated from it */
    xt_conf conf;
    int concurrency;
    unsigned long requests;
    unsigned long connects;
    unsigned long completions; /* transfers finished so far: the next done_seq */
    int unsent;                /* transfers added since the last curl_multi_perform: not on the wire yet */
    double unsent_since;       /* when the oldest of them was added */
    lua_Integer next_id;       /* id the next add() gets */
    lua_Integer next_start;    /* id of the oldest queued transfer not yet started */
    lua_Integer pending;       /* added and not yet returned */
    xt_slot slots[];
} xt_multi;

static void multi_release(lua_State *L, void *self);
static int multi_add(lua_State *L);
static int multi_poll(lua_State *L);
static int multi_pending(lua_State *L);
static int multi_stats(lua_State *L);

static const luaL_Reg multi_methods[] = {
    {"add", multi_add}, {"poll", multi_poll}, {"pending", multi_pending}, {"stats", multi_stats}, {NULL, NULL},
};

static const xt_class multi_class = {"xingtu.Multi", "multi", multi_methods, multi_release};

/* Stack: pushes uservalue[which] of the userdata at index 1. */
static void push_uv_table(lua_State *L, int which)
{
    xt_getuservalue(L, 1);
    lua_rawgeti(L, -1, which);
    lua_remove(L, -2);
}

/* t[id] = value on top (popped); t at index t (> 0). */
static void set_by_id(lua_State *L, int t, lua_Integer id)
{
    lua_pushinteger(L, id);
    lua_insert(L, -2);
    lua_rawset(L, t);
}

static void get_by_id(lua_State *L, int t, lua_Integer id)
{
    lua_pushinteger(L, id);
    lua_rawget(L, t);
}

/* A fresh handle for every transfer of a free slot; the slot keeps its body buffer, connections stay in the share. */
static void slot_easy(lua_State *L, xt_multi *m, xt_slot *s)
{
    s->x.max_body = m->conf.max_body;
    if (!xt_xfer_renew(&s->x, m->tmpl, m->share))
        luaL_error(L, "out of memory (curl_easy_duphandle)");
    curl_easy_setopt(s->x.easy, CURLOPT_PRIVATE, (void *)s);
}

/*
 * Wait for a connection that may multiplex (HTTP/2) rather than open another one, but only for https: there ALPN
 * settles the question during the handshake. For plain http libcurl learns it only from the first response, so a
 * slow first request would hold every other transfer to that host until it answered (or they all timed out).
 */
static long pipewait_for(const char *url)
{
    static const char https[] = "https://";
    for (size_t i = 0; i < sizeof https - 1; i++)
        if (url[i] == '\0' || (url[i] | 0x20) != https[i])
            return 0L;
    return 1L;
}

static int slot_number(const xt_multi *m, const xt_slot *s)
{
    return (int)(s - m->slots) + 1;
}

/* Puts a transfer on the free slot s. Stack: its tag on top (popped), the tags table at index tags. */
static void start_in(lua_State *L, xt_multi *m, xt_slot *s, const char *url, long timeout_ms, int tags)
{
    slot_easy(L, m, s);
    if (xt_xfer_prepare(&s->x, url, timeout_ms) != CURLE_OK)
        luaL_error(L, "out of memory");
    curl_easy_setopt(s->x.easy, CURLOPT_PIPEWAIT, pipewait_for(url));
    CURLMcode mc = curl_multi_add_handle(m->multi, s->x.easy);
    if (mc != CURLM_OK)
        luaL_error(L, "curl_multi_add_handle: %s", curl_multi_strerror(mc));
    lua_rawseti(L, tags, slot_number(m, s)); /* the array part: allocates nothing after the first round */
    if (m->unsent++ == 0)
        m->unsent_since = xt_clock_now();
    s->state = SLOT_RUNNING;
}

/* Starts the oldest queued transfer in the free slot s. Stack: urls at index q, timeouts at q + 1, queued tags at
 * q + 2, tags at q + 3. */
static void start_one(lua_State *L, xt_multi *m, xt_slot *s, int q)
{
    lua_Integer id = m->next_start;
    get_by_id(L, q + 1, id); /* ... ms|nil */
    long timeout_ms = lua_isnil(L, -1) ? m->conf.timeout_ms : (long)lua_tointeger(L, -1);
    get_by_id(L, q, id); /* ... ms url */
    const char *url = lua_tostring(L, -1);
    if (url == NULL)
        luaL_error(L, "out of memory");
    get_by_id(L, q + 2, id);                   /* ... ms url tag */
    start_in(L, m, s, url, timeout_ms, q + 3); /* ... ms url */
    lua_pop(L, 2);
    for (int k = 0; k < 3; k++) {
        lua_pushnil(L);
        set_by_id(L, q + k, id);
    }
    m->next_start += 1;
}

/* Moves queued transfers into free slots; returns how many it started. May raise (memory); the queue stays
 * consistent. */
static int start_queued(lua_State *L, xt_multi *m)
{
    int q = 0, started = 0;
    for (int i = 0; i < m->concurrency && m->next_start < m->next_id; i++) {
        xt_slot *s = &m->slots[i];
        if (s->state != SLOT_FREE)
            continue;
        if (q == 0) {
            luaL_checkstack(L, 8, "multi");
            q = lua_gettop(L) + 1;
            push_uv_table(L, UV_URLS);     /* ... urls */
            push_uv_table(L, UV_TIMEOUTS); /* ... urls timeouts */
            push_uv_table(L, UV_QTAGS);    /* ... urls timeouts qtags */
            push_uv_table(L, UV_TAGS);     /* ... urls timeouts qtags tags */
        }
        start_one(L, m, s, q);
        started++;
    }
    if (q != 0)
        lua_settop(L, q - 1);
    return started;
}

static xt_slot *free_slot(xt_multi *m)
{
    for (int i = 0; i < m->concurrency; i++)
        if (m->slots[i].state == SLOT_FREE)
            return &m->slots[i];
    return NULL;
}

/* One curl_multi_perform: sends what was added, reads what arrived, runs libcurl's timers. */
static CURLMcode perform(xt_multi *m)
{
    int running;
    m->unsent = 0;
    return curl_multi_perform(m->multi, &running);
}

static int count_done(const xt_multi *m)
{
    int done = 0;
    for (int i = 0; i < m->concurrency; i++)
        done += m->slots[i].state == SLOT_DONE;
    return done;
}

/*
 * Whether to hold back the transfers added since the last perform, with `waiting` results not yet returned. While
 * more results wait than requests do, the caller has work for a while and nothing idles: the requests wait (at most
 * SEND_BATCH of them, at most SEND_HOLD) and go out together. Sent one at a time, each request wakes an idle server
 * on its own, and where the server keeps up with the client that wake-up was the kernel's largest cost of a request.
 */
static int hold(const xt_multi *m, int waiting)
{
    if (m->unsent == 0 || m->unsent >= waiting || m->unsent >= SEND_BATCH)
        return 0;
    return xt_clock_now() - m->unsent_since < SEND_HOLD;
}

/* Marks finished transfers' slots done; returns how many slots are done. No Lua. */
static int collect_done(xt_multi *m)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result; /* msg is invalid after remove_handle */
        if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv) != CURLE_OK || priv == NULL)
            continue;
        xt_slot *s = (xt_slot *)(void *)priv;
        curl_multi_remove_handle(m->multi, easy);
        s->rc = rc;
        s->state = SLOT_DONE;
        s->done_seq = ++m->completions;
    }
    return count_done(m);
}

/* The done slot that finished first and is not yet part of the result array, or NULL. */
static xt_slot *oldest_done(xt_multi *m)
{
    xt_slot *oldest = NULL;
    for (int i = 0; i < m->concurrency; i++) {
        xt_slot *s = &m->slots[i];
        if (s->state == SLOT_DONE && !s->returning && (oldest == NULL || s->done_seq < oldest->done_seq))
            oldest = s;
    }
    return oldest;
}

static int any_running(const xt_multi *m)
{
    for (int i = 0; i < m->concurrency; i++)
        if (m->slots[i].state == SLOT_RUNNING)
            return 1;
    return 0;
}

/* The concurrency option of the table at index 1 (if any). */
static int concurrency_opt(lua_State *L)
{
    int concurrency = XT_DEFAULT_CONCURRENCY;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_getfield(L, 1, "concurrency");
        if (!lua_isnil(L, -1)) {
            double c = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : NAN;
            if (!(c >= 1 && c <= XT_CONCURRENCY_CAP) || floor(c) != c)
                luaL_error(L, "bad option 'concurrency' (integer from 1 to %d expected)", XT_CONCURRENCY_CAP);
            concurrency = (int)c;
        }
        lua_pop(L, 1);
    }
    return concurrency;
}

static int multi_new(lua_State *L)
{
    lua_settop(L, 1);
    int concurrency = concurrency_opt(L);
    size_t size = sizeof(xt_multi) + (size_t)concurrency * sizeof(xt_slot);
    xt_multi *m = xt_class_push(L, &multi_class, size); /* opts m */
    m->concurrency = concurrency;
    m->next_id = m->next_start = 1;
    lua_createtable(L, 4, 0); /* opts m uv */
    lua_createtable(L, concurrency, 0);
    lua_rawseti(L, -2, UV_TAGS);
    lua_newtable(L);
    lua_rawseti(L, -2, UV_URLS);
    lua_newtable(L);
    lua_rawseti(L, -2, UV_TIMEOUTS);
    lua_newtable(L);
    lua_rawseti(L, -2, UV_QTAGS);
    xt_setuservalue(L, -2); /* opts m */
    /* From here on the release owns every handle, so the raises below leak nothing. */
    xt_curl_global_init();
    m->share = xt_share_new();
    m->multi = curl_multi_init();
    m->tmpl = curl_easy_init();
    if (m->share == NULL || m->multi == NULL || m->tmpl == NULL)
        return luaL_error(L, "libcurl initialisation failed");
    xt_options_apply(L, 1, m->tmpl, &m->conf, "concurrency");
    curl_multi_setopt(m->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)concurrency);
    curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)concurrency);
    curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)concurrency);
    return 1;
}

static int multi_add(lua_State *L)
{
    xt_multi *m = xt_class_check(L, 1, &multi_class);
    size_t ulen;
    const char *url = luaL_checklstring(L, 2, &ulen);
    if (strlen(url) != ulen)
        return luaL_argerror(L, 2, "URL contains a NUL byte");
    int own_timeout = !lua_isnoneornil(L, 4);
    long timeout_ms = xt_timeout_arg(L, 4, m->conf.timeout_ms);
    lua_settop(L, 3); /* m url tag */
    xt_slot *s = m->next_start == m->next_id ? free_slot(m) : NULL;
    if (s != NULL) {               /* nothing queued before it: straight into the slot */
        push_uv_table(L, UV_TAGS); /* m url tag tags */
        lua_pushvalue(L, 3);       /* m url tag tags tag */
        start_in(L, m, s, url, timeout_ms, 4);
        m->pending += 1;
        lua_settop(L, 1);
        return 0;
    }
    push_uv_table(L, UV_URLS);     /* m url tag urls */
    push_uv_table(L, UV_QTAGS);    /* m url tag urls qtags */
    push_uv_table(L, UV_TIMEOUTS); /* m url tag urls qtags timeouts */
    if (own_timeout) {
        lua_pushinteger(L, (lua_Integer)timeout_ms);
        set_by_id(L, 6, m->next_id);
    }
    lua_pushvalue(L, 2);
    set_by_id(L, 4, m->next_id);
    lua_pushvalue(L, 3);
    set_by_id(L, 5, m->next_id);
    /* All stored: commit. */
    m->next_id += 1;
    m->pending += 1;
    lua_settop(L, 1);
    start_queued(L, m);
    return 0;
}

/* poll's arguments: *timeout (-1 for nil: until something completes or nothing is left) and *at_most. */
static void poll_args(lua_State *L, const xt_multi *m, double *timeout, int *at_most)
{
    *timeout = -1;
    if (!lua_isnoneornil(L, 2)) {
        *timeout = (double)luaL_checknumber(L, 2);
        if (!(*timeout >= 0))
            luaL_argerror(L, 2, "timeout must be >= 0");
    }
    *at_most = m->concurrency; /* nil: every completed transfer */
    if (!lua_isnoneornil(L, 3)) {
        double v = (double)luaL_checknumber(L, 3);
        if (!(v >= 0) || floor(v) != v)
            luaL_argerror(L, 3, "at_most must be an integer >= 0");
        if (v < *at_most)
            *at_most = (int)v;
    }
}

/*
 * Drives the transfers until one is done, none is running or the timeout passed; returns how many slots are done.
 * Results already waiting (a poll that took fewer than were done) are returned without another curl_multi_perform
 * when nothing new waits to be sent, or what waits is held back (see hold): a perform walks every transfer and costs
 * about as much as the bookkeeping of a whole request, and a batch that takes one result at a time would otherwise pay
 * for three per request.
 */
static int drive(lua_State *L, xt_multi *m, double timeout)
{
    double deadline = xt_clock_now() + (timeout > 0 ? timeout : 0);
    int waiting = count_done(m);
    if (waiting > 0 && (m->unsent == 0 || hold(m, waiting)))
        return waiting;
    for (;;) {
        CURLMcode mc = perform(m);
        if (mc != CURLM_OK)
            return luaL_error(L, "curl_multi_perform: %s", curl_multi_strerror(mc));
        int done = collect_done(m);
        if (done > 0 || !any_running(m))
            return done;
        int wait_ms = 1000;
        if (timeout >= 0) {
            double left = deadline - xt_clock_now();
            if (left <= 0)
                return done;
            if (left * 1000.0 < wait_ms)
                wait_ms = (int)ceil(left * 1000.0);
        }
#if LIBCURL_VERSION_NUM >= 0x074200
        mc = curl_multi_poll(m->multi, NULL, 0, wait_ms, NULL);
#else
        mc = curl_multi_wait(m->multi, NULL, 0, wait_ms, NULL);
#endif
        if (mc != CURLM_OK)
            return luaL_error(L, "curl_multi_poll: %s", curl_multi_strerror(mc));
    }
}

/*
 * Pushes the array of up to `done` results, oldest completion first; returns how many. Every result is built before
 * any slot is released, so a memory error on the way loses nothing. Stack: m at index 1, nothing above it.
 */
static int push_results(lua_State *L, xt_multi *m, int done)
{
    luaL_checkstack(L, 8, "poll");
    lua_createtable(L, done, 0); /* m results */
    push_uv_table(L, UV_TAGS);   /* m results tags */
    for (int i = 0; i < m->concurrency; i++)
        m->slots[i].returning = 0;
    int n = 0;
    xt_slot *next;
    while (n < done && (next = oldest_done(m)) != NULL) {
        xt_xfer_push_result(L, &next->x, next->rc, &m->conf); /* m results tags r */
        lua_rawgeti(L, 3, slot_number(m, next));
        lua_setfield(L, -2, "tag");
        lua_rawseti(L, 2, ++n);
        next->returning = 1;
    }
    for (int i = 0; i < m->concurrency; i++) { /* commit: no allocation below */
        xt_slot *s = &m->slots[i];
        if (!s->returning)
            continue;
        s->returning = 0;
        m->requests++;
        m->connects += (unsigned long)xt_xfer_connects(&s->x);
        lua_pushnil(L);
        lua_rawseti(L, 3, slot_number(m, s));
        xt_xfer_trim(&s->x);
        s->state = SLOT_FREE;
        m->pending -= 1;
    }
    lua_settop(L, 2); /* m results */
    return n;
}

static int multi_poll(lua_State *L)
{
    xt_multi *m = xt_class_check(L, 1, &multi_class);
    double timeout;
    int at_most;
    poll_args(L, m, &timeout, &at_most);
    lua_settop(L, 1);
    start_queued(L, m);
    if (at_most == 0) {
        if (!hold(m, count_done(m))) {
            CURLMcode mc = perform(m);
            if (mc != CURLM_OK)
                return luaL_error(L, "curl_multi_perform: %s", curl_multi_strerror(mc));
            (void)collect_done(m); /* their results come with the next poll */
        }
        lua_newtable(L);
        return 1;
    }
    int done = drive(L, m, timeout);
    /* m results. Queued requests move into the slots just freed, and go on the wire now (unless held back: see
     * hold), while the caller processes these results (errors: next poll). */
    if (push_results(L, m, done < at_most ? done : at_most) > 0 && start_queued(L, m) > 0 && !hold(m, count_done(m)))
        (void)perform(m);
    lua_settop(L, 2);
    return 1;
}

static int multi_pending(lua_State *L)
{
    xt_multi *m = xt_class_check(L, 1, &multi_class);
    lua_pushinteger(L, m->pending);
    return 1;
}

static int multi_stats(lua_State *L)
{
    xt_multi *m = xt_class_check(L, 1, &multi_class);
    xt_push_stats(L, m->requests, m->connects);
    return 1;
}

static void multi_release(lua_State *L, void *self)
{
    xt_multi *m = self;
    for (int i = 0; i < m->concurrency; i++) {
        xt_slot *s = &m->slots[i];
        if (s->state == SLOT_RUNNING && m->multi != NULL)
            curl_multi_remove_handle(m->multi, s->x.easy);
        xt_xfer_free(&s->x);
        s->state = SLOT_FREE;
    }
    if (m->multi != NULL) {
        curl_multi_cleanup(m->multi);
        m->multi = NULL;
    }
    if (m->tmpl != NULL) {
        curl_easy_cleanup(m->tmpl);
        m->tmpl = NULL;
    }
    if (m->share != NULL) {
        curl_share_cleanup(m->share); /* last: after every handle that used it */
        m->share = NULL;
    }
    m->pending = 0;
    m->next_start = m->next_id;
    /* Drop queued URLs and tags (assigning nil to existing fields allocates nothing). */
    xt_getuservalue(L, 1);
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        lua_rawseti(L, -2, UV_TAGS);
        lua_pushnil(L);
        lua_rawseti(L, -2, UV_URLS);
        lua_pushnil(L);
        lua_rawseti(L, -2, UV_TIMEOUTS);
        lua_pushnil(L);
        lua_rawseti(L, -2, UV_QTAGS);
    }
    lua_pop(L, 1);
}

void xt_multi_open(lua_State *L)
{
    xt_curl_global_init();
    xt_class_new(L, &multi_class);
    lua_pushcfunction(L, multi_new);
    lua_setfield(L, -2, "multi");
}
