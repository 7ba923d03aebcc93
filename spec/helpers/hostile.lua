-- The hostile tokens and the fault paths they meet, shared by spec/hostile_token_spec.lua (library, batch, CLI,
-- nginx example) and spec/hostile_token_redis_spec.lua (the same paths with the cache, lock, pace and budget in
-- Redis), so that both walk one list.
--
--   local hostile = require "helpers.hostile"
--   hostile.TOKENS                -- { { name, token }, ... }: 12 tokens, from "& and =" to 10 KB
--   hostile.paths(token)          -- { { name, faults, kind, client options, call }, ... } (fields: simple, single,
--                                 --   retried, slow), see below
--   hostile.queue(own, faults, extra)  -- queues the faults on a spawned sandbox
--   hostile.encoded(token)        -- the token as the client puts it in the query
--   hostile.html_text(page)       -- an HTML page as its reader reads it, entities decoded

local util = require "helpers.util"

local _M = {}

_M.SIDE = "/api/douyin-xingtu/gw/api/aggregator/get_author_side_base_info/v1"
_M.CONVERT_SUFFIX = "get_author_convert_ability/v1"

-- A 10 KB token of printable ASCII, space and tab, the same every run.
local function long_token()
  local chars, x = {}, 12345
  for i = 1, 10240 do
    x = (x * 1103515245 + 12345) % 2147483648
    local c = x % 97
    chars[i] = c == 95 and " " or c == 96 and "\t" or string.char(33 + c)
  end
  return table.concat(chars)
end

local TOKENS = {
  { "& and =", "Qw7&x=9Lp&Zr4Vb2" },
  { "# and ?", "Ty6#Fr2?Kp9#Lm3W" },
  { "spaces", "Uv5 Gh8 Jk1 Mn4X" },
  { "% with hex after it", "Rb3%41Cd%zzEf%25Gh" },
  { "+", "Sd2+Fg6+Hj9Kl0P" },
  { "tab, CR, LF", "Wx8\tYz1\nAb4\r\nCd7" },
  { "unicode", "Ωµ7ж€😀Üñß9Qy" },
  { "quotes, backslash, <>", "Pq\"3\\Rs'4<Tu>5" },
  { "URL punctuation", "/?:@;,Ab5Cd6$!Ef" },
  { "escapes as text", "\\u0041Bc\\x42%%Dd9&amp;" },
  { "6 bytes", "Zq9&x " },
  { "10 KB", long_token() },
}

-- The token as the client puts it in the query (client.lua's percent_encode).
local function encoded(token)
  return (token:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- The paths: faults to queue (in order), the kind the call must end with, client options, and a call of its own
-- where the default (side_info for a fresh id) does not do. `simple` paths (faults, one request) also run in the
-- batches, account-level kinds last (they stop a batch: the requests after them are skipped, a path of its own).
local function paths(token)
  local into_token = #_M.SIDE + #"?token=" + math.max(1, #encoded(token) // 2)
  local header = token:sub(1, 1000) -- a fault's text field takes 4 KB
  local list = {
    { "code 201 echo=args", { { code = 201, echo = "args" } }, "not_found" },
    { "code 301 echo=form", { { code = 301, echo = "form" } }, "collection_failed", retried = true },
    { "code 302 echo=uri", { { code = 302, echo = "uri" } }, "rate_limited", retried = true },
    { "code 400 echo=form", { { code = 400, echo = "form" } }, "invalid_params", single = true },
    { "code 500 echo=uri", { { code = 500, echo = "uri" } }, "server_error", retried = true },
    { "code 503 echo=args", { { code = 503, echo = "args" } }, "server_error" },
    { "code 600 echo=form", { { code = 600, echo = "form" } }, "permission_denied" },
    { "code 999 echo=form", { { code = 999, echo = "form" } }, "api_error" },
    { "HTTP 403 text echo=args", { { status = 403, envelope = 0, echo = "args" } }, "permission_denied",
      single = true },
    { "HTTP 429 echo=form, Retry-After = token", { { status = 429, echo = "form", retry_after = header } },
      "rate_limited", retried = true, single = true },
    { "HTTP 500 HTML echo=uri", { { status = 500, html = 1, echo = "uri" } }, "server_error" },
    { "HTTP 502 HTML echo=args", { { status = 502, html = 1, echo = "args" } }, "server_error", single = true },
    { "HTTP 503 text echo=form, Retry-After = token encoded",
      { { status = 503, envelope = 0, echo = "form", retry_after = encoded(header) } }, "server_error" },
    { "HTTP 404 text echo=uri", { { status = 404, envelope = 0, echo = "uri" } }, "api_error" },
    { "HTTP 302 text echo=args", { { status = 302, envelope = 0, echo = "args" } }, "api_error" },
    { "HTTP 400 text echo=form", { { status = 400, envelope = 0, echo = "form" } }, "invalid_params" },
    { "HTTP 502 text echo=uri, truncated inside the token",
      { { status = 502, envelope = 0, echo = "uri", truncate = #"502 Bad Gateway: " + into_token } }, "server_error",
      single = true },
    { "code 0 echo=uri, truncated inside the token",
      { { code = 0, echo = "uri", truncate = #'{"code":0,"message":"success: ' + into_token } }, "bad_response" },
    { "close mid-body, code 0 echo=uri", { { code = 0, echo = "uri", close_mid_body = 1 } }, "network" },
    { "close mid-body, HTTP 502 text echo=args", { { status = 502, envelope = 0, echo = "args", close_mid_body = 1 } },
      "network", single = true },
    { "delay past the timeout", { { delay = 1 } }, "timeout", retried = true, slow = true },
    { "success echoing the request (code 0 echo=args)", { { code = 0, echo = "args" } }, nil, single = true },
    { "success", {}, nil },
    { "code 100 echo=uri", { { code = 100, echo = "uri" } }, "invalid_token", single = true },
    { "code 303 echo=args", { { code = 303, echo = "args" } }, "quota_exceeded" },
    { "code 601 echo=uri", { { code = 601, echo = "uri" } }, "insufficient_balance" },
    { "code 602 echo=args", { { code = 602, echo = "args" } }, "token_limit_exceeded" },
    { "HTTP 401 envelope echo=uri", { { status = 401, echo = "uri" } }, "invalid_token" },
  }
  for _, p in ipairs(list) do p.simple = not p.slow end
  local more = {
    { "budget stop after retries (err.previous echoes)", { { code = 302, echo = "uri", times = 3 } },
      "budget_exceeded", { retries = 2, max_calls = 2, backoff_base = 0 } },
    { "the sandbox's own 400 (an unknown parameter)", {}, "invalid_params", nil,
      function(c) return c:get(_M.SIDE, { oAuthorId = "1", bogus = "x" }) end },
    { "the sandbox's own 404 (an unknown path)", {}, "api_error", nil,
      function(c) return c:get("/api/douyin-xingtu/nothing/here", {}) end },
    { "a request line over 64 KB (nginx's own 414)", {}, "api_error", nil,
      function(c) return c:get(_M.SIDE, { oAuthorId = "1", pad = string.rep("x", 70000) }) end },
    { "a wrong token (the sandbox's code 100)", {}, "invalid_token", { token = token .. "!" } },
    { "connection refused", {}, "network", { base_url = "http://127.0.0.1:" .. util.free_port() } },
  }
  for _, p in ipairs(more) do list[#list + 1] = p end
  return list
end

local function queue(own, faults, extra)
  for _, f in ipairs(faults) do
    local copy = {}
    for k, v in pairs(f) do copy[k] = v end
    for k, v in pairs(extra or {}) do copy[k] = v end
    own:fault(copy)
  end
end

-- An HTML page is read as its reader gets it, entities decoded: a token in the page, escaped or not, is found there,
-- while an id that ends in a token's byte followed by an escaped "&" is not mistaken for a piece of it.
local function html_text(page)
  return (page:gsub("&#(%d+);", function(n) return utf8.char(tonumber(n)) end)
    :gsub("&#x(%x+);", function(n) return utf8.char(tonumber(n, 16)) end)
    :gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"'):gsub("&#39;", "'"):gsub("&amp;", "&"))
end


-- One token's search done: adds what its probe searched and found to a spec's totals (the summary line).
local function tally(totals, probe, npaths)
  totals.tokens = totals.tokens + 1
  totals.paths = npaths
  totals.texts = totals.texts + probe.checked
  totals.bytes = totals.bytes + probe.bytes
  totals.pieces = totals.pieces + probe.distinct
  totals.hits = totals.hits + #probe.found
end

_M.TOKENS, _M.paths, _M.queue, _M.encoded, _M.html_text, _M.tally = TOKENS, paths, queue, encoded, html_text, tally
return _M
