-- A creator report: where the audience is reached (touchpoints) and how the creator converts (ranges).
--
--   examples/with-sandbox examples/creator_report.lua [author-id] [platform]
--
-- Against the real API: JUSTONEAPI_TOKEN=... lua5.4 examples/creator_report.lua <author-id>  (2 billed calls)
local xingtu = require "xingtu"

local author_id = arg[1] or "6976442543234760712"
local platform = arg[2] or "SHORT_VIDEO"
local client = xingtu.new {}

local touch_data = xingtu.assert(client:touch_distribution { o_author_id = author_id, platform = platform })
local conv = xingtu.assert(client:convert_ability { o_author_id = author_id, platform = platform, range = "DAY_30" })

print(("Creator %s (%s)"):format(author_id, platform))
print("\nTop touchpoints")
local rows = xingtu.touch.flatten(touch_data)
for _, top in ipairs(xingtu.touch.top(rows, 5, 1)) do
    print(("  %-10s %6.1f%%"):format(top.name, top.share_of_total * 100))
    for _, sub in ipairs(xingtu.touch.top(rows, 3, { level = 2, parent = top.name })) do
        print(("      %-10s %6.1f%% of %s"):format(sub.name, sub.share_of_parent * 100, top.name))
    end
end

print("\nConversion (30 days)")
for _, r in ipairs(xingtu.ranges.rows(conv)) do
    local function show(v)
        if v == nil then return "-" end
        return r.unit == "%" and ("%.1f%%"):format(v * 100) or tostring(v)
    end
    print(("  %-28s %-12s min %-10s max %s"):format(r.field, r.raw, show(r.min), show(r.max)))
end
client:close()
