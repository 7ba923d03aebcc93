-- A short creator report: where the audience is reached (touchpoints) and how the creator converts.
--
-- Against the bundled sandbox, from the repository root:   bash bin/report 6976442543234760712
-- Against the real API (two billed calls):                  JUSTONEAPI_TOKEN=... bash bin/report 6976442543234760712
local xingtu = require "xingtu"

local author = arg[1] or "6976442543234760712"
local client = xingtu.new {} -- token and base URL from JUSTONEAPI_TOKEN / JUSTONEAPI_BASE_URL

local function fail(err)
    io.stderr:write(tostring(err), "\n")
    os.exit(1)
end

local BAR_WIDTH = 30
local BLOCKS = { "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█" }

-- A horizontal bar for a share in [0, 1], in eighths of a character.
local function bar(share)
    local eighths = math.floor(share * BAR_WIDTH * 8 + 0.5)
    local full, rest = eighths // 8, eighths % 8
    return string.rep("█", full) .. (rest > 0 and BLOCKS[rest] or "")
end

-- Pads to a terminal width, counting CJK and fullwidth characters as two columns.
local function pad(text, width)
    local columns = 0
    for _, cp in utf8.codes(text) do
        columns = columns + ((cp >= 0x1100 and cp <= 0x115F or cp >= 0x2E80) and 2 or 1)
    end
    return text .. string.rep(" ", math.max(0, width - columns))
end

local function count_of(node)
    local d = node.distribution_data
    return type(d) == "table" and math.tointeger(d.cnt) or 0
end

local function name_of(node)
    local d = node.distribution_data
    return type(d) == "table" and tostring(d.name) or "?"
end

local touch, meta = client:touch_distribution { o_author_id = author }
if not touch then fail(meta) end

print(("Creator %s — audience touchpoints (%s, request %s)"):format(author, "SHORT_VIDEO", meta.request_id or "-"))
local groups = type(touch.video_touch) == "table" and touch.video_touch or {}
local total = 0
for _, g in ipairs(groups) do total = total + count_of(g) end
table.sort(groups, function(a, b) return count_of(a) > count_of(b) end)
for _, g in ipairs(groups) do
    local share = total > 0 and count_of(g) / total or 0
    print(("  %s %5.1f%%  %s"):format(pad(name_of(g), 12), share * 100, bar(share)))
    local children = type(g.second_distribution) == "table" and g.second_distribution or {}
    table.sort(children, function(a, b) return count_of(a) > count_of(b) end)
    for i = 1, math.min(3, #children) do
        local c = children[i]
        local of_parent = count_of(g) > 0 and count_of(c) / count_of(g) or 0
        print(("      %s %5.1f%% of %s"):format(pad(name_of(c), 12), of_parent * 100, name_of(g)))
    end
end
if #groups == 0 then print("  (no touchpoint data)") end

print()
print("Conversion (last 30 and 90 days)")
local fields = {
    { "avg_sales_amount_range", "average sales amount" },
    { "gpm_range", "GPM (sales per 1,000 views)" },
    { "component_click_cnt_range", "component clicks" },
    { "component_click_rate_range", "component click rate" },
    { "rec_product_price_range", "recommended product price" },
    { "related_cpc_range", "related CPC" },
}
local d30, err30 = client:convert_ability { o_author_id = author, range = "DAY_30" }
if not d30 then fail(err30) end
local d90, err90 = client:convert_ability { o_author_id = author, range = "DAY_90" }
if not d90 then fail(err90) end
print(("  %-30s %-16s %-16s"):format("", "30 days", "90 days"))
for _, f in ipairs(fields) do
    local function show(v) return (v == nil or v == xingtu.null or v == "-") and "no data" or tostring(v) end
    print(("  %-30s %-16s %-16s"):format(f[2], show(d30[f[1]]), show(d90[f[1]])))
end

local stats = client:stats()
print()
print(("%d calls sent, %d succeeded."):format(stats.sent, stats.succeeded))
client:close()
