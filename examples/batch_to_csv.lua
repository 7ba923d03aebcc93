-- Conversion ranges of many creators into one CSV file (one row per creator, min and max as numbers).
--
--   examples/with-sandbox examples/batch_to_csv.lua [ids-file] [out.csv]
--
-- ids-file: one author id a line (default: 20 made-up ids). Uses client:each (concurrent) when present.
local xingtu = require "xingtu"

local ids = {}
if arg[1] then
    for line in io.lines(arg[1]) do
        local id = line:match("^%s*(%d+)%s*$")
        if id then ids[#ids + 1] = id end
    end
else
    for i = 1, 20 do ids[i] = ("69764425432347%05d"):format(i) end
end
local out = arg[2] and assert(io.open(arg[2], "w")) or io.stdout

local client = xingtu.new { rate = 20 }
local requests = {}
for i, id in ipairs(ids) do requests[i] = { "convert_ability", { o_author_id = id, range = "DAY_90" } } end

local rows = {}
local function add(i, data, err)
    local row = { author_id = ids[i] }
    if data then
        for field, r in pairs(xingtu.ranges.all(data)) do
            local name = field:gsub("_range$", "")
            row[name .. "_min"], row[name .. "_max"] = r.min, r.max
        end
    else
        row.error = err.kind
    end
    rows[i] = row
end
if client.each then
    for i, data, err in client:each(requests, { concurrency = 4 }) do add(i, data, err) end
else
    for i, req in ipairs(requests) do add(i, client:call(req[1], req[2])) end
end

local columns = { "author_id", "error" }
for _, f in ipairs { "avg_sales_amount", "component_click_cnt", "component_click_rate", "gpm",
    "rec_product_price", "related_cpc" } do
    columns[#columns + 1] = f .. "_min"
    columns[#columns + 1] = f .. "_max"
end
local n = xingtu.query(rows):write_csv(out, columns)
if out ~= io.stdout then out:close() end
io.stderr:write(("%d rows written\n"):format(n))
client:close()
