-- The `data` of a successful response for each catalogue endpoint, deterministic per (endpoint, arguments).
-- Generators live in bodies/*.lua, one table of `name = function(ctx)` per family; ctx has `endpoint`, `args`
-- (validated, defaults filled in), `id` (the value of the endpoint's id parameter, the catalogue's id_param: the
-- author or item id, digits) and `rng` (seeded by all of it).

local catalogue = require "xingtu.catalogue"
local json = require "xt_sandbox.json_writer"
local prng = require "xt_sandbox.prng"

local _M = { _VERSION = "0.1.0" }

local generators = {}
for _, family in ipairs { "author", "audience", "commerce", "content", "items", "pages", "touch" } do
  for name, fn in pairs(require("xt_sandbox.bodies." .. family)) do
    generators[name] = fn
  end
end
_M.generators = generators

-- "name|k1=v1&k2=v2" with the keys sorted: the seed of a request.
function _M.key(endpoint, args)
  local keys = {}
  for k in pairs(args) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = k .. "=" .. args[k] end
  return endpoint.name .. "|" .. table.concat(keys, "&")
end

--- The catalogue's endpoints that have no generator, sorted (the sandbox refuses to start while there are any).
function _M.missing()
  local out = {}
  for _, name in ipairs(catalogue.names) do
    if not generators[name] then out[#out + 1] = name end
  end
  return out
end

function _M.build(endpoint, args)
  local gen = generators[endpoint.name]
  if not gen then
    error("sandbox: no body for endpoint " .. endpoint.name)
  end
  local key = _M.key(endpoint, args)
  local id_param = catalogue.id_param[endpoint.name]
  return gen {
    endpoint = endpoint,
    args = args,
    id = id_param and args[id_param.api],
    rng = prng.new(key),
  }
end

-- The encoded data of the last requests of this worker, by key. Building and encoding a body in Lua costs more than
-- the client's whole work on it; answering a repeated request from here keeps the sandbox, which shares the machine
-- with the client under test, from eating the cores the benchmarks measure. Bounded: cleared when it holds more than
-- MEMO_BYTES.
local MEMO_BYTES = 64 * 1024 * 1024
local memo, memo_bytes = {}, 0

-- The request's data as JSON text (json.raw), built once per key.
function _M.encoded(endpoint, args)
  local key = _M.key(endpoint, args)
  local text = memo[key]
  if not text then
    text = json.encode(_M.build(endpoint, args))
    if memo_bytes + #text > MEMO_BYTES then memo, memo_bytes = {}, 0 end
    memo[key], memo_bytes = text, memo_bytes + #text
  end
  return json.raw(text)
end

-- A "2026-MM-DD hh:mm:ss" for the envelope's recordTime, stable for the same request.
function _M.record_time(endpoint, args)
  local rng = prng.new("time|" .. _M.key(endpoint, args))
  return string.format("2026-%02d-%02d %02d:%02d:%02d", rng:int(1, 10), rng:int(1, 28), rng:int(0, 23),
    rng:int(0, 59), rng:int(0, 59))
end

return _M
