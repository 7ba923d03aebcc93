-- A small JSON writer for the sandbox's bodies.
--
-- It exists because LuaJIT (inside nginx) holds numbers as doubles and cannot hold the 64-bit ids the provider sends
-- as JSON numbers. `json.int("7012345678901234567")` marks a string of digits to be written as a number, exactly.
-- Object keys are written sorted, so a body is the same bytes every time. Lists are tables with a [1] or tables marked
-- with `json.array`; `json.null` writes null. Pure Lua: runs in LuaJIT and in Lua 5.4.

local concat, sort, format = table.concat, table.sort, string.format
local floor, huge = math.floor, math.huge
local ipairs, pairs, type, tostring, error = ipairs, pairs, type, tostring, error
local setmetatable, getmetatable = setmetatable, getmetatable

local _M = { _VERSION = "0.1.0" }

local ARRAY = { __name = "xt_sandbox.json.array" }
local BIGINT = { __name = "xt_sandbox.json.int" }
local RAW = { __name = "xt_sandbox.json.raw" }

_M.null = setmetatable({}, { __name = "xt_sandbox.json.null", __tostring = function() return "null" end })

-- Marks t (default: a new table) as a list, so an empty one is written as [].
function _M.array(t)
  return setmetatable(t or {}, ARRAY)
end

-- An integer written from its digits, e.g. json.int("7012345678901234567").
function _M.int(digits)
  digits = tostring(digits)
  if not digits:match("^%-?%d+$") then
    error("json.int: not an integer: " .. digits, 2)
  end
  return setmetatable({ digits = digits }, BIGINT)
end

-- JSON text already written (by encode), put in as it is.
function _M.raw(text)
  return setmetatable({ text = text }, RAW)
end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r",
  ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or format("\\u%04x", c:byte())
  end) .. '"'
end
_M.quote = quote

local function number(n)
  if n ~= n or n == huge or n == -huge then
    error("json: cannot write " .. tostring(n))
  end
  if n == floor(n) and n > -2^53 and n < 2^53 then
    return format("%d", n)
  end
  return format("%.14g", n)
end

local write

local function write_list(t, out, depth)
  out[#out + 1] = "["
  for i = 1, #t do
    if i > 1 then out[#out + 1] = "," end
    write(t[i], out, depth)
  end
  out[#out + 1] = "]"
end

local function write_object(t, out, depth)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then
      error("json: object key is not a string: " .. tostring(k))
    end
    keys[#keys + 1] = k
  end
  sort(keys)
  out[#out + 1] = "{"
  for i, k in ipairs(keys) do
    if i > 1 then out[#out + 1] = "," end
    out[#out + 1] = quote(k)
    out[#out + 1] = ":"
    write(t[k], out, depth)
  end
  out[#out + 1] = "}"
end

write = function(v, out, depth)
  local tv = type(v)
  if tv == "string" then
    out[#out + 1] = quote(v)
  elseif tv == "number" then
    out[#out + 1] = number(v)
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif v == nil or v == _M.null then
    out[#out + 1] = "null"
  elseif tv == "table" then
    if depth > 64 then error("json: nested too deeply") end
    local mt = getmetatable(v)
    if mt == BIGINT then
      out[#out + 1] = v.digits
    elseif mt == RAW then
      out[#out + 1] = v.text
    elseif mt == ARRAY or v[1] ~= nil then
      write_list(v, out, depth + 1)
    else
      write_object(v, out, depth + 1)
    end
  else
    error("json: cannot write a " .. tv)
  end
end

-- Writes an object with its keys in the given order (the envelope reads best as code, message, data, ...).
function _M.encode_ordered(t, keys)
  local out = { "{" }
  for i, k in ipairs(keys) do
    if i > 1 then out[#out + 1] = "," end
    out[#out + 1] = quote(k)
    out[#out + 1] = ":"
    write(t[k], out, 1)
  end
  out[#out + 1] = "}"
  return concat(out)
end

function _M.encode(v)
  local out = {}
  write(v, out, 0)
  return concat(out)
end

return _M
