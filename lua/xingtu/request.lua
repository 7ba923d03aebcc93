--- What one call asks for, as the key that says which answer it wants, and the percent-encoding of its query.
--
--   local call = pipe:new_call("touch_distribution", ep.path, validate.query(ep, params))
--   call.query            --> { { "oAuthorId", "6976442543234760712" } }   the { name, value } pairs sent, in order
--   request.key_of(call)  --> "touch_distribution?oAuthorId=6976442543234760712&platform=SHORT_VIDEO"
--
-- The key is the endpoint and its parameters, percent-encoded, sorted by name, with the catalogue's defaults filled
-- in: a default given explicitly and a parameter left out ask for the same answer and have one key. No base URL and
-- no token: the cache keys entries by it (with the account's fingerprint, lua/xingtu/cache.lua), and two calls with
-- one key ask for one answer. A call carries its endpoint and query, the key is made from them (once, when first
-- asked for: a batch without a cache makes none); nothing parses a URL to find out what a call asked for.
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too.
-- @module xingtu.request

local catalogue = require "xingtu.catalogue"

local _M = { _VERSION = catalogue._VERSION }

local concat, format, sort, ipairs, tostring = table.concat, string.format, table.sort, ipairs, tostring
local find, gsub, char = string.find, string.gsub, string.char
local setmetatable = setmetatable

-- Every byte's %XX, made once: gsub with a table instead of a closure made (and a format run) per call.
local escapes = {}
for b = 0, 255 do escapes[char(b)] = format("%%%02X", b) end

--- The percent-encoding of the query string: every byte but the unreserved ones (RFC 3986) as %XX.
-- Most values (ids, enum names) need no escape at all: they come back as they are, with no new string.
function _M.encode(value)
    if not find(value, "[^%w%-%._~]") then return value end
    return (gsub(value, "[^%w%-%._~]", escapes))
end
local encode = _M.encode

-- Parameter names are few (a catalogue's API names, a raw call's own) and come with every call: each is encoded
-- once. Bounded: a raw call's names are the caller's.
local names, n_names = {}, 0
local function encode_name(name)
    local e = names[name]
    if e then return e end
    e = encode(name)
    if n_names >= 256 then names, n_names = {}, 0 end
    names[name], n_names = e, n_names + 1
    return e
end

-- The query's "name=value" items, percent-encoded, in its order: what the URL sends, and what the key sorts.
local function items_of(query)
    local items = {}
    for i, pair in ipairs(query) do items[i] = encode_name(pair[1]) .. "=" .. encode(pair[2]) end
    return items
end

-- The catalogue's defaults of an endpoint as "name=value" items, encoded once (a catalogue is data that does not
-- change once loaded; weak: a catalogue dropped takes its entries along).
local default_items = setmetatable({}, { __mode = "k" })
local function defaults_of(endpoint)
    local defaults = catalogue.defaults[endpoint]
    if not defaults then return nil end
    local items = default_items[defaults]
    if not items then
        items = {}
        for i, d in ipairs(defaults) do items[i] = { d[1], encode(d[1]) .. "=" .. encode(d[2]) } end
        default_items[defaults] = items
    end
    return items
end

-- Whether the query has a pair named `name` (a query has a handful of pairs: a scan, no set made per call).
local function has(query, name)
    for i = 1, #query do
        if query[i][1] == name then return true end
    end
    return false
end

-- The key from the query's items (taken over: sorted in place). The catalogue's defaults are added for the
-- parameters the query leaves out; a catalogue's API names need no encoding, nor do the defaults' texts, but they
-- are encoded all the same, as the provider would read them.
local function key_of(endpoint, query, items)
    local defaults = defaults_of(endpoint)
    if defaults then
        local n = #items
        for _, d in ipairs(defaults) do
            if not has(query, d[1]) then
                n = n + 1
                items[n] = d[2]
            end
        end
    end
    local n = #items
    if n == 2 then -- the common case (an id and a default): no sort
        local a, b = items[1], items[2]
        if b < a then a, b = b, a end
        return tostring(endpoint) .. "?" .. a .. "&" .. b
    end
    sort(items)
    return tostring(endpoint) .. "?" .. concat(items, "&")
end

--- request.key(endpoint, query) -> the normalised key of a call to `endpoint` (a catalogue method, or the path of a
--  raw call) with `query` ({ name, value } pairs): see the header.
function _M.key(endpoint, query)
    if #query == 1 then -- the common case (an id, maybe one default left out) without the items table
        local pair = query[1]
        local a = encode_name(pair[1]) .. "=" .. encode(pair[2])
        local defaults = defaults_of(endpoint)
        local d = defaults and defaults[1]
        if not d or (d[1] == pair[1] and not defaults[2]) then return tostring(endpoint) .. "?" .. a end
        if not defaults[2] then
            local b = d[2]
            if b < a then a, b = b, a end
            return tostring(endpoint) .. "?" .. a .. "&" .. b
        end
    end
    return key_of(endpoint, query, items_of(query))
end

--- request.key_of(call) -> the key of a call (call.endpoint, call.query), made when first asked for and kept as
--  call.key: a batch of calls that nothing keys (no cache) never builds one.
function _M.key_of(r)
    local key = r.key
    if key == nil then
        key = _M.key(r.endpoint, r.query)
        r.key = key
    end
    return key
end

--- The query string after the token: "&name=value..." (empty without parameters).
function _M.query_string(query)
    local n = #query
    if n == 0 then return "" end
    if n == 1 then -- the common case (one id) in one concatenation, without the items table
        local pair = query[1]
        return "&" .. encode_name(pair[1]) .. "=" .. encode(pair[2])
    end
    return "&" .. concat(items_of(query), "&")
end

return _M
