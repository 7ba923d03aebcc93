-- Creators side by side: the endpoints an evaluation needs, fetched as one batch and joined into one tidy table.
--
--   local rows, report = xingtu.compare(client, { "6976442543234760712", "7012345678901234567" }, opts)
--   xingtu.query(rows):sort("cpm_low"):write_csv("shortlist.csv")
--
-- opts: methods (an array of the evaluation methods below; default DEFAULT_METHODS), platform (for the methods
-- that take one), concurrency (the batch's), long (true: rows are one per (creator, metric) instead of one per
-- creator), touch_level (default 1).
--
-- rows: an array of flat tables, column name -> value, ids as strings. A creator whose call failed keeps its row
-- (the columns of that method are nil) and the failure is in report.failures: every id gets exactly one row.
-- report (what renderers read; the HTML report draws from it):
--   columns      { { name =, label =, kind = "id"|"text"|"integer"|"number"|"share"|"money" }, ... } display order
--   rows         the rows above (wide, even with long = true: renderers draw from one shape)
--   long_columns the columns of the long rows (o_author_id, nickname, metric, label, kind, value)
--   creators     { { id =, name = }, ... } in input order
--   touch        { [id] = { { channel = <level-1 name>, share = <0..1> }, ... } } largest first
--   ranges       { [id] = { { metric =, label =, low =, high =, unit = }, ... } }
--   record_times { [id] = <the newest recordTime of its answers, or nil> }
--   request_ids  { <strings> } of every answer, in the order of the batch
--   failures     { { id =, method =, kind =, message = }, ... }
--
-- Columns and their formulas (a figure is nil where one of its inputs is missing or zero):
--   o_author_id, nickname, followers, grade, category     the card (side_info; base_info has no price)
--   price_low, price_high       side_info.price_range "a-b" (yuan, one 1-20s video)
--   expected_play               side_info.expected_play (plays one video is expected to get)
--   interact_rate               side_info.interact_rate (share)
--   cpm_low, cpm_high           price_low|high / expected_play * 1000: yuan per 1,000 expected plays
--   cpe_low, cpe_high           price_low|high / (expected_play * interact_rate): yuan per expected interaction
--   price_per_1k_followers      price_low / followers * 1000
--   touch_<channel>             touch_distribution: the level-1 channel's count / the sum of level-1 counts
--   <field>_low, <field>_high   convert_ability: each *_range field ("2.5w-12.6w") as numbers (xingtu.ranges);
--                               percentages as fractions
--   aud_<type>_top, aud_<type>_top_share   audience_distribution: each distribution's largest item and its share
--                               (value / the sum of the distribution's values)
--   fans_<type>_top, ..._share  the same from fans_distribution
--   cost_<field>                cost_performance's numeric fields (cpm, cpe, cpv, ...), as the provider gives them
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too.

local optschema = require "xingtu.options"
local touch = require "xingtu.touch"
local ranges = require "xingtu.ranges"

local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, ipairs, pairs, tostring, tonumber = type, ipairs, pairs, tostring, tonumber
local format, concat, sort = string.format, table.concat, table.sort
local raise, describe = optschema.raise, optschema.describe

-- The methods an evaluation can take, each with what it adds to a creator's row.
local EXTRACT = {}
_M.DEFAULT_METHODS = { "side_info", "touch_distribution", "convert_ability", "audience_distribution" }
_M.METHODS = { "audience_distribution", "base_info", "channel_info", "convert_ability", "cost_performance",
    "fans_distribution", "side_info", "touch_distribution" }

local function num(v)
    if type(v) == "string" then v = tonumber(v) end
    if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then return nil end
    return v
end

local function text(v)
    if type(v) == "string" then return v end
    if type(v) == "number" then return tostring(v) end
    return nil
end

-- A report under construction: columns added once, in the order first seen within each group.
local function add_column(R, group, name, label, kind)
    if R.seen[name] then return end
    R.seen[name] = true
    local g = R.groups[group]
    g[#g + 1] = { name = name, label = label or name, kind = kind }
end

local function card(R, row, id, data)
    local name = text(data.nick_name)
    if name then row.nickname = name end
    R.names[id] = R.names[id] or name
    local followers = num(data.follower)
    if followers then
        row.followers = followers
        add_column(R, "card", "followers", "粉丝数 followers", "integer")
    end
    if text(data.grade) then
        row.grade = text(data.grade)
        add_column(R, "card", "grade", "等级 grade", "text")
    end
    if text(data.content_category) then
        row.category = text(data.content_category)
        add_column(R, "card", "category", "类目 category", "text")
    end
    local price = ranges.parse(data.price_range)
    if price and (price.min or price.max) then
        row.price_low, row.price_high = price.min, price.max
        add_column(R, "card", "price_low", "报价下限 price low", "money")
        add_column(R, "card", "price_high", "报价上限 price high", "money")
    end
    local play = num(data.expected_play)
    if play then
        row.expected_play = play
        add_column(R, "card", "expected_play", "预期播放 expected plays", "integer")
    end
    local rate = num(data.interact_rate)
    if rate then
        row.interact_rate = rate
        add_column(R, "card", "interact_rate", "互动率 interaction rate", "share")
    end
end

EXTRACT.side_info = card
EXTRACT.base_info = card

EXTRACT.channel_info = function(R, row, _, data)
    local ch = type(data.channel) == "table" and data.channel or {}
    for _, f in ipairs { "avg_play", "avg_like", "avg_comment", "avg_share", "item_cnt_30d" } do
        local v = num(ch[f])
        if v then
            row["channel_" .. f] = v
            add_column(R, "channel", "channel_" .. f, "channel " .. f, "integer")
        end
    end
    local rate = num(ch.interact_rate)
    if rate then
        row.channel_interact_rate = rate
        add_column(R, "channel", "channel_interact_rate", "channel interact_rate", "share")
    end
    if row.followers == nil and num(ch.fans_cnt) then row.followers = num(ch.fans_cnt) end
end

EXTRACT.touch_distribution = function(R, row, id, data, opts)
    local list = {}
    for _, r in ipairs(touch.top(data, nil, { level = opts.touch_level })) do
        local key = touch.path_key(r.path, opts.touch_level)
        list[#list + 1] = { channel = key, share = r.share_of_total }
        local col = "touch_" .. key
        row[col] = (row[col] or 0) + r.share_of_total
        R.touch_totals[col] = (R.touch_totals[col] or 0) + r.share_of_total
        if not R.seen[col] then
            R.seen[col] = true
            R.touch_cols[#R.touch_cols + 1] = { name = col, label = "触点 " .. key, kind = "share" }
        end
    end
    R.touch[id] = list
end

EXTRACT.convert_ability = function(R, row, id, data)
    local list = {}
    for _, r in ipairs(ranges.rows(data)) do
        local metric = r.field:gsub("_range$", "")
        local kind = r.unit == "%" and "share" or "number"
        list[#list + 1] = { metric = metric, label = r.field, low = r.min, high = r.max, unit = r.unit, raw = r.raw }
        row[metric .. "_low"], row[metric .. "_high"] = r.min, r.max
        add_column(R, "convert", metric .. "_low", metric .. " low", kind)
        add_column(R, "convert", metric .. "_high", metric .. " high", kind)
    end
    R.ranges[id] = list
end

local function profile(prefix, group)
    return function(R, row, _, data)
        local dists = type(data.distributions) == "table" and data.distributions or {}
        for _, d in ipairs(dists) do
            local kind = text(type(d) == "table" and d.type)
            local items = kind and type(d.distribution_list) == "table" and d.distribution_list
            if items then
                local total, best, best_v = 0, nil, -1
                for _, it in ipairs(items) do
                    local v = type(it) == "table" and num(it.value) or nil
                    if v and v >= 0 then
                        total = total + v
                        if v > best_v then best, best_v = text(it.name), v end
                    end
                end
                if best and total > 0 then
                    local col = prefix .. kind .. "_top"
                    local label = text(d.type_display) or kind
                    row[col], row[col .. "_share"] = best, best_v / total
                    add_column(R, group, col, label .. " top", "text")
                    add_column(R, group, col .. "_share", label .. " top share", "share")
                end
            end
        end
    end
end
EXTRACT.audience_distribution = profile("aud_", "audience")
EXTRACT.fans_distribution = profile("fans_", "fans")

EXTRACT.cost_performance = function(R, row, _, data)
    local keys = {}
    for k, v in pairs(data) do
        if type(k) == "string" and k ~= "base_resp" and num(v) then keys[#keys + 1] = k end
    end
    sort(keys)
    for _, k in ipairs(keys) do
        row["cost_" .. k] = num(data[k])
        add_column(R, "cost", "cost_" .. k, "cost " .. k, "number")
    end
end

-- The efficiency figures (formulas in the header), from what the card gave.
local function derive(R, row)
    local play, followers, rate = row.expected_play, row.followers, row.interact_rate
    local function per(price, denom, scale)
        if price == nil or denom == nil or denom <= 0 then return nil end
        return price / denom * scale
    end
    local figures = {
        { "cpm_low", "千次播放成本 low (price_low/expected_play*1000)", per(row.price_low, play, 1000) },
        { "cpm_high", "千次播放成本 high (price_high/expected_play*1000)", per(row.price_high, play, 1000) },
        { "cpe_low", "互动成本 low (price_low/(expected_play*interact_rate))",
            per(row.price_low, play and rate and play * rate, 1) },
        { "cpe_high", "互动成本 high (price_high/(expected_play*interact_rate))",
            per(row.price_high, play and rate and play * rate, 1) },
        { "price_per_1k_followers", "千粉报价 (price_low/followers*1000)", per(row.price_low, followers, 1000) },
    }
    for _, f in ipairs(figures) do
        if f[3] ~= nil then
            row[f[1]] = f[3]
            add_column(R, "derived", f[1], f[2], "money")
        end
    end
end

---------------------------------------------------------------------------------------------------------------------
-- Arguments.

local function check_ids(ids)
    if type(ids) ~= "table" then
        raise("xingtu.compare: ids must be an array of creator ids (o_author_id, strings of digits), got "
            .. describe(ids))
    end
    local out, seen = {}, {}
    for i, id in ipairs(ids) do
        local s = id
        if math.type and math.type(id) == "integer" then s = format("%d", id) end
        if type(s) ~= "string" or not s:match("^%d+$") then
            raise(format("xingtu.compare: ids[%d] must be a creator id (o_author_id, a string of digits), got %s",
                i, describe(id)))
        end
        -- one answer per creator and method: a repeated id would buy the same answers twice
        if not seen[s] then
            seen[s] = true
            out[#out + 1] = s
        end
    end
    if #out == 0 then raise("xingtu.compare: ids must hold at least one creator id, got an empty array") end
    return out
end

local METHOD_SET = {}
for _, m in ipairs(_M.METHODS) do METHOD_SET[m] = true end

local function check_methods(methods)
    if methods == nil then return _M.DEFAULT_METHODS end
    if type(methods) == "string" then
        local list = {}
        for m in methods:gmatch("[^,%s]+") do list[#list + 1] = m end
        methods = list
    end
    if type(methods) ~= "table" or #methods == 0 then
        raise("xingtu.compare: option methods must be an array of " .. concat(_M.METHODS, ", ") .. ", got "
            .. describe(methods))
    end
    local out, seen = {}, {}
    for i, m in ipairs(methods) do
        if not METHOD_SET[m] then
            raise(format("xingtu.compare: option methods[%d] must be one of %s, got %s", i,
                concat(_M.METHODS, ", "), describe(m)))
        end
        if not seen[m] then
            seen[m] = true
            out[#out + 1] = m
        end
    end
    return out
end

local OPTIONS = optschema.schema("xingtu.compare", {
    { "methods", "custom", check = function(v) return v end, expect = "an array of method names" },
    { "platform", "enum", values = { "SHORT_VIDEO", "LIVE_STREAMING", "PICTURE_TEXT", "SHORT_DRAMA" } },
    { "concurrency", "integer", min = 1, max = has_core and the_core.limits.concurrency_cap or 256 },
    { "long", "boolean", default = false },
    { "touch_level", "integer", min = 1, max = 3, default = 1 },
    { "on_progress", "function" },
})
_M.OPTIONS = OPTIONS

-- Which methods take a platform parameter (from the catalogue, so a new one needs no edit here).
local function takes(method, param)
    local ok, catalogue = pcall(require, "xingtu.catalogue")
    local ep = ok and catalogue.by_name[method]
    if not ep then return false end
    for _, p in ipairs(ep.params or {}) do
        if p.name == param then return true end
    end
    return false
end

---------------------------------------------------------------------------------------------------------------------
-- The long shape: one row per (creator, metric), from the wide rows and the columns.

local LONG_COLUMNS = {
    { name = "o_author_id", label = "o_author_id", kind = "id" },
    { name = "nickname", label = "nickname", kind = "text" },
    { name = "metric", label = "metric", kind = "text" },
    { name = "label", label = "label", kind = "text" },
    { name = "kind", label = "kind", kind = "text" },
    { name = "value", label = "value", kind = "number" }, -- a number, or text where the metric is text
}
_M.LONG_COLUMNS = LONG_COLUMNS

--- compare.long(rows, columns) -> rows of { o_author_id, nickname, metric, label, kind, value }, the metrics a
--  creator has (nil values left out), in the columns' order.
function _M.long(rows, columns)
    local out = {}
    for _, row in ipairs(rows) do
        for _, c in ipairs(columns) do
            if c.name ~= "o_author_id" and c.name ~= "nickname" and row[c.name] ~= nil then
                out[#out + 1] = { o_author_id = row.o_author_id, nickname = row.nickname, metric = c.name,
                    label = c.label, kind = c.kind, value = row[c.name] }
            end
        end
    end
    return out
end

---------------------------------------------------------------------------------------------------------------------

--- compare.compare(client, ids, opts) -> rows, report (see the header). Misuse raises before anything is sent;
--  provider failures are in report.failures, never raised.
function _M.compare(client, ids, opts)
    if type(client) ~= "table" or type(client.batch) ~= "function" then
        raise("xingtu.compare: client must be a client (xingtu.new{...}), got " .. describe(client))
    end
    ids = check_ids(ids)
    if opts ~= nil and type(opts) ~= "table" then
        raise("xingtu.compare: opts must be a table of options, got " .. describe(opts))
    end
    local methods = check_methods(opts and opts.methods)
    opts = OPTIONS:check(opts)

    local requests, index = {}, {}
    for _, id in ipairs(ids) do
        for _, m in ipairs(methods) do
            local params = { o_author_id = id }
            if opts.platform and takes(m, "platform") then params.platform = opts.platform end
            requests[#requests + 1] = { m, params }
            index[#requests] = { id, m }
        end
    end
    local results = client:batch(requests, { concurrency = opts.concurrency, on_progress = opts.on_progress })

    local R = {
        seen = { o_author_id = true, nickname = true },
        groups = { card = {}, channel = {}, cost = {}, derived = {}, convert = {}, audience = {}, fans = {} },
        touch_cols = {}, touch_totals = {}, names = {},
        touch = {}, ranges = {}, record_times = {}, request_ids = {}, failures = {},
    }
    local by_id = {}
    for _, id in ipairs(ids) do by_id[id] = { o_author_id = id } end
    -- The card methods first, whatever the order of `methods`: the name and followers come from them.
    local order = {}
    for i = 1, #results do order[i] = i end
    local rank = { side_info = 1, base_info = 2 }
    sort(order, function(a, b)
        local ra, rb = rank[index[a][2]] or 3, rank[index[b][2]] or 3
        if ra ~= rb then return ra < rb end
        return a < b
    end)
    for _, i in ipairs(order) do
        local id, m = index[i][1], index[i][2]
        local res = results[i]
        local row = by_id[id]
        if res.err then
            local e = res.err
            R.failures[#R.failures + 1] = { id = id, method = m, kind = type(e) == "table" and e.kind or "error",
                message = tostring(type(e) == "table" and (e.message or e) or e) }
        else
            local meta = res.meta or {}
            if type(meta.request_id) == "string" then R.request_ids[#R.request_ids + 1] = meta.request_id end
            local rt = meta.record_time
            if type(rt) == "string" and (R.record_times[id] == nil or rt > R.record_times[id]) then
                R.record_times[id] = rt
            end
            if type(res.data) == "table" then EXTRACT[m](R, row, id, res.data, opts) end
        end
    end

    local rows, creators = {}, {}
    for i, id in ipairs(ids) do
        local row = by_id[id]
        if row.nickname == nil then row.nickname = R.names[id] end
        derive(R, row)
        rows[i] = row
        creators[i] = { id = id, name = row.nickname }
    end
    -- Touch columns: every creator has one for every channel (0 where it has none), largest overall first.
    sort(R.touch_cols, function(a, b)
        local ta, tb = R.touch_totals[a.name], R.touch_totals[b.name]
        if ta ~= tb then return ta > tb end
        return a.name < b.name
    end)
    for _, row in ipairs(rows) do
        if R.touch[row.o_author_id] then
            for _, c in ipairs(R.touch_cols) do
                if row[c.name] == nil then row[c.name] = 0 end
            end
        end
    end

    local columns = {
        { name = "o_author_id", label = "o_author_id", kind = "id" },
        { name = "nickname", label = "昵称 nickname", kind = "text" },
    }
    local function append(list)
        for _, c in ipairs(list) do columns[#columns + 1] = c end
    end
    append(R.groups.card)
    append(R.groups.channel)
    append(R.groups.derived)
    append(R.groups.cost)
    append(R.touch_cols)
    append(R.groups.convert)
    append(R.groups.audience)
    append(R.groups.fans)

    local report = {
        columns = columns, rows = rows, long_columns = LONG_COLUMNS, creators = creators,
        touch = R.touch, ranges = R.ranges, record_times = R.record_times, request_ids = R.request_ids,
        failures = R.failures, methods = methods,
    }
    if opts.long then return _M.long(rows, columns), report end
    return rows, report
end

--- The column names of report.columns, in order (for xingtu.query's select and the CSV header).
function _M.column_names(columns)
    local names = {}
    for i, c in ipairs(columns) do names[i] = c.name end
    return names
end

return _M
