-- Query strings: parse them the way the provider's web stack does, and mask the token before anything is logged.
-- Pure Lua, no ngx: the raw query comes from ngx.var.args.

local char, tonumber = string.char, tonumber

local _M = { _VERSION = "0.1.0" }

local function unescape(s)
  s = s:gsub("+", " ")
  return (s:gsub("%%(%x%x)", function(hex) return char(tonumber(hex, 16)) end))
end
_M.unescape = unescape

-- Splits a raw query into an ordered list of { key = ..., value = ..., raw = ... } with keys and values decoded.
-- A part without "=" has the value "". Empty parts ("a=1&&b=2") are skipped.
function _M.parse(raw)
  local list = {}
  for part in (raw or ""):gmatch("[^&]+") do
    local k, v = part:match("^([^=]*)=(.*)$")
    if not k then k, v = part, "" end
    list[#list + 1] = { key = unescape(k), value = unescape(v), raw = part }
  end
  return list
end

-- The raw query with the value of every `token` parameter replaced by "***"; everything else is left byte for byte.
function _M.mask(raw)
  if not raw or raw == "" then return raw or "" end
  local out, start = {}, 1
  while start <= #raw + 1 do
    local stop = raw:find("&", start, true) or #raw + 1
    local part = raw:sub(start, stop - 1)
    local k = part:match("^([^=]*)")
    if unescape(k):lower() == "token" then
      part = k .. "=***"
    end
    out[#out + 1] = part
    start = stop + 1
  end
  return table.concat(out, "&")
end

return _M
