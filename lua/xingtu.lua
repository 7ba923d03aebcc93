--- xingtu: the Douyin Creator Marketplace (Xingtu) data of the Just One API, for Lua.
--
--   local xingtu = require "xingtu"
--   local client = xingtu.new{ token = os.getenv("JUSTONEAPI_TOKEN") }
--   local data, meta = client:touch_distribution{ o_author_id = "6976442543234760712" }
--   if not data then error(tostring(meta)) end
--
-- This module is the public face; the C core (`xingtu.core`) does HTTP and JSON, the modules under xingtu/ do the
-- rest (the README's "Inside" says which does what). See the README for the error kinds and the endpoint table;
-- the client's methods are in `xingtu.client` and `xingtu.endpoints`.
-- @module xingtu

local core = require "xingtu.core"
local client = require "xingtu.client"
local catalogue = require "xingtu.catalogue"

local _M = {
    _VERSION = core.VERSION,
    --- The version of xingtu, e.g. "0.1.0" (the C core's, which CMake stamps from the project's version).
    VERSION = core.VERSION,
}

--- The JSON null sentinel: the very same value as cjson.null (a light userdata NULL). Compare with ==.
-- @field null
_M.null = core.null

--- JSON with exact 64-bit integers (the C core's).
-- @table json
-- @field decode `decode(text)` -> the value, or nil and "<what> at byte N". Integers stay integers (LuaJIT:
--   beyond 2^53 they are strings of their digits); JSON null is `xingtu.null`; an empty array gets `array_mt`.
-- @field encode `encode(value, opts)` -> JSON text. opts: `sort_keys` (boolean), `indent` (spaces). A table with
--   `array_mt` (or any metatable with `__jsontype = "array"`) is an array even when empty.
-- @field null the JSON null, the same value as `xingtu.null` and `cjson.null`.
-- @field array_mt the metatable of decoded empty arrays ({ __jsontype = "array" }): setmetatable({},
--   xingtu.json.array_mt) encodes as [].
_M.json = {
    decode = core.decode,
    encode = core.encode,
    null = core.null,
    array_mt = core.array_mt,
}

--- A client: one token, one connection pool, every endpoint of the catalogue as a method (see `xingtu.client`).
-- A mistake in the options raises at once, naming the option and what it must be.
-- @tparam[opt] table opts the options; all of them may be left out but the token (given or in the environment)
-- @tparam[opt=$JUSTONEAPI_TOKEN] string opts.token the API token; never printed, logged, returned or stored
-- @tparam[opt] string opts.base_url the provider, http or https: `$JUSTONEAPI_BASE_URL`, else
--   https://api.justoneapi.com
-- @tparam[opt=60] number opts.timeout seconds for one whole attempt (the provider recommends at least 60)
-- @tparam[opt=10] number opts.connect_timeout seconds to establish a connection
-- @tparam[opt] string opts.user_agent the User-Agent header (default `xingtu/<version> libcurl/<version>`)
-- @tparam[opt] string opts.ca_file a CA bundle for TLS (default: the system store); verification is always on
-- @tparam[opt] string opts.proxy an explicit proxy URL (default: the usual `*_proxy` environment variables)
-- @tparam[opt=33554432] integer opts.max_body the response size cap in bytes (over it: `bad_response`)
-- @param[opt] opts.transport `"curl"` (the C core's libcurl session), `"ngx"` (nginx cosockets, the default inside
--   nginx) or any object with `get(url)` returning the core's result table
-- @tparam[opt=3] integer opts.retries retries after the first attempt; only failures that were certainly not
--   billed are retried
-- @tparam[opt=0.5] number opts.backoff_base seconds: before retry n a random wait up to
--   min(backoff_max, backoff_base * 2^(n-1))
-- @tparam[opt=20] number opts.backoff_max seconds, the longest wait (a longer Retry-After fails the call at once)
-- @tparam[opt] number opts.deadline total seconds for a call including retries (none by default); then `timeout`
--   with `deadline_exceeded`
-- @tparam[opt=false] boolean opts.retry_unknown also retry failures whose billing is unknown
-- @tparam[opt] number opts.rate at most this many requests a second from this client (unlimited by default)
-- @tparam[opt=1] integer opts.burst requests the rate allows at once (>= 1)
-- @tparam[opt=false] boolean opts.adaptive halve the pace on `rate_limited`, raise it slowly while calls succeed
-- @tparam[opt] integer opts.max_calls a hard budget of requests sent (retries count); then `budget_exceeded`
-- @tparam[opt] function opts.clock a monotonic clock in seconds (for tests)
-- @tparam[opt] function opts.sleep sleep(seconds): blocking, `ngx.sleep` in nginx (for tests)
-- @tparam[opt] function opts.random random(m, n) like `math.random` (for tests)
-- @tparam[opt] function opts.wall_clock seconds since the epoch like `os.time`, for Retry-After dates (for tests)
-- @param[opt] opts.cache off by default; `true` (the default directory), a directory, a `xingtu.cache.new{...}`
--   object, or `{ shared_dict = "name" }` in nginx
-- @tparam[opt=86400] number opts.cache_ttl seconds a cached answer stays fresh
-- @tparam[opt=false] boolean opts.offline answer from the cache only (turns the cache on); a miss is `cache_miss`
-- @param[opt] opts.lock one sender per answer across processes: `xingtu.cache.shared_lock(dict)` in nginx, or
--   `require("xingtu.redis.lock").new{...}` for a fleet (needs a cache: waiters read the answer from it)
-- @param[opt] opts.pace a rate shared by many processes, on top of `rate`:
--   `require("xingtu.redis.pace").new{...}`
-- @param[opt] opts.budget a spend cap shared by many processes, on top of `max_calls`:
--   `require("xingtu.redis.budget").new{...}`
--   (fails closed with `budget_unavailable` when its store does not answer, unless made with `fail_open = true`)
-- @treturn xingtu.client.Client the client
function _M.new(opts)
    return client.new(core, opts)
end

--- The endpoint catalogue for introspection: method name -> { name, path, description, params }.
-- (Tables of this module's own, filled from `xingtu.catalogue`: changing them changes nothing in the client.)
-- @table endpoints
_M.endpoints = {}
for name, ep in pairs(catalogue.by_name) do _M.endpoints[name] = ep end

--- The method names of the catalogue, in alphabetical order.
-- @table endpoint_names
_M.endpoint_names = {}
for i, name in ipairs(catalogue.names) do _M.endpoint_names[i] = name end

--- Like `assert`, but raises the error table itself, so that a handler keeps its fields (kind, billed, ...).
-- @param data a call's first result
-- @param err its second: meta on success, the error on failure
-- @return data, err and any further values, when data is not nil
function _M.assert(data, err, ...)
    if data == nil then error(err, 2) end
    return data, err, ...
end

--- True when `value` is one of xingtu's error tables.
-- @function is_error
-- @param value anything
-- @treturn boolean
_M.is_error = require("xingtu.errors").is_error

-- The analysis layer: touchpoint trees, conversion ranges, queries over rows, pagination, the response cache.

--- Touchpoint trees: flatten, top N, creators side by side (the module `xingtu.touch`).
-- @field touch
_M.touch = require "xingtu.touch"
--- Conversion range strings as numbers (the module `xingtu.ranges`).
-- @field ranges
_M.ranges = require "xingtu.ranges"
--- Queries over rows: where, sort, limit, group_by, CSV (the module `xingtu.query`).
-- @field query
_M.query = require "xingtu.query"
--- Items across the pages of a paged endpoint (the module `xingtu.pages`).
-- @field pages
_M.pages = require "xingtu.pages"
--- The response cache and its backends (the module `xingtu.cache`).
-- @field cache
_M.cache = require "xingtu.cache"

--- Creators side by side: `rows, report = xingtu.compare(client, ids, opts)` (the module `xingtu.compare`; its
-- header names every column and formula).
-- @function compare
_M.compare = require("xingtu.compare").compare

return _M
