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
-- `max_pages` pages fetched (default 10; math.huge for no bound), or a page fails (the failure is yielded once as
-- `i, nil, err`). A `break` fetches nothing more. `info` is { page = n, meta = <the page's meta>, list = <name of
-- the item list> }.
--
-- The item list of a page is found by name (list, authors, videos, items, products, records, result) or else as the
-- one array of tables in `data` (the largest when there are several; base_resp and pagination are never items), so
-- endpoints that name their list differently page just as well. pages.items_of(data) exposes that detection.

local _M = { _VERSION = require("xingtu.core").VERSION, DEFAULT_MAX_PAGES = 10 }

local type, pairs, ipairs, error, tostring, format = type, pairs, ipairs, error, tostring, string.format
local setmetatable = setmetatable

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

local function page_param(method)
    local ep = require("xingtu.client").by_name[method]
    if not ep then return nil end
    for _, p in ipairs(ep.params) do
        if p.name == "page" then return p end
    end
    return nil
end

--- pages.paged_methods() -> the catalogue methods that take a page parameter, sorted.
function _M.paged_methods()
    local names = {}
    for name in pairs(require("xingtu.client").by_name) do
        if page_param(name) then names[#names + 1] = name end
    end
    table.sort(names)
    return names
end

local Closer = {}
Closer.__index = Closer
Closer.__close = function(self) self.state.done = true end
function Closer:close() self.state.done = true end

local function step(state, n)
    if state.done then return nil end
    while true do
        local items = state.items
        if items and state.pos < #items then
            state.pos = state.pos + 1
            return n + 1, items[state.pos], state.info
        end
        if state.stop or state.fetched >= state.max_pages then
            state.done = true
            return nil
        end
        local params = {}
        for k, v in pairs(state.params) do params[k] = v end
        params.page = state.page
        state.fetched = state.fetched + 1
        local data, meta = state.client:call(state.method, params)
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

--- pages.iterate(client, method, params, opts) -> iterator, state, nil, closer (see the header).
function _M.iterate(client, method, params, opts)
    if type(method) ~= "string" or not page_param(method) then
        error(format("xingtu.pages: %s is not a paged method; paged methods: %s", tostring(method),
            table.concat(_M.paged_methods(), ", ")), 2)
    end
    params = params or {}
    if type(params) ~= "table" then error("xingtu.pages: params must be a table", 2) end
    opts = opts or {}
    local max_pages = opts.max_pages or _M.DEFAULT_MAX_PAGES
    if type(max_pages) ~= "number" or max_pages < 1 then
        error("xingtu.pages: max_pages must be a number >= 1, got " .. tostring(max_pages), 2)
    end
    local first = params.page or 1
    if math.type and math.type(first) ~= "integer" then first = tonumber(first) end
    if type(first) ~= "number" or first < 1 then error("xingtu.pages: page must be an integer >= 1", 2) end
    local rest = {}
    for k, v in pairs(params) do
        if k ~= "page" then rest[k] = v end
    end
    local state = {
        client = client, method = method, params = rest, page = first, max_pages = max_pages,
        fetched = 0, seen = 0, pos = 0, done = false, stop = false,
    }
    return step, state, 0, setmetatable({ state = state }, Closer)
end

setmetatable(_M, { __call = function(_, ...) return _M.iterate(...) end })

return _M
