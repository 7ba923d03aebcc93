-- Items across the pages of a paged endpoint (search, homepage_videos, convert_resources). Each page is a billed call.
--
--   for i, item, info in client:pages("search", { keyword = "美食" }, { max_pages = 3 }) do
--       if not item then error(tostring(info)) end      -- a page failed: info is the error, and the loop ends
--       print(i, info.page, item.nick_name)
--   end
--   -- also xingtu.pages(client, method, params, opts)
--
-- Pages are fetched one at a time, starting at params.page (default 1), until one of: the page has no items, the
-- page says there is no more (pagination.has_more == false, or as many items seen as pagination.total_count),
-- `max_pages` pages fetched (default 10, at most 10,000: every page is billed), or a page fails (the failure is
-- yielded once as `i, nil, err`). A `break` fetches nothing more. `info` is { page = n, meta = <the page's meta>,
-- list = <name of the item list> }. Every parameter is checked when the loop starts, before any page is fetched.
--
-- The item list of a page is found by name (list, authors, videos, items, products, records, result) or else as the
-- one array of tables in `data` (the largest when there are several; base_resp and pagination are never items), so
-- endpoints that name their list differently page just as well. pages.items_of(data) exposes that detection.
--
-- The loop fetches through a source the client hands it (Client:pages, lua/xingtu/client.lua): { fetch =
-- function(params) -> data, meta | nil, err, closed = function() -> whether the client was closed }. Which methods
-- page, and their page parameter, are the catalogue's (lua/xingtu/catalogue.lua).

local catalogue = require "xingtu.catalogue"
local optschema = require "xingtu.options"
local validate = require "xingtu.validate"

local _M = { _VERSION = require("xingtu.core").VERSION, DEFAULT_MAX_PAGES = 10, MAX_PAGES = 10000 }

local type, pairs, ipairs, tostring, tonumber, format = type, pairs, ipairs, tostring, tonumber, string.format
local setmetatable, getmetatable, pcall = setmetatable, getmetatable, pcall

local KNOWN = { "list", "authors", "videos", "items", "products", "records", "result", "data" }
local NOT_ITEMS = { base_resp = true, pagination = true, page_info = true, extra = true }

local function is_array_of_tables(v)
    return type(v) == "table" and type(v[1]) == "table"
end

--- pages.items_of(data) -> items (an array, possibly empty), the list's name (nil when none was found).
function _M.items_of(data)
    if type(data) ~= "table" then return {}, nil end
    for _, name in ipairs(KNOWN) do
        local v = data[name]
        if type(v) == "table" and (v[1] ~= nil or next(v) == nil) then return v, name end
    end
    local best, best_name
    for k, v in pairs(data) do
        if type(k) == "string" and not NOT_ITEMS[k] and is_array_of_tables(v) then
            if not best or #v > #best or (#v == #best and k < best_name) then best, best_name = v, k end
        end
    end
    if best then return best, best_name end
    return {}, nil
end

-- Whether the page says nothing comes after it.
local function last_page(data, seen)
    if type(data) ~= "table" then return true end
    local p = data.pagination or data.page_info
    if type(p) ~= "table" then p = data end
    if p.has_more == false or p.hasMore == false then return true end
    local total = p.total_count or p.total
    if type(total) == "number" and seen >= total then return true end
    return false
end

--- pages.paged_methods() -> the catalogue methods that take a page parameter, sorted.
function _M.paged_methods()
    local names = {}
    for i, name in ipairs(catalogue.paged) do names[i] = name end
    return names
end

local State = {} -- the metatable of an iteration's state, so that step knows it was given one

local Closer = {}
Closer.__index = Closer
Closer.__close = function(self) self.state.done = true end
function Closer:close() self.state.done = true end

local function step(state, n)
    if getmetatable(state) ~= State then
        -- the iterator alone, without what came with it (local it = client:pages(...); it()): say how to call it
        optschema.raise("xingtu.pages: the iterator's state (its first argument) must be the second value "
            .. "client:pages returned, got " .. optschema.describe(state) .. "; use `for i, item, info in "
            .. "client:pages(...)` or xingtu.query(client:pages(...)), which take all its values")
    end
    if state.done then return nil end
    while true do
        local items = state.items
        if items and state.pos < #items then
            state.pos = state.pos + 1
            return n + 1, items[state.pos], state.info
        end
        -- Past the provider's last possible page (page is an int32) there is nothing to fetch.
        if state.stop or state.fetched >= state.max_pages or state.page > 2147483647 then
            state.done = true
            return nil
        end
        if state.source.closed() then
            state.done = true
            optschema.raise("xingtu.pages: the client was closed while its pages were read")
        end
        local params = {}
        for k, v in pairs(state.params) do params[k] = v end
        params.page = state.page
        state.fetched = state.fetched + 1
        local data, meta = state.source.fetch(params)
        if data == nil then
            state.done = true
            return n + 1, nil, meta
        end
        local list, name = _M.items_of(data)
        state.seen = state.seen + #list
        state.items, state.pos = list, 0
        state.info = { page = state.page, meta = meta, list = name }
        state.page = state.page + 1
        if #list == 0 then
            state.done = true
            return nil
        end
        state.stop = last_page(data, state.seen)
    end
end

local OPTIONS = optschema.schema("xingtu.pages", {
    { "max_pages", "integer", min = 1, max = _M.MAX_PAGES, default = _M.DEFAULT_MAX_PAGES },
})
_M.OPTIONS = OPTIONS

--- pages.iterate(client, method, params, opts) -> iterator, state, nil, closer (see the header): the same as
--  client:pages(method, params, opts).
function _M.iterate(client, method, params, opts)
    if type(client) ~= "table" or type(client.pages) ~= "function" then
        optschema.raise("xingtu.pages: expected a client (xingtu.new{...}), got " .. optschema.describe(client))
    end
    return client:pages(method, params, opts)
end

--- pages.loop(source, method, params, opts) -> iterator, state, nil, closer over `source` (see the header): what
--  Client:pages returns. Raises on misuse, at the caller's line, before any page is fetched.
function _M.loop(source, method, params, opts)
    local raise = optschema.raise
    local p = type(method) == "string" and catalogue.page_param[method]
    if not p then
        raise(format("xingtu.pages: %s is not a paged method; paged methods: %s",
            type(method) == "string" and method or optschema.describe(method),
            table.concat(_M.paged_methods(), ", ")))
    end
    if params == nil then params = {} end
    if type(params) ~= "table" then
        raise("xingtu.pages: params must be a table, got " .. optschema.describe(params))
    end
    local max_pages = OPTIONS:check(opts).max_pages
    -- Every parameter, the first page included, is checked now: a mistake raises here, not at the first page.
    local ep = catalogue.by_name[method]
    local ok, err = pcall(validate.query, ep, params, -1)
    if not ok then raise("xingtu.pages: " .. tostring(err)) end
    local first = 1
    for key, v in pairs(params) do
        if key == p.name or key == p.api then first = tonumber(v) end
    end
    local rest = {}
    for k, v in pairs(params) do
        if k ~= p.name and k ~= p.api then rest[k] = v end
    end
    local state = setmetatable({
        source = source, params = rest, page = first, max_pages = max_pages,
        fetched = 0, seen = 0, pos = 0, done = false, stop = false,
    }, State)
    return step, state, 0, setmetatable({ state = state }, Closer)
end

setmetatable(_M, { __call = function(_, ...) return _M.iterate(...) end })

return _M
