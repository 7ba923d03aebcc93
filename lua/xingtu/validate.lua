-- Argument checking against the catalogue, before anything is sent.
--
-- A call that cannot succeed must not be billed, so every mistake the catalogue can see raises here: unknown
-- parameter, missing required one, wrong type, value outside the allowed set, malformed id or date. Messages name
-- the method and the parameter and list what would have been valid. Which parameters an endpoint has, by either
-- name, and its cross-field rules (a start date not after its end date) are the catalogue's (lua/xingtu/catalogue.lua).

local catalogue = require "xingtu.catalogue"

local _M = {}

local concat, format, tostring, type = table.concat, string.format, tostring, type
local next, getmetatable, find = next, getmetatable, string.find
local math_type = math.type or function(v) -- LuaJIT: numbers are doubles
    if type(v) ~= "number" then return nil end
    return (v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53) and "integer" or "float"
end

local function fail(method, message, level)
    error(format("xingtu.%s: %s", method, message), level)
end

local function quote(value)
    if type(value) == "string" then return format("%q", value) end
    if value ~= value then return "nan" end -- not the C library's "-nan"
    return tostring(value)
end

local function describe_param(p)
    if p.name == p.api then return p.name end
    return p.name .. " (" .. p.api .. ")"
end

local function valid_names(ep)
    local names = {}
    for i, p in ipairs(ep.params) do names[i] = p.name end
    return concat(names, ", ")
end

-- Each checker returns the string to send, or nil and the reason the value was refused.
local check = {}

local INT32_MAX = 2147483647

local function in_list(list, value)
    for _, item in ipairs(list) do
        if item == value then return true end
    end
    return false
end

function check.id(value)
    -- The common case in one match: digits, not all of them 0, at most 20.
    if type(value) == "string" and #value <= 20 and find(value, "^0*[1-9]%d*$") then return value end
    local t = math_type(value)
    if t == "integer" then
        if value <= 0 then return nil, "must be a positive id" end
        return format("%d", value)
    elseif t == "float" then
        return nil, "must be given as a string or an integer: a float cannot hold every id exactly"
    elseif type(value) ~= "string" then
        return nil, "must be a string of digits, got " .. type(value)
    elseif value == "" then
        return nil, "must not be empty"
    elseif not value:match("^%d+$") or #value > 20 then
        return nil, "must be a string of digits, got " .. quote(value)
    elseif not value:find("[1-9]") then
        return nil, "must be a positive id, got " .. quote(value)
    end
    return value
end

function check.enum(value, p)
    -- The provider accepts numeric ids for some enums; let users give them as numbers too.
    if math_type(value) == "integer" then value = format("%d", value) end
    if type(value) == "string" then
        if in_list(p.enum, value) or (p.also and in_list(p.also, value)) then return value end
        -- Some defaults are ids outside the listed names (liveType "1", range "90"): what the provider falls back
        -- to, it accepts.
        if value == p.default then return value end
        -- A name in another case is that name: what is sent is the provider's spelling ("live_streaming" sends
        -- LIVE_STREAMING).
        local lower = value:lower()
        for _, item in ipairs(p.enum) do
            if item:lower() == lower then return item end
        end
    end
    local reason = format("%s is not one of %s", quote(value), concat(p.enum, ", "))
    if p.also then
        reason = reason .. " (or one of the provider's numeric ids and Chinese labels for them: "
            .. concat(p.also, " ") .. ")"
    elseif p.default ~= nil and not in_list(p.enum, p.default) then
        reason = reason .. format(" (or %s, the provider's default)", quote(p.default))
    end
    return nil, reason
end

function check.string(value)
    local t = type(value)
    if t == "string" then return value end
    if t == "number" then
        -- tostring would send "nan", "inf" or "-nan": text no search means.
        if value ~= value or value == math.huge or value == -math.huge then
            return nil, "must be a string or a finite number, got " .. (value ~= value and "nan" or tostring(value))
        end
        return math_type(value) == "integer" and format("%d", value) or tostring(value)
    end
    return nil, "must be a string, got " .. t
end

function check.integer(value, p)
    local n = value
    if type(value) == "string" and value:match("^%-?%d+$") then n = tonumber(value) end
    if math_type(n) == "float" and n == math.floor(n) then n = math.tointeger and math.tointeger(n) or n end
    if math_type(n) ~= "integer" then return nil, "must be an integer, got " .. quote(value) end
    if p.min and n < p.min then return nil, format("must be at least %d, got %d", p.min, n) end
    -- The provider's integers are int32 (page, the only one, in the OpenAPI definition).
    if n > INT32_MAX then return nil, format("must be at most %d (a 32-bit integer), got %d", INT32_MAX, n) end
    return format("%d", n)
end

function check.boolean(value)
    if value == true or value == "true" then return "true" end
    if value == false or value == "false" then return "false" end
    return nil, "must be true or false, got " .. quote(value)
end

local function is_real_date(y, m, d)
    y, m, d = tonumber(y), tonumber(m), tonumber(d)
    if m < 1 or m > 12 or d < 1 then return false end
    local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
    if m == 2 and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) then return d <= 29 end
    return d <= days[m]
end

-- Dates are accepted as YYYY-MM-DD or YYYYMMDD and sent the way the endpoint documents.
function check.date(value, p)
    if type(value) ~= "string" then return nil, "must be a date string YYYY-MM-DD, got " .. type(value) end
    local y, m, d = value:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
    if not y then y, m, d = value:match("^(%d%d%d%d)(%d%d)(%d%d)$") end
    if not y or not is_real_date(y, m, d) then return nil, "must be a date YYYY-MM-DD, got " .. quote(value) end
    if p.format == "YYYYMMDD" then return y .. m .. d end
    return y .. "-" .. m .. "-" .. d
end

-- The catalogue an entry belongs to: the default one, or for an entry of its own (a caller's table shaped like one)
-- a catalogue of just that entry, made once.
local own = setmetatable({}, { __mode = "k" })
local function catalogue_of(ep)
    if catalogue.by_name[ep.name] == ep then return catalogue end
    local c = own[ep]
    if not c then
        c = catalogue.new { ep }
        own[ep] = c
    end
    return c
end

-- The cross-field rules of the catalogue, by kind: each returns nil, or the reason the values do not go together.
local RULES = {
    not_after = function(rule, values)
        local first, last = values[rule.first.api], values[rule.last.api]
        if first and last and first:gsub("-", "") > last:gsub("-", "") then
            return format("%s %s is after %s %s", rule.first.name, first, rule.last.name, last)
        end
    end,
}

-- The common case, without the table of what was given by which name: every key of params is one parameter's name
-- or API name (a key the index gives to that parameter), and no parameter is given by both. Then the values are
-- checked in catalogue order, as below, and the query is returned; anything else (an unknown key, a parameter
-- given twice, params with a metatable: its __index and __pairs are the full pass's to ask) returns nil before any
-- value was looked at, and the full pass below finds and reports the key's mistake first, as it always did.
-- `level` is query's.
-- Whether every parameter of an entry is found by both its names in its index (no name of one is another's): the
-- fast pass then reads params by the names alone. Once per entry (weak: an entry of a caller's own goes with it).
local clean = setmetatable({}, { __mode = "k" })
local function is_clean(ps, index)
    local known = clean[ps]
    if known == nil then
        known = true
        for i = 1, #ps do
            local p = ps[i]
            if index[p.name] ~= p or index[p.api] ~= p then known = false end
        end
        clean[ps] = known
    end
    return known
end

local function fast_query(ep, params, index, rules, method, level)
    local ps = ep.params
    if getmetatable(params) ~= nil or not is_clean(ps, index) then return nil end
    if level > 0 then level = level + 1 end -- 0: the message without a position (batch.lua's check_request)
    local named = 0
    for i = 1, #ps do
        local p = ps[i]
        local name, api = p.name, p.api
        if params[name] ~= nil then
            if api ~= name and params[api] ~= nil then return nil end
            named = named + 1
        elseif params[api] ~= nil then
            named = named + 1
        end
    end
    local keys = 0
    for _ in next, params do keys = keys + 1 end
    if keys ~= named then return nil end
    local query, n = {}, 0
    local values = rules[1] and {} -- only the cross-field rules read it: most endpoints have none
    for i = 1, #ps do
        local p = ps[i]
        local value = params[p.name]
        if value == nil then value = params[p.api] end
        if value == nil then
            if p.required then fail(method, "missing required parameter " .. describe_param(p), level) end
        else
            local sent, why = check[p.type](value, p)
            if not sent then fail(method, format("parameter %s %s", p.name, why), level) end
            n = n + 1
            query[n] = { p.api, sent }
            if values then values[p.api] = sent end
        end
    end
    for _, rule in ipairs(rules) do
        local why = RULES[rule.kind](rule, values)
        if why then fail(method, why, level) end
    end
    return query
end

--- Checks `params` for endpoint `ep` and returns the query as an array of { api_name, string_value } in catalogue
--  order. Raises (at `level`, default: the caller of the caller) on any mistake.
function _M.query(ep, params, level)
    level = (level or 2) + 1
    local method = ep.name
    if params == nil then
        params = {}
    elseif type(params) ~= "table" then
        fail(method, "expected a table of parameters, got " .. type(params), level)
    end
    local facts = catalogue_of(ep)
    local index = facts.indexes[ep.name]
    local query = fast_query(ep, params, index, facts.rules[ep.name], method, level)
    if query then return query end
    local given = {}
    for key, value in pairs(params) do
        local p = type(key) == "string" and index[key]
        if not p then
            fail(method, format("unknown parameter %s; valid parameters: %s", quote(key), valid_names(ep)), level)
        end
        if given[p] ~= nil then
            fail(method, format("parameter %s given twice (as %s and %s)", p.name, p.name, p.api), level)
        end
        given[p] = value
    end
    query = {}
    local rules = facts.rules[ep.name]
    local values = rules[1] and {} -- only the cross-field rules read it: most endpoints have none
    for _, p in ipairs(ep.params) do
        local value = given[p]
        if value == nil then
            if p.required then fail(method, "missing required parameter " .. describe_param(p), level) end
        else
            local sent, why = check[p.type](value, p)
            if not sent then fail(method, format("parameter %s %s", p.name, why), level) end
            query[#query + 1] = { p.api, sent }
            if values then values[p.api] = sent end
        end
    end
    for _, rule in ipairs(rules) do
        local why = RULES[rule.kind](rule, values)
        if why then fail(method, why, level) end
    end
    return query
end

return _M
