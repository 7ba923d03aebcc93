-- `xingtu report <author-id>`: touch distribution as a bar chart (Unicode blocks) and conversion ranges as a table.

local output = require "xingtu.cli.output"
local touch = require "xingtu.touch"
local ranges = require "xingtu.ranges"

local _M = {}

local format, concat, floor = string.format, table.concat, math.floor

local EIGHTHS = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" }

--- A bar of `fraction` (0..1) of `width` cells, in eighths of a cell.
function _M.bar(fraction, width)
    if fraction ~= fraction or fraction < 0 then fraction = 0 end
    if fraction > 1 then fraction = 1 end
    local eighths = floor(fraction * width * 8 + 0.5)
    local full = eighths // 8
    local s = ("█"):rep(full) .. EIGHTHS[eighths % 8 + 1]
    if s == "" and fraction > 0 then s = "▏" end
    return s
end

local function percent(x)
    return format("%.1f%%", (x or 0) * 100)
end

--- The bar chart of the level-1 touchpoints (bars scaled to the largest share) with each one's top children.
function _M.touch_chart(data, opts)
    opts = opts or {}
    local width = opts.width or 30
    local children = opts.children or 3
    local rows = touch.flatten(data)
    local top = touch.top(rows, nil, 1) -- every level-1 row
    if #top == 0 then return "  (no touchpoint data)\n" end
    local max_share, name_w = 0, 0
    for _, r in ipairs(top) do
        if r.share_of_total > max_share then max_share = r.share_of_total end
        local w = output.width(r.name)
        if w > name_w then name_w = w end
    end
    local lines = {}
    for _, r in ipairs(top) do
        local frac = max_share > 0 and r.share_of_total / max_share or 0
        lines[#lines + 1] = format("  %s  %s %6s  %s", output.pad(r.name, name_w),
            output.pad(_M.bar(frac, width), width), percent(r.share_of_total), output.thousands(r.cnt))
        if children > 0 then
            local kids = touch.top(rows, children, { level = 2, list = r.list, parent = r.path })
            if #kids > 0 then
                local parts = {}
                for i, k in ipairs(kids) do parts[i] = format("%s %s", k.name, percent(k.share_of_parent)) end
                lines[#lines + 1] = "  " .. (" "):rep(name_w) .. "  └ " .. concat(parts, " · ")
            end
        end
    end
    return concat(lines, "\n") .. "\n"
end

--- The conversion ranges as an aligned table (min and max with thousands separators or as percentages).
function _M.conversion_table(data)
    local rows = ranges.rows(data)
    if #rows == 0 then return "  (no conversion data)\n" end
    local shown = {}
    for i, r in ipairs(rows) do
        local function side(v)
            if v == nil then return "" end
            if r.unit == "%" then return percent(v) end
            if math.type(v) == "integer" or v == floor(v) then return output.thousands(v) end
            return output.cell(v)
        end
        shown[i] = { field = r.field, range = r.raw, min = side(r.min), max = side(r.max) }
        if r.raw == "-" then shown[i].range = "- (no data)" end
    end
    local text = output.table({ "field", "range", "min", "max" }, shown)
    return (text:gsub("[^\n]+", function(line) return "  " .. line end))
end

--- The whole report text. parts: { author_id, platform, range, touch = data|nil, touch_err, conv = data|nil,
--  conv_err }.
function _M.render(parts)
    local out = {}
    out[#out + 1] = format("Creator %s · %s · %s\n", parts.author_id, parts.platform, parts.range)
    out[#out + 1] = "\nTouchpoints (share of all reached users; └ top sub-categories, share of their parent)\n"
    if parts.touch then
        out[#out + 1] = _M.touch_chart(parts.touch)
    else
        out[#out + 1] = "  unavailable: " .. tostring(parts.touch_err) .. "\n"
    end
    out[#out + 1] = "\nConversion (" .. parts.range .. ")\n"
    if parts.conv then
        out[#out + 1] = _M.conversion_table(parts.conv)
    else
        out[#out + 1] = "  unavailable: " .. tostring(parts.conv_err) .. "\n"
    end
    return concat(out)
end

return _M
