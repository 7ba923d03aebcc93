-- Touchpoint distributions (touch_distribution): flatten the tree, top N at a level, creators side by side.
--
--   local touch = require "xingtu.touch"          -- also xingtu.touch
--   local rows = touch.flatten(data)              -- data: what client:touch_distribution returned
--   for _, r in ipairs(touch.top(rows, 3, 1)) do print(r.name, r.share_of_total) end
--   local m = touch.compare({ { label = "A", data = a }, { label = "B", data = b } }, { level = 1 })
--   -- m.creators = { "A", "B" }, m.rows = { { category = "直播广场", path = {...}, A = 0.42, B = 0.13 }, ... }
--
-- A row is { list, level, path = { l1, l2, l3 }, name, cnt, share_of_parent, share_of_total }. `list` is the name of
-- the list in `data` the row comes from: the documented one is `video_touch`, but every list in `data` whose items
-- carry `distribution_data` is flattened (other platforms may name it differently). Children are any list of a node
-- whose items carry `distribution_data` (`second_distribution`, `three_distribution`, ...), at any depth.
-- Shares are fractions: share_of_parent = cnt / parent's cnt (level 1: / the list's level-1 total), share_of_total =
-- cnt / the list's level-1 total. A zero, missing or non-numeric count counts as 0, and a zero denominator gives a
-- share of 0: never NaN or infinity. Rows come depth first, in the order of the data.

local optschema = require "xingtu.options"

-- The version is the C core's; like the other analysis helpers this module also loads without the core (it works on
-- plain tables, e.g. saved answers), and then has no _VERSION.
local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, ipairs, pairs, tonumber, tostring = type, ipairs, pairs, tonumber, tostring
local sort, concat = table.sort, table.concat
local raise, describe = optschema.raise, optschema.describe

---------------------------------------------------------------------------------------------------------------------
-- Options (raise at the caller's line, naming the option and what it takes). A tree of the provider has three
-- levels; 100 leaves room for deeper ones and still catches a count passed as a level.

local function parent_value(v)
    if type(v) == "string" then return v end
    if type(v) ~= "table" then return nil end
    local n = #v
    for k, name in pairs(v) do
        if type(name) ~= "string" or type(k) ~= "number" or k < 1 or k > n or k ~= math.floor(k) then return nil end
    end
    return v
end

local LEVEL = { "level", "integer", min = 1, max = 100, default = 1 }
local LIST = { "list", "string" }
local PARENT = { "parent", "custom", check = parent_value,
    expect = "a name (the direct parent's) or an array of names (a path from level 1)" }
local METRIC = { "metric", "enum", values = { "share_of_total", "share_of_parent", "cnt" }, default = "share_of_total" }
local TOP_OPTIONS = optschema.schema("xingtu.touch.top", { LEVEL, LIST, PARENT })
local COMPARE_OPTIONS = optschema.schema("xingtu.touch.compare", { LEVEL, LIST, PARENT, METRIC })
local TOP_N = { "n", "integer", min = 0, max = 1000000000 }
_M.TOP_OPTIONS, _M.COMPARE_OPTIONS = TOP_OPTIONS, COMPARE_OPTIONS

local function count_of(node)
    local dd = type(node) == "table" and node.distribution_data
    local cnt = type(dd) == "table" and dd.cnt
    if type(cnt) == "string" then cnt = tonumber(cnt) end
    if type(cnt) ~= "number" or cnt ~= cnt or cnt < 0 or cnt == math.huge then return 0 end
    return cnt
end

local function name_of(node)
    local dd = type(node) == "table" and node.distribution_data
    local name = type(dd) == "table" and dd.name
    if type(name) == "string" then return name end
    if name == nil or type(name) == "userdata" then return "" end
    return tostring(name)
end

-- Is `t` a non-empty array whose first item carries distribution_data?
local function is_distribution_list(t)
    return type(t) == "table" and type(t[1]) == "table" and type(t[1].distribution_data) == "table"
end

local function ratio(a, b)
    if b <= 0 then return 0 end
    local r = a / b
    if r ~= r or r == math.huge or r == -math.huge then return 0 end
    return r
end

-- The keys of `t` holding distribution lists, sorted (deterministic order for nodes with several).
local function child_lists(node)
    local keys = {}
    for k, v in pairs(node) do
        if k ~= "distribution_data" and type(k) == "string" and is_distribution_list(v) then keys[#keys + 1] = k end
    end
    sort(keys)
    return keys
end

local function walk(rows, list_name, nodes, level, parent_path, parent_cnt, total)
    for _, node in ipairs(nodes) do
        if type(node) == "table" then
            local cnt = count_of(node)
            local name = name_of(node)
            local path = {}
            for i, p in ipairs(parent_path) do path[i] = p end
            path[level] = name
            rows[#rows + 1] = {
                list = list_name,
                level = level,
                path = path,
                name = name,
                cnt = cnt,
                share_of_parent = ratio(cnt, parent_cnt),
                share_of_total = ratio(cnt, total),
            }
            for _, key in ipairs(child_lists(node)) do
                walk(rows, list_name, node[key], level + 1, path, cnt, total)
            end
        end
    end
end

--- touch.lists(data) -> array of the names of the lists in `data` whose items carry distribution_data (sorted,
--  `video_touch` first).
function _M.lists(data)
    local names = {}
    if type(data) ~= "table" then return names end
    for k, v in pairs(data) do
        if type(k) == "string" and is_distribution_list(v) then names[#names + 1] = k end
    end
    sort(names, function(a, b)
        if a == "video_touch" or b == "video_touch" then return a == "video_touch" and b ~= "video_touch" end
        return a < b
    end)
    return names
end

--- touch.flatten(data) -> rows (see the header). Anything that is not a distribution is skipped; `data` may be
--  nil or xingtu.null (no rows).
function _M.flatten(data)
    local rows = {}
    for _, list_name in ipairs(_M.lists(data)) do
        local list = data[list_name]
        local total = 0
        for _, node in ipairs(list) do total = total + count_of(node) end
        walk(rows, list_name, list, 1, {}, total, total)
    end
    return rows
end

local function as_rows(rows_or_data)
    if type(rows_or_data) ~= "table" then return {} end
    local first = rows_or_data[1]
    if type(first) == "table" and first.level ~= nil and first.path ~= nil then return rows_or_data end
    if #rows_or_data == 0 and next(rows_or_data) == nil then return rows_or_data end
    return _M.flatten(rows_or_data)
end

--- The key of a row's path up to `level`: its names joined by " / " (how the CLI labels a node).
-- @function path_key
-- @tparam table path a row's path (an array of names)
-- @tparam integer level how many names
-- @treturn string
local function path_key(path, level)
    local parts = {}
    for i = 1, level do parts[i] = path[i] or "" end
    return concat(parts, " / ")
end
_M.path_key = path_key

-- Does row r match opts { level, list, parent }? parent is a name (the direct parent's) or a path array prefix.
local function matches(r, level, opts)
    if r.level ~= level then return false end
    if opts.list and r.list ~= opts.list then return false end
    local parent = opts.parent
    if type(parent) == "string" then
        if r.path[level - 1] ~= parent then return false end
    elseif type(parent) == "table" then
        for i, p in ipairs(parent) do
            if r.path[i] ~= p then return false end
        end
    end
    return true
end

--- touch.top(rows_or_data, n, level_or_opts) -> the n rows with the largest cnt at a level (default 1), largest
--  first, ties in data order. opts: { level = 1, list = "video_touch", parent = "直播广场" or { "直播广场", "游戏" } }.
function _M.top(rows_or_data, n, opts)
    n = optschema.argument("xingtu.touch.top", TOP_N, n)
    if type(opts) == "number" then
        opts = { level = optschema.argument("xingtu.touch.top", LEVEL, opts) }
    elseif opts ~= nil and type(opts) ~= "table" then
        raise("xingtu.touch.top: the third argument must be a level (an integer from 1 to 100) or a table of "
            .. "options, got " .. describe(opts))
    end
    opts = TOP_OPTIONS:check(opts)
    local level = opts.level
    local picked = {}
    for i, r in ipairs(as_rows(rows_or_data)) do
        if matches(r, level, opts) then picked[#picked + 1] = { r, i } end
    end
    sort(picked, function(a, b)
        if a[1].cnt ~= b[1].cnt then return a[1].cnt > b[1].cnt end
        return a[2] < b[2]
    end)
    local out = {}
    for i = 1, math.min(n or #picked, #picked) do out[i] = picked[i][1] end
    return out
end

--- touch.compare(creators, opts) -> matrix of shares, categories × creators.
--  creators: an array of { label = "...", data = <touch data or rows> }, or a table label -> data (labels sorted).
--  opts: level (default 1), metric ("share_of_total" default, "share_of_parent" or "cnt"), list (default: every).
--  Returns { creators = { labels }, categories = { keys }, rows = { { category = key, path = {...}, [label] = value,
--  ... } }, value = function(category, label) }. A category is the path down to `level` joined with " / "; a creator
--  without it gets 0. Rows are ordered by the sum over creators, largest first (ties: first seen first).
function _M.compare(creators, opts)
    opts = COMPARE_OPTIONS:check(opts)
    local level = opts.level
    local metric = opts.metric
    local list = {}
    if type(creators) ~= "table" then
        raise("xingtu.touch.compare: creators must be a table, got " .. describe(creators))
    end
    if creators[1] ~= nil then
        for i, c in ipairs(creators) do
            if type(c) ~= "table" or c.label == nil then
                raise("xingtu.touch.compare: creators[" .. i .. "] must be { label = , data = }")
            end
            list[i] = { label = tostring(c.label), data = c.data }
        end
    else
        for label, data in pairs(creators) do list[#list + 1] = { label = tostring(label), data = data } end
        sort(list, function(a, b) return a.label < b.label end)
    end
    local labels, categories, rows_by_key, totals, first_seen = {}, {}, {}, {}, {}
    for ci, c in ipairs(list) do
        labels[ci] = c.label
        for _, r in ipairs(as_rows(c.data)) do
            if matches(r, level, opts) then
                local key = path_key(r.path, level)
                local row = rows_by_key[key]
                if not row then
                    local path = {}
                    for i = 1, level do path[i] = r.path[i] end
                    row = { category = key, path = path }
                    rows_by_key[key] = row
                    categories[#categories + 1] = key
                    first_seen[key] = #categories
                    totals[key] = 0
                end
                local v = r[metric] or 0
                row[c.label] = (row[c.label] or 0) + v
                totals[key] = totals[key] + v
            end
        end
    end
    local rows = {}
    for i, key in ipairs(categories) do
        local row = rows_by_key[key]
        for _, label in ipairs(labels) do
            if row[label] == nil then row[label] = 0 end
        end
        rows[i] = row
    end
    sort(rows, function(a, b)
        local ta, tb = totals[a.category], totals[b.category]
        if ta ~= tb then return ta > tb end
        return first_seen[a.category] < first_seen[b.category]
    end)
    local ordered = {}
    for i, row in ipairs(rows) do ordered[i] = row.category end
    return {
        creators = labels,
        categories = ordered,
        rows = rows,
        value = function(category, label)
            local row = rows_by_key[category]
            return row and row[label] or 0
        end,
    }
end

return _M
