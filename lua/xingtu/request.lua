--- What one call asks for: an endpoint, its path and the query it sends, and the normalised key that says which
-- answer it wants.
--
--   local req = request.new("touch_distribution", ep.path, validate.query(ep, params))
--   req.query   --> { { "oAuthorId", "6976442543234760712" } }     the { name, value } pairs sent, in this order
--   req.key     --> "touch_distribution?oAuthorId=6976442543234760712&platform=SHORT_VIDEO"
--
-- The key is the endpoint and its parameters, percent-encoded, sorted by name, with the catalogue's defaults filled
-- in: a default given explicitly and a parameter left out ask for the same answer and have one key. No base URL and
-- no token: the cache keys entries by it (with the account's fingerprint, lua/xingtu/cache.lua), and two calls with
-- one key ask for one answer. A call carries its request; nothing parses a URL to find out what it asked for.
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too.
-- @module xingtu.request

local catalogue = require "xingtu.catalogue"

local _M = { _VERSION = catalogue._VERSION }

local concat, format, sort, ipairs, tostring = table.concat, string.format, table.sort, ipairs, tostring

--- The percent-encoding of the query string: every byte but the unreserved ones (RFC 3986) as %XX.
function _M.encode(value)
    return (value:gsub("[^%w%-%._~]", function(c) return format("%%%02X", c:byte()) end))
end
local encode = _M.encode

--- request.key(endpoint, query) -> the normalised key of a call to `endpoint` (a catalogue method, or the path of a
--  raw call) with `query` ({ name, value } pairs): see the header.
function _M.key(endpoint, query)
    local items, present = {}, {}
    for _, pair in ipairs(query) do
        local name = encode(pair[1])
        items[#items + 1] = name .. "=" .. encode(pair[2])
        present[name] = true
    end
    for _, d in ipairs(catalogue.defaults[endpoint] or {}) do
        local name = encode(d[1])
        if not present[name] then items[#items + 1] = name .. "=" .. encode(d[2]) end
    end
    sort(items)
    return tostring(endpoint) .. "?" .. concat(items, "&")
end

--- request.new(endpoint, path, query) -> { endpoint, path, query, key }: query is the checked { name, value } pairs
--  (validate.query's, or a raw call's), sent after the token in this order.
function _M.new(endpoint, path, query)
    return { endpoint = endpoint, path = path, query = query, key = _M.key(endpoint, query) }
end

--- The query string after the token: "&name=value..." (empty without parameters).
function _M.query_string(query)
    local items = {}
    for i, pair in ipairs(query) do items[i] = encode(pair[1]) .. "=" .. encode(pair[2]) end
    return #items > 0 and "&" .. concat(items, "&") or ""
end

return _M
