--- The catalogue's facts, derived once from its data (lua/xingtu/endpoints.lua) and read from here by every other
-- module: the client, batches, the cache, page loops, validation, the command line, the sandbox and the README's
-- endpoint table (.ci/endpoint-table).
--
--   local catalogue = require "xingtu.catalogue"
--   catalogue.entries                          -- the entries of endpoints.lua, in its order
--   catalogue.by_name.touch_distribution       -- an entry by method name (the entry itself, not a copy)
--   catalogue.by_path[path]                    -- an entry by path
--   catalogue.names                            -- the method names, sorted
--   catalogue.paged                            -- the methods that take a page parameter, sorted
--   catalogue.id_param.tags                    -- the parameter a positional id fills: the first required id
--   catalogue.page_param.search                -- the page parameter of a paged method
--   catalogue.param(ep, "oAuthorId")           -- a parameter of `ep` by its snake_case or its API name
--   catalogue.by_api.tags.starAuthorId         -- a parameter by its API name only (what the provider reads)
--   catalogue.rules.daily_fans                 -- its cross-field rules (below), an array, empty when none
--   catalogue.defaults.search                  -- { { api, text }, ... }: what the provider assumes when left out
--   catalogue.new(entries)                     -- the same facts for another list (a trial catalogue in a spec)
--
-- Cross-field rules come from the parameters themselves: for every pair of date parameters start_<x> and end_<x>
-- (start_date and end_date), a rule { kind = "not_after", first = <start>, last = <end> }: when both are given the
-- first may not come after the last. validate.lua checks the rules for the client, sandbox/xt_sandbox/validate.lua
-- for the sandbox.
--
-- A catalogue whose entries share a name or a path raises when it is built. Whether an endpoint's name collides
-- with one of the client's own methods is checked where the methods are made (lua/xingtu/client.lua), when that
-- module loads. Pure Lua without dependencies and without Lua 5.4-only syntax: the sandbox loads it in nginx
-- (LuaJIT), where the C core is not there.
-- @module xingtu.catalogue

local has_core, the_core = pcall(require, "xingtu.core")

local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, tostring, ipairs, error = type, tostring, ipairs, error
local format, sort = string.format, table.sort
local math_type = math.type

-- The text the provider reads for a default (a boolean as true/false, an integer without a fraction).
local function default_text(p)
    local d = p.default
    if type(d) == "boolean" then return d and "true" or "false" end
    if (math_type and math_type(d) == "integer") or (not math_type and type(d) == "number" and d == math.floor(d)) then
        return format("%d", d)
    end
    return tostring(d)
end
_M.default_text = default_text

-- Parameters by both of their names, per entry.
local function param_index(ep)
    local index, by_api = {}, {}
    for _, p in ipairs(ep.params) do
        index[p.name] = p
        index[p.api] = p
        by_api[p.api] = p
    end
    return index, by_api
end

-- The first required id parameter: what `xingtu <method> <id>`, a batch of ids and the sandbox's bodies take as
-- the id of the call.
local function first_required_id(ep)
    for _, p in ipairs(ep.params) do
        if p.required and p.type == "id" then return p end
    end
    return nil
end

local function page_of(ep)
    for _, p in ipairs(ep.params) do
        if p.name == "page" then return p end
    end
    return nil
end

-- start_<x> with end_<x>, both dates: the first may not be after the last.
local function rules_of(ep, index)
    local rules = {}
    for _, p in ipairs(ep.params) do
        local rest = p.type == "date" and p.name:match("^start_(.+)$")
        local last = rest and index["end_" .. rest]
        if last and last.type == "date" then
            rules[#rules + 1] = { kind = "not_after", first = p, last = last }
        end
    end
    return rules
end

local function defaults_of(ep)
    local out = {}
    for _, p in ipairs(ep.params) do
        if p.default ~= nil then out[#out + 1] = { p.api, default_text(p) } end
    end
    return out
end

local Catalogue = {}
Catalogue.__index = Catalogue

--- catalogue.new(entries) -> the facts of a list of entries shaped like endpoints.lua's. Raises when two entries
--  share a name or a path.
function _M.new(entries)
    local c = setmetatable({
        entries = entries, by_name = {}, by_path = {}, names = {}, paged = {},
        id_param = {}, page_param = {}, rules = {}, defaults = {}, indexes = {}, by_api = {},
    }, Catalogue)
    for i, ep in ipairs(entries) do
        local name = ep.name
        if type(name) ~= "string" or type(ep.path) ~= "string" or type(ep.params) ~= "table" then
            error(format("xingtu.catalogue: entry %d needs a name, a path and params", i), 2)
        end
        if c.by_name[name] then error(format("xingtu.catalogue: endpoint %s is there twice", name), 2) end
        if c.by_path[ep.path] then
            error(format("xingtu.catalogue: %s and %s have the same path", c.by_path[ep.path].name, name), 2)
        end
        c.by_name[name], c.by_path[ep.path] = ep, ep
        c.names[#c.names + 1] = name
        local index, by_api = param_index(ep)
        c.indexes[name], c.by_api[name] = index, by_api
        c.id_param[name] = first_required_id(ep)
        c.page_param[name] = page_of(ep)
        if c.page_param[name] then c.paged[#c.paged + 1] = name end
        c.rules[name] = rules_of(ep, index)
        c.defaults[name] = defaults_of(ep)
    end
    sort(c.names)
    sort(c.paged)
    return c
end

--- catalogue.param(ep, key) -> the parameter of entry `ep` called `key` (snake_case or API name), or nil.
function Catalogue:param(ep, key)
    local index = self.indexes[ep.name]
    return index and index[key]
end

--- The method names as one line for messages ("audience_distribution, base_info, ..."), in the catalogue's order.
function Catalogue:names_text()
    local list = {}
    for i, ep in ipairs(self.entries) do list[i] = ep.name end
    return table.concat(list, ", ")
end

-- The default catalogue: endpoints.lua's. Its functions are the module's own (catalogue.param(ep, key)).
local default = _M.new(require "xingtu.endpoints")
for key, value in pairs(default) do _M[key] = value end
function _M.param(ep, key) return default:param(ep, key) end
function _M.names_text() return default:names_text() end

return _M
