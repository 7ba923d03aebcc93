/*
 * result.h: the Lua result table of a finished transfer, the same for session:get() and multi:poll().
 *
 * Fields: status (0 when no response), error (nil or "timeout" | "connect" | "resolve" | "send" | "recv" |
 * "partial" | "too_large" | "protocol" | "tls" | "other"), error_message, sent (the request reached the wire, so
 * the call may have been billed), body (decoded JSON, when the transfer completed and the body is valid JSON),
 * json_error and raw (the first XT_RAW_MAX bytes) when it is not, size, content_type, retry_after, request_id,
 * elapsed, connects; with keep_text also text (the whole body as received, for the response cache; off by default so
 * the common path builds no extra string). The URL (it carries the token) is never copied into the result.
 */
#ifndef XINGTU_RESULT_H
#define XINGTU_RESULT_H

#include "compat.h"
#include "options.h"
#include "transfer.h"

/*
 * Pushes the result table of a finished transfer, decoding the body with conf's max_depth and, with
 * conf->keep_text, adding the body text as r.text. May raise only on Lua memory errors; everything it reads stays
 * owned by x, so a raise leaks nothing.
 */
void xt_xfer_push_result(lua_State *L, xt_xfer *x, CURLcode rc, const xt_conf *conf);

/* Pushes a { requests = , connects = } table (session:stats(), multi:stats()). */
void xt_push_stats(lua_State *L, unsigned long requests, unsigned long connects);

#endif
