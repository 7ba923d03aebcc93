-- Calendar dates as day numbers, so the sandbox can walk a date range without os.time or time zones. Pure Lua.

local floor, tonumber, format = math.floor, tonumber, string.format

local _M = { _VERSION = "0.1.0" }

local DAYS_IN_MONTH = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function is_leap(y)
  return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
end

-- Year, month and day of a date written in `fmt` ("YYYY-MM-DD", the default, or "YYYYMMDD"); nil if not a real date.
function _M.parse(s, fmt)
  local y, m, d
  if fmt == "YYYYMMDD" then
    y, m, d = s:match("^(%d%d%d%d)(%d%d)(%d%d)$")
  else
    y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  end
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return nil end
  local last = (m == 2 and is_leap(y)) and 29 or DAYS_IN_MONTH[m]
  if d > last then return nil end
  return y, m, d
end

-- Days since 1970-01-01 (Howard Hinnant's days_from_civil).
function _M.to_days(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

function _M.from_days(z)
  z = z + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return y, m, d
end

-- Day number of a date string, or nil.
function _M.days(s, fmt)
  local y, m, d = _M.parse(s, fmt)
  if not y then return nil end
  return _M.to_days(y, m, d)
end

function _M.format(z, fmt)
  local y, m, d = _M.from_days(z)
  if fmt == "YYYYMMDD" then return format("%04d%02d%02d", y, m, d) end
  return format("%04d-%02d-%02d", y, m, d)
end

return _M
