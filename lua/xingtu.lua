-- xingtu: the Douyin Creator Marketplace (Xingtu) data of the Just One API, for Lua.
--
--   local xingtu = require "xingtu"
--   local client = xingtu.new{ token = os.getenv("JUSTONEAPI_TOKEN") }
--   local data, meta = client:touch_distribution{ o_author_id = "6976442543234760712" }
--   if not data then error(tostring(meta)) end
--
-- This module is the public face; the C core (`xingtu.core`) does HTTP and JSON, the modules under xingtu/ do the
-- rest. See the README for the options, the error kinds and the endpoint table.

local core = require "xingtu.core"
local client = require "xingtu.client"
local catalogue = require "xingtu.endpoints"

local _M = {
    _VERSION = core.VERSION,
    VERSION = core.VERSION,
}

--- The JSON null sentinel: the very same value as cjson.null (a light userdata NULL). Compare with ==.
_M.null = core.null
client.null = core.null

_M.json = {
    decode = core.decode,
    encode = core.encode,
    null = core.null,
    -- The metatable of decoded empty arrays ({ __jsontype = "array" }): setmetatable({}, xingtu.json.array_mt)
    -- encodes as [].
    array_mt = core.array_mt,
}

--- xingtu.new(opts) -> client. Options are listed in the README.
function _M.new(opts)
    return client.new(core, opts)
end

--- The endpoint catalogue for introspection: name -> { name, path, description, params }.
_M.endpoints = {}
for _, ep in ipairs(catalogue) do _M.endpoints[ep.name] = ep end

--- Endpoint names in alphabetical order.
_M.endpoint_names = {}
for i, ep in ipairs(catalogue) do _M.endpoint_names[i] = ep.name end
table.sort(_M.endpoint_names)

--- xingtu.assert(data, err, ...): like assert, but raises the error table itself so handlers keep its fields.
function _M.assert(data, err, ...)
    if data == nil then error(err, 2) end
    return data, err, ...
end

_M.is_error = require("xingtu.errors").is_error

-- The analysis layer: touchpoint trees, conversion ranges, queries over rows, pagination, the response cache.
_M.touch = require "xingtu.touch"
_M.ranges = require "xingtu.ranges"
_M.query = require "xingtu.query"
_M.pages = require "xingtu.pages"
_M.cache = require "xingtu.cache"

return _M
