-- Deterministic pseudo-random numbers for the sandbox's bodies.
--
-- `prng.new(key)` seeds a Park-Miller generator from a hash of the string key, so the same (endpoint, params) always
-- gives the same body. Only integer arithmetic below 2^53 is used, so LuaJIT and Lua 5.4 draw the same numbers.

local floor, byte = math.floor, string.byte

local _M = { _VERSION = "0.1.0" }

local MOD = 2147483647 -- 2^31 - 1
local MUL = 48271

-- Two 31-bit multiplicative hashes of s, combined into a seed in 1 .. MOD - 1.
function _M.hash(s)
  local a, b = 5381, 52711
  for i = 1, #s do
    local c = byte(s, i)
    a = (a * 33 + c) % MOD
    b = (b * 131 + c) % 1000000007
  end
  return (a + b * 7919) % (MOD - 1) + 1
end

local Rng = {}
Rng.__index = Rng

function _M.new(key)
  local rng = setmetatable({ state = _M.hash(key) }, Rng)
  rng:next(); rng:next() -- move away from seeds that are close to each other
  return rng
end

-- A float in [0, 1).
function Rng:next()
  self.state = (self.state * MUL) % MOD
  return (self.state - 1) / (MOD - 1)
end

-- An integer in lo .. hi, both included.
function Rng:int(lo, hi)
  return lo + floor(self:next() * (hi - lo + 1))
end

-- A float in lo .. hi rounded to `places` decimals (default 4).
function Rng:float(lo, hi, places)
  local scale = 10 ^ (places or 4)
  return floor((lo + self:next() * (hi - lo)) * scale + 0.5) / scale
end

function Rng:chance(p)
  return self:next() < p
end

function Rng:pick(list)
  return list[self:int(1, #list)]
end

-- n distinct elements of list, in random order (all of them if n >= #list).
function Rng:sample(list, n)
  local copy = {}
  for i = 1, #list do copy[i] = list[i] end
  for i = #copy, 2, -1 do
    local j = self:int(1, i)
    copy[i], copy[j] = copy[j], copy[i]
  end
  local out = {}
  for i = 1, math.min(n, #copy) do out[i] = copy[i] end
  return out
end

-- A string of n decimal digits whose first digit is `first` (default 1-9).
function Rng:digits(n, first)
  local out = { first or tostring(self:int(1, 9)) }
  for i = 2, n do out[i] = tostring(self:int(0, 9)) end
  return table.concat(out)
end

-- Weights (numbers) that add up to `total`, as integers; n of them.
function Rng:split(total, n)
  local w, sum = {}, 0
  for i = 1, n do
    w[i] = self:next() ^ 2 + 0.02
    sum = sum + w[i]
  end
  local out, left = {}, total
  for i = 1, n - 1 do
    out[i] = floor(total * w[i] / sum)
    left = left - out[i]
  end
  out[n] = left
  return out
end

return _M
