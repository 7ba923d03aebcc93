-- Looking for a token in what a user, a log or a file could see: any 6 bytes of it in a row, in any form a server
-- or an encoder may have turned it into. Written apart from lua/xingtu/secret.lua (plain gsub decoders, a byte by
-- byte window), so the specs do not check the masker with itself.
--
--   local leak = require "helpers.leak"
--   local probe = leak.probe(token)
--   probe:hits(text)             -- the token's 6-byte pieces found in text (in any view), or {} when none
--   probe:walk(value, "err")     -- every string reachable from value (tables: keys, values, metatables), checked
--   probe.checked                -- how many strings/texts were looked at; probe.found: { where = piece, ... }
--
-- Views: the text as it is, then percent-decoded (any hex case), `+` read as a space, JSON escapes (\uXXXX with
-- surrogate pairs, \t, \", ...), HTML entities, and every two of those one after the other.

local _M = { GRAM = 6 }

local char = string.char

local function utf8_char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 + cp // 0x40, 0x80 + cp % 0x40) end
  if cp < 0x10000 then return char(0xE0 + cp // 0x1000, 0x80 + cp // 0x40 % 0x40, 0x80 + cp % 0x40) end
  if cp > 0x10FFFF then return "" end
  return char(0xF0 + cp // 0x40000, 0x80 + cp // 0x1000 % 0x40, 0x80 + cp // 0x40 % 0x40, 0x80 + cp % 0x40)
end

local SIMPLE = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
local NAMED = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }

local DECODERS = {
  function(s) return (s:gsub("%%(%x%x)", function(h) return char(tonumber(h, 16)) end)) end,
  function(s) return (s:gsub("%+", " ")) end,
  function(s)
    s = s:gsub("\\u([dD][89abAB]%x%x)\\u([dD][c-fC-F]%x%x)", function(hi, lo)
      return utf8_char(0x10000 + (tonumber(hi, 16) - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00))
    end)
    s = s:gsub("\\u(%x%x%x%x)", function(h) return utf8_char(tonumber(h, 16)) end)
    return (s:gsub("\\(.)", function(c) return SIMPLE[c] end))
  end,
  function(s)
    s = s:gsub("&#[xX](%x+);", function(h) return utf8_char(tonumber(h, 16)) end)
    s = s:gsub("&#(%d+);", function(d) return utf8_char(tonumber(d)) end)
    return (s:gsub("&(%a+);", function(n) return NAMED[n] end))
  end,
}

local function views(text)
  local list, seen = { text }, { [text] = true }
  local level = { text }
  for _ = 1, 2 do
    local next_level = {}
    for _, v in ipairs(level) do
      for _, decode in ipairs(DECODERS) do
        local d = decode(v)
        if not seen[d] then
          seen[d] = true
          list[#list + 1] = d
          next_level[#next_level + 1] = d
        end
      end
    end
    level = next_level
  end
  return list
end
_M.views = views

local Probe = {}
Probe.__index = Probe

function _M.probe(token)
  assert(#token >= _M.GRAM, "a probe needs a token of 6 bytes or more")
  local pieces, n = {}, 0
  for i = 1, #token - _M.GRAM + 1 do
    local p = token:sub(i, i + _M.GRAM - 1)
    if not pieces[p] then pieces[p], n = true, n + 1 end
  end
  return setmetatable({ pieces = pieces, distinct = n, checked = 0, bytes = 0, found = {} }, Probe)
end

--- The token's 6-byte pieces in `text` (any view), as a list; each hit is also recorded under `where`.
function Probe:hits(text, where)
  self.checked = self.checked + 1
  self.bytes = self.bytes + #text
  local out, around = {}, nil
  for _, v in ipairs(views(text)) do
    for i = 1, #v - _M.GRAM + 1 do
      local p = v:sub(i, i + _M.GRAM - 1)
      if self.pieces[p] then
        out[#out + 1] = p
        around = v:sub(math.max(1, i - 120), i + 60)
        break
      end
    end
    if #out > 0 then break end
  end
  if #out > 0 and where then
    self.found[#self.found + 1] = { where = where, piece = out[1], text = around }
  end
  return out
end

--- Checks every string reachable from `value` through table keys, values and metatables (what a caller can reach
--  without the debug library). Returns the number of hits.
function Probe:walk(value, where, seen)
  seen = seen or {}
  local before = #self.found
  local function visit(v, path)
    local t = type(v)
    if t == "string" then
      self:hits(v, path)
    elseif t == "table" or t == "userdata" then
      if seen[v] then return end
      seen[v] = true
      local mt = getmetatable(v)
      if mt ~= nil then visit(mt, path .. "<mt>") end
      if t == "table" then
        for k, x in next, v do
          visit(k, path .. "<key>")
          visit(x, path .. "." .. tostring(k))
        end
      end
    end
  end
  visit(value, where)
  return #self.found - before
end

--- A line per hit, for an assertion message.
function Probe:report()
  local lines = {}
  for i, f in ipairs(self.found) do
    if i > 10 then
      lines[#lines + 1] = ("... %d more"):format(#self.found - 10)
      break
    end
    lines[#lines + 1] = ("%s: %q in ...%q..."):format(f.where, f.piece, f.text)
  end
  return table.concat(lines, "\n")
end

return _M
