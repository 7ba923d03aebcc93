/*
 * xt_limits.h: the limits and defaults the C core and the Lua layer share, each written once.
 *
 * core.c exports them to Lua as `core.limits` (field names in the comments below); the Lua layer (batch.lua,
 * client.lua, transport/ngx.lua, cli/main.lua) reads them from there instead of keeping its own copies. A number
 * that only one C file needs stays in that file.
 *
 * Not called limits.h: the fuzz targets put csrc/ on the include path, where a limits.h would shadow the C library's
 * <limits.h> for every header that includes it (luaconf.h does).
 *
 * (The one other shared fact, the version string, is CMake's project version: the compile definition XINGTU_VERSION,
 * core.VERSION in Lua. The files that use it have no fallback, so a build that forgets it fails to compile.)
 */
#ifndef XINGTU_XT_LIMITS_H
#define XINGTU_XT_LIMITS_H

/* Concurrency of core.multi, client:batch/each and the CLI's --concurrency. */
#define XT_CONCURRENCY_CAP     256 /* concurrency_cap */
#define XT_DEFAULT_CONCURRENCY 8   /* default_concurrency */

/* Transfers (core.session, core.multi, the nginx transport). Seconds: one whole attempt, the connection, and the
 * longest either may be set to. */
#define XT_DEFAULT_TIMEOUT         60           /* default_timeout */
#define XT_DEFAULT_CONNECT_TIMEOUT 10           /* default_connect_timeout */
#define XT_TIMEOUT_CAP             (7L * 86400) /* timeout_cap */

/* Bytes: a body bigger than max_body fails as too_large; the largest max_body accepted. */
#define XT_DEFAULT_MAX_BODY (32L * 1024 * 1024) /* default_max_body */
#define XT_MAX_BODY_CAP     (1LL << 40)         /* max_body_cap */

/* Bytes of a non-JSON body returned as r.raw; Content-Type and X-Request-Id keep at most header_max - 1 bytes. */
#define XT_RAW_MAX    512 /* raw_max */
#define XT_HEADER_MAX 256 /* header_max */

/* JSON nesting (core.decode, core.encode, the transfers' max_depth option); the cap bounds a document's Lua stack. */
#define XT_DEFAULT_MAX_DEPTH 1000  /* default_max_depth */
#define XT_MAX_DEPTH_CAP     10000 /* max_depth_cap */

#endif
