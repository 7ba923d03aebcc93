-- Range strings of the conversion endpoints ("2.5w-12.6w", "3%-15%", "≥100", "-") as numbers.
--
--   local ranges = require "xingtu.ranges"        -- also xingtu.ranges
--   ranges.parse("2.5w-12.6w")   --> { min = 25000, max = 126000, raw = "2.5w-12.6w" }
--   ranges.parse("0.5%-1%")      --> { min = 0.005, max = 0.01, unit = "%", raw = "0.5%-1%" }
--   ranges.parse("≥100")         --> { min = 100, raw = "≥100" }          (max nil: open)
--   ranges.parse("-")            --> nil                                  (no data)
--   ranges.parse("n/a")          --> { raw = "n/a" }                      (not understood: min and max nil)
--   ranges.all(data)             --> { gpm_range = {...}, ... }           every *_range field but those without data
--   ranges.rows(data)            --> { { field = "gpm_range", min =, max =, unit =, raw = }, ... } sorted by field,
--                                    fields without data included (min and max nil)
--
-- Understood: plain numbers and ranges "a-b" (also "a~b", "a至b", "a–b", "a—b", spaces anywhere), the units w/W/万
-- (×10^4), 亿 (×10^8), k/K/千 (×10^3), percentages (as fractions, unit = "%"; a % on either side applies to both), and
-- open bounds "≥a" ">a" "a+" "a以上" (min only), "≤b" "<b" "b以下" (max only); `exclusive = true` marks ">" and "<".
-- When only the upper bound has a unit and the lower number is not larger than the upper one ("1-5w"), the unit
-- applies to both (1w-5w); otherwise a bare lower bound is taken as written ("4208-1.2w" is 4208 to 12000).
-- Numbers are computed from their decimal digits, so 1.2w is exactly 12000 (an integer when whole).

-- The version is the C core's; like the other analysis helpers this module also loads without the core (it works on
-- plain tables, e.g. saved answers), and then has no _VERSION.
local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, tostring, pairs, sort = type, tostring, pairs, table.sort
local tointeger = math.tointeger or function(x) return x end

local SCALE = {
    [""] = 0, w = 4, W = 4, ["万"] = 4, ["亿"] = 8, k = 3, K = 3, ["千"] = 3,
}

local NO_DATA = { ["-"] = true, ["--"] = true, ["—"] = true, ["–"] = true, [""] = true, ["null"] = true }

-- "12.5" and a power of ten -> the number, exactly rounded.
local function decimal(digits, power)
    local int, frac = digits:match("^(%d*)%.?(%d*)$")
    if not int or (int == "" and frac == "") then return nil end
    local mantissa = tonumber(int .. frac)
    if not mantissa then return nil end
    local exp = power - #frac
    local v
    if exp >= 0 then
        v = mantissa * 10 ^ exp
    else
        v = mantissa / 10 ^ (-exp)
    end
    local i = tointeger(v)
    if i and exp >= 0 then return i end
    return v
end

-- One side: "1.2w", "15%", "300" -> digits, unit text, is_percent; nil when not a number with a known unit.
local function side(s)
    s = s:gsub("^%s+", ""):gsub("%s+$", ""):gsub("(%d),(%d%d%d)", "%1%2"):gsub("(%d),(%d%d%d)", "%1%2")
    local digits, rest = s:match("^(%d*%.?%d+)(.*)$")
    if not digits then return nil end
    rest = rest:gsub("^%s+", "")
    local percent = false
    if rest:sub(-1) == "%" then
        percent = true
        rest = rest:sub(1, -2):gsub("%s+$", "")
    end
    if SCALE[rest] == nil then return nil end
    return { digits = digits, unit = rest, percent = percent }
end

local function value(s, unit_text, percent)
    return decimal(s.digits, SCALE[unit_text] - (percent and 2 or 0))
end

local function strip(s)
    return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- Open bounds: returns min-side, max-side and exclusive, or nil.
local OPEN_PREFIX = {
    { "≥", "min" }, { ">=", "min" }, { "＞", "min", true }, { ">", "min", true },
    { "≤", "max" }, { "<=", "max" }, { "＜", "max", true }, { "<", "max", true },
}
local OPEN_SUFFIX = {
    { "+", "min" }, { "以上", "min" }, { "以下", "max" }, { "以内", "max" },
}

--- ranges.parse(text) -> { min, max, unit, raw [, exclusive] }, or nil for "no data" ("-", "", nil, xingtu.null).
function _M.parse(text)
    if text == nil or type(text) == "userdata" then return nil end
    if type(text) == "number" then
        -- NaN and the infinities are no bound of anything: kept as raw text, not understood.
        if text ~= text or text == math.huge or text == -math.huge then
            return { raw = text ~= text and "nan" or (text > 0 and "inf" or "-inf") }
        end
        return { min = text, max = text, raw = tostring(text) }
    end
    if type(text) ~= "string" then return { raw = tostring(text) } end
    local s = strip(text)
    if NO_DATA[s] then return nil end
    local unknown = { raw = text }

    for _, p in ipairs(OPEN_PREFIX) do
        if s:sub(1, #p[1]) == p[1] then
            local one = side(s:sub(#p[1] + 1))
            if not one then return unknown end
            local v = value(one, one.unit, one.percent)
            return { [p[2]] = v, unit = one.percent and "%" or nil, raw = text, exclusive = p[3] or nil }
        end
    end
    for _, p in ipairs(OPEN_SUFFIX) do
        if #s > #p[1] and s:sub(-#p[1]) == p[1] then
            local one = side(s:sub(1, -#p[1] - 1))
            if not one then return unknown end
            local v = value(one, one.unit, one.percent)
            return { [p[2]] = v, unit = one.percent and "%" or nil, raw = text }
        end
    end

    local a, b
    for _, sep in ipairs { "~", "至", "–", "—", "-" } do
        local i = s:find(sep, 2, true) -- never the first character: that would be a sign
        if i then
            a, b = s:sub(1, i - 1), s:sub(i + #sep)
            break
        end
    end
    if not a then
        local one = side(s)
        if not one then return unknown end
        local v = value(one, one.unit, one.percent)
        return { min = v, max = v, unit = one.percent and "%" or nil, raw = text }
    end
    local lo, hi = side(a), side(b)
    if not lo or not hi then return unknown end
    local percent = lo.percent or hi.percent
    local lo_unit = lo.unit
    if lo_unit == "" and hi.unit ~= "" and tonumber(lo.digits) <= tonumber(hi.digits) then lo_unit = hi.unit end
    local min, max = value(lo, lo_unit, percent), value(hi, hi.unit, percent)
    if min > max then return unknown end
    return { min = min, max = max, unit = percent and "%" or nil, raw = text }
end

local function range_fields(data)
    local fields = {}
    if type(data) ~= "table" then return fields end
    for k, v in pairs(data) do
        if type(k) == "string" and k:match("_range$") and (type(v) == "string" or type(v) == "number"
            or type(v) == "userdata") then
            fields[#fields + 1] = k
        end
    end
    sort(fields)
    return fields
end

--- ranges.all(data) -> { field = parsed } for every *_range field of `data` that has data.
function _M.all(data)
    local out = {}
    for _, field in ipairs(range_fields(data)) do out[field] = _M.parse(data[field]) end
    return out
end

--- ranges.rows(data) -> array of { field, min, max, unit, raw } sorted by field; fields without data have raw "-".
function _M.rows(data)
    local rows = {}
    for _, field in ipairs(range_fields(data)) do
        local raw = data[field]
        local r = _M.parse(raw)
        local row = { field = field, raw = type(raw) == "string" and raw or "-" }
        if r then
            row.min, row.max, row.unit, row.raw, row.exclusive = r.min, r.max, r.unit, r.raw, r.exclusive
        end
        rows[#rows + 1] = row
    end
    return rows
end

return _M
