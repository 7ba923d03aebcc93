-- Checks a request's query parameters against one catalogue entry (lua/xingtu/endpoints.lua), as the provider does.
-- What the entry's parameters are called and which of them go together (a start date and its end date) are the
-- catalogue's facts (lua/xingtu/catalogue.lua).
--
-- `validate.check(endpoint, params)` takes the parsed query (query.parse, `token` already removed) and returns the
-- arguments by api name with the provider's defaults filled in (all strings), or nil and the message of a code 400.
-- Pure Lua: runs in LuaJIT and in Lua 5.4.

local tostring, tonumber, concat = tostring, tonumber, table.concat

local _M = { _VERSION = "0.1.0" }

local catalogue = require "xingtu.catalogue"
local dates = require "xt_sandbox.dates"

local MAX_PAGE = 10000
local MAX_RANGE_DAYS = 366

local function bad(fmt, ...)
  return nil, "Invalid parameters: " .. fmt:format(...)
end

local function in_list(list, v)
  if not list then return false end
  for i = 1, #list do
    if list[i] == v then return true end
  end
  return false
end

local checks = {}

function checks.id(p, v)
  if not v:match("^%d+$") or #v > 20 then
    return bad("%s must be a numeric id", p.api)
  end
  return v
end

function checks.enum(p, v)
  -- The provider's own default is accepted even where it is an id outside the listed names (liveType 1, range 90).
  if in_list(p.enum, v) or in_list(p.also, v) or v == p.default then return v end
  return bad("%s must be one of %s", p.api, concat(p.enum, ", "))
end

function checks.string(_, v)
  return v
end

function checks.integer(p, v)
  local n = v:match("^%-?%d+$") and #v <= 12 and tonumber(v)
  if not n then
    return bad("%s must be an integer", p.api)
  end
  if p.min and n < p.min then
    return bad("%s must be at least %d", p.api, p.min)
  end
  if p.api == "page" and n > MAX_PAGE then
    return bad("%s must be at most %d", p.api, MAX_PAGE)
  end
  return tostring(n)
end

function checks.boolean(p, v)
  if v == "true" or v == "false" then return v end
  return bad("%s must be true or false", p.api)
end

function checks.date(p, v)
  if not dates.parse(v, p.format) then
    return bad("%s must be a date written %s", p.api, p.format or "YYYY-MM-DD")
  end
  return v
end

-- A start date after its end date, or a range over MAX_RANGE_DAYS: the provider's refusal; nil when they fit.
local function span_error(rule, args)
  local first, last = args[rule.first.api], args[rule.last.api]
  if not (first and last) then return nil end
  local span = dates.days(last, rule.last.format) - dates.days(first, rule.first.format)
  if span < 0 then
    return select(2, bad("%s must not be after %s", rule.first.api, rule.last.api))
  elseif span >= MAX_RANGE_DAYS then
    return select(2, bad("the range from %s to %s must be at most %d days", rule.first.api, rule.last.api,
      MAX_RANGE_DAYS))
  end
  return nil
end

function _M.check(endpoint, params)
  local by_api, given = catalogue.by_api[endpoint.name], {}
  for _, q in ipairs(params) do
    if not by_api[q.key] then
      return bad("unknown parameter %s", q.key)
    end
    if given[q.key] then
      return bad("%s given more than once", q.key)
    end
    given[q.key] = q.value
  end

  local args = {}
  for _, p in ipairs(endpoint.params) do
    local v = given[p.api]
    if v == nil or (v == "" and p.type ~= "string") then
      if p.required then
        return bad("%s is required", p.api)
      end
      if p.default ~= nil then args[p.api] = tostring(p.default) end
    else
      local value, err = checks[p.type](p, v)
      if not value then return nil, err end
      args[p.api] = value
    end
  end

  for _, rule in ipairs(catalogue.rules[endpoint.name]) do
    local why = rule.kind == "not_after" and span_error(rule, args)
    if why then return nil, why end
  end
  return args
end

return _M
