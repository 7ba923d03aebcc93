-- The comparison report's shape (lua/xingtu/html.lua renders it) for one creator, from that creator's two answers:
--
--   local rep = require("xingtu.report.creator").build {
--       author_id = "7...", name = nil,                       -- name: when a caller has it (report has no name call)
--       touch = data|nil, touch_meta = meta|nil, touch_err = err|nil,
--       conv = data|nil, conv_meta = meta|nil, conv_err = err|nil }
--
-- Columns: the id, the name, each level-1 touchpoint's share of all reached users (kind share) and each conversion
-- range as a low and a high number (kind share for percentages, number otherwise). A range the provider reports as
-- "-" (no data) is an empty pair. Pure Lua, also under LuaJIT.

local touch = require "xingtu.touch"
local ranges = require "xingtu.ranges"

local _M = {}

local ipairs, tostring = ipairs, tostring

local function label_of(field)
    return (field:gsub("_range$", ""):gsub("_", " "))
end

function _M.build(parts)
    local id = tostring(parts.author_id)
    local name = parts.name
    local columns = { { name = "o_author_id", label = "id", kind = "id" }, { name = "nickname", label = "name",
        kind = "text" } }
    local row = { o_author_id = id, nickname = name or id }
    local rep = { columns = columns, rows = { row }, creators = { { id = id, name = name or id } }, touch = {},
        ranges = {}, record_times = {}, request_ids = {}, failures = {} }
    if parts.touch then
        local shares = {}
        for _, r in ipairs(touch.top(touch.flatten(parts.touch), nil, 1)) do
            shares[#shares + 1] = { channel = r.name, share = r.share_of_total }
            local col = "touch_" .. r.name
            columns[#columns + 1] = { name = col, label = r.name, kind = "share" }
            row[col] = r.share_of_total
        end
        rep.touch[id] = shares
    end
    if parts.conv then
        local list = {}
        for _, r in ipairs(ranges.rows(parts.conv)) do
            local label = label_of(r.field)
            local kind = r.unit == "%" and "share" or "number"
            list[#list + 1] = { metric = r.field, label = label, low = r.min, high = r.max, unit = r.unit, raw = r.raw }
            columns[#columns + 1] = { name = r.field .. "_low", label = label .. " low", kind = kind }
            columns[#columns + 1] = { name = r.field .. "_high", label = label .. " high", kind = kind }
            row[r.field .. "_low"], row[r.field .. "_high"] = r.min, r.max
        end
        rep.ranges[id] = list
    end
    for _, m in ipairs { { parts.touch_meta, parts.touch_err, "touch_distribution" },
        { parts.conv_meta, parts.conv_err, "convert_ability" } } do
        local meta, err = m[1], m[2]
        if meta and meta.request_id then rep.request_ids[#rep.request_ids + 1] = meta.request_id end
        if meta and meta.record_time and not rep.record_times[id] then rep.record_times[id] = meta.record_time end
        if err then
            rep.failures[#rep.failures + 1] = { id = id, method = m[3], kind = err.kind or "error",
                message = err.message or tostring(err) }
            if err.request_id then rep.request_ids[#rep.request_ids + 1] = err.request_id end
        end
    end
    return rep
end

return _M
