-- Checking options against a declarative schema, and raising at the caller's line.
--
--   local options = require "xingtu.options"
--   local NEW = options.schema("xingtu.new", {
--       { "timeout", "number", min = 0.001, max = 86400, unit = "seconds", default = 60 },
--       { "retries", "integer", min = 0, max = 100, default = 3 },
--       { "adaptive", "boolean", default = false },
--   })
--   local o = NEW:check(opts)    -- every option checked, defaults filled in; raises on the first mistake:
--   --> "xingtu.new: option timeout must be a number of seconds from 0.001 to 86400, got 0.0001"
--
-- A rule is { name, type, ... } with type one of:
--   "number"    a finite number from `min` to `max` (both inclusive, both required: NaN and infinities never pass)
--   "integer"   the same, and whole (3.0 is taken as 3)
--   "boolean", "function"
--   "string"    a non-empty string without NUL bytes (C strings and file names end at the first one)
--   "enum"      one of `values`
--   "custom"    `check(v)` returns the value to use or nil; `expect` says what it wants
-- `unit` is read into the message ("a number of seconds from ..."), `default` fills an absent option, `required`
-- refuses an absent positional argument (options.argument), `secret` keeps the value out of the message (the token:
-- "got a number", never the number).
--
-- Every message names the option and its valid range, and every raise points at the first stack frame outside this
-- library (options.raise): the line of the user's code that made the mistake, however deep inside the library it
-- was found. The schemas live with the modules that own the options (client.lua, cache.lua, batch.lua, pages.lua,
-- the analysis helpers); the command line reads the same rules for its flags.
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too.

-- The version is the C core's (when it is there: messages are made without it too).
local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, tostring, tonumber, error, pairs, ipairs = type, tostring, tonumber, error, pairs, ipairs
local pcall, setmetatable, assert = pcall, setmetatable, assert
local format, concat, sort = string.format, table.concat, table.sort
local floor, huge = math.floor, math.huge
local math_type = math.type
local getinfo = debug.getinfo

---------------------------------------------------------------------------------------------------------------------
-- Raising at the caller's line.

-- The library's files: every module under <root>/xingtu/ and <root>/xingtu.lua, <root> being where this file was
-- loaded from. Without a file name (loaded from a string) no frame counts as the library's and errors point one
-- level up, as error(msg, 2) would.
local LIB_DIR, LIB_MAIN
do
    local root = (getinfo(1, "S").source or ""):match("^@(.*)/xingtu/options%.lua$")
    if root then LIB_DIR, LIB_MAIN = "@" .. root .. "/xingtu/", "@" .. root .. "/xingtu.lua" end
end

local function is_library(info)
    local what = info.what
    if what == "C" or what == "tail" then return true end -- pcall, table.sort, LuaJIT's tail-call markers
    local src = info.source
    return LIB_DIR ~= nil and (src:sub(1, #LIB_DIR) == LIB_DIR or src == LIB_MAIN)
end

--- The level, as error() counts it from the function that calls caller_level, of the first frame that is neither
--  the library's nor a C function's. 0 when there is none (then error adds no position).
function _M.caller_level()
    local level = 2
    while true do
        local info = getinfo(level + 1, "S")
        if not info then return 0 end
        if not is_library(info) then return level end
        level = level + 1
    end
end

--- Raises `message` at the first frame outside the library (a user's mistake is reported at the user's line).
function _M.raise(message)
    error(message, _M.caller_level())
end

---------------------------------------------------------------------------------------------------------------------
-- Describing values and ranges.

local null -- xingtu.null, looked up on first use (the C core may not be loaded)
local function is_null(v)
    if null == nil then
        local ok, core = pcall(require, "xingtu.core")
        null = ok and core.null or false
    end
    return null and v == null
end

--- A number as the messages show it: exact for integers, shortest round trip else, "nan", "inf", "-inf".
function _M.number_text(v)
    if v ~= v then return "nan" end
    if v == huge then return "inf" end
    if v == -huge then return "-inf" end
    if (math_type and math_type(v) == "integer") or (v == floor(v) and v > -2 ^ 53 and v < 2 ^ 53) then
        return format("%d", v)
    end
    for _, digits in ipairs { 14, 17 } do
        local s = format("%." .. digits .. "g", v)
        if tonumber(s) == v then return s end
    end
    return format("%.17g", v)
end
local number_text = _M.number_text

--- What a value is, for "got ..." in a message. Long strings are not echoed (they may be secrets pasted into the
--  wrong option): only their length.
function _M.describe(v)
    local t = type(v)
    if t == "number" then return number_text(v) end
    if t == "string" then
        if #v <= 40 and not v:find("[%z\1-\31\127]") then return format("%q", v) end
        return format("a string of %d bytes", #v)
    end
    if t == "nil" or t == "boolean" then return tostring(v) end
    if is_null(v) then return "xingtu.null" end
    if t == "userdata" then return "a userdata" end
    if t == "thread" then return "a coroutine" end
    return "a " .. t
end
local describe = _M.describe

local function an(word) return (word:match("^[aeiou]") and "an " or "a ") .. word end

--- What a rule accepts, as the messages and the README say it.
function _M.expected(rule)
    local t = rule[2]
    if t == "number" or t == "integer" then
        local what
        if t == "integer" then
            what = rule.unit and ("a whole number of " .. rule.unit) or "an integer"
        else
            what = rule.unit and ("a number of " .. rule.unit) or "a number"
        end
        return format("%s from %s to %s", what, number_text(rule.min), number_text(rule.max))
    elseif t == "boolean" then
        return "true or false"
    elseif t == "function" then
        return "a function"
    elseif t == "string" then
        return "a non-empty string without NUL bytes"
    elseif t == "enum" then
        local shown = {}
        for i, v in ipairs(rule.values) do shown[i] = format("%q", v) end
        return "one of " .. concat(shown, ", ")
    end
    return rule.expect or an(t)
end

---------------------------------------------------------------------------------------------------------------------
-- Checking.

local function in_range(rule, v)
    return type(v) == "number" and v >= rule.min and v <= rule.max -- NaN fails both comparisons
end

local CHECK = {
    number = function(rule, v) if in_range(rule, v) then return v end end,
    integer = function(rule, v)
        if not in_range(rule, v) or v ~= floor(v) then return nil end
        return math.tointeger and math.tointeger(v) or v
    end,
    boolean = function(_, v) if type(v) == "boolean" then return v end end,
    ["function"] = function(_, v) if type(v) == "function" then return v end end,
    string = function(_, v) if type(v) == "string" and v ~= "" and not v:find("%z") then return v end end,
    enum = function(rule, v)
        for _, allowed in ipairs(rule.values) do
            if v == allowed then return v end
        end
    end,
    custom = function(rule, v) return rule.check(v) end,
}

--- The checked value of `v` for `rule` (numbers normalised: 3.0 -> 3 for integers), or nil when it does not fit.
function _M.value_ok(rule, v)
    local r = CHECK[rule[2]](rule, v)
    if r == nil then return nil end
    return r
end

local Schema = {}
Schema.__index = Schema
_M.Schema = Schema

--- options.schema(where, rules) -> a schema: where names the function in messages ("xingtu.new").
function _M.schema(where, rules)
    local by_name, names = {}, {}
    for i, rule in ipairs(rules) do
        local name, t = rule[1], rule[2]
        assert(type(name) == "string" and CHECK[t], "bad rule " .. i)
        assert(not (t == "number" or t == "integer") or (rule.min and rule.max), name .. ": a range needs min and max")
        assert(t ~= "custom" or (rule.check and rule.expect), name .. ": a custom rule needs check and expect")
        assert(not by_name[name], name .. " twice")
        by_name[name] = rule
        names[#names + 1] = name
    end
    sort(names)
    return setmetatable({ where = where, rules = rules, by_name = by_name, names = names }, Schema)
end

function Schema:rule(name) return self.by_name[name] end

--- The message for a value that does not fit a rule.
function Schema:message(rule, v)
    -- A secret (the token) given in the wrong form is not echoed, not even in part.
    local got = rule.secret and (v == "" and "an empty string" or "a " .. type(v)) or describe(v)
    return format("%s: option %s must be %s, got %s", self.where, rule[1], _M.expected(rule), got)
end

--- schema:value(name, v) -> the checked value (the default when v is nil); raises at the caller's line.
function Schema:value(name, v)
    local rule = self.by_name[name]
    if v == nil then return rule.default end
    local r = _M.value_ok(rule, v)
    if r == nil then _M.raise(self:message(rule, v)) end
    return r
end

--- schema:check(opts) -> a new table of every option's checked value, defaults filled in. opts may be nil; unknown
--  options raise (a misspelt option is a mistake, not a no-op), and so does the first value that does not fit.
function Schema:check(opts)
    if opts == nil then opts = {} end
    if type(opts) ~= "table" then
        _M.raise(format("%s: expected a table of options, got %s", self.where, describe(opts)))
    end
    for key in pairs(opts) do
        if type(key) ~= "string" or not self.by_name[key] then
            _M.raise(format("%s: unknown option %s; valid options: %s", self.where,
                type(key) == "string" and key or describe(key), concat(self.names, ", ")))
        end
    end
    local out = {}
    for _, rule in ipairs(self.rules) do
        out[rule[1]] = self:value(rule[1], opts[rule[1]])
    end
    return out
end

--- options.argument(where, rule, v) -> the checked value of a positional argument (rule.default when v is nil), or
--  raises "<where>: <rule's name> must be <expected>, got <v>" at the caller's line.
function _M.argument(where, rule, v)
    if v == nil and not rule.required then return rule.default end
    local r
    if v ~= nil then r = _M.value_ok(rule, v) end
    if r == nil then
        _M.raise(format("%s: %s must be %s%s, got %s", where, rule[1], _M.expected(rule),
            rule.required and "" or " or nil", describe(v)))
    end
    return r
end

--- options.object_with(...) -> a `check` for a "custom" rule: the value when it is a table or a userdata whose named
--  fields are all functions (its methods), else nil. Looked up under pcall: indexing a userdata without __index
--  (xingtu.null) raises. The shared-store objects of xingtu.new (lock, pace, budget) are checked with it.
function _M.object_with(...)
    local methods = { ... }
    return function(v)
        local t = type(v)
        if t ~= "table" and t ~= "userdata" then return nil end
        for k = 1, #methods do
            local ok, f = pcall(function() return v[methods[k]] end)
            if not ok or type(f) ~= "function" then return nil end
        end
        return v
    end
end

return _M
