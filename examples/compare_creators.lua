-- Five creators side by side: the share of their reached audience per touchpoint, with the response cache on
-- (run it twice: the second run sends nothing, even to a sandbox on another port).
--
--   examples/with-sandbox examples/compare_creators.lua [id1 id2 id3 id4 id5]
--
-- The cache lives in $XDG_CACHE_HOME/xingtu (else ~/.cache/xingtu); set XINGTU_CACHE_DIR to use another directory.
local xingtu = require "xingtu"

local ids = #arg > 0 and arg or {
    "6976442543234760712", "7012345678901234567", "6811111111111111111", "6922222222222222222", "7033333333333333333",
}
local client = xingtu.new { cache = os.getenv("XINGTU_CACHE_DIR") or true }

local creators = {}
for i, id in ipairs(ids) do
    local data, meta = client:touch_distribution { o_author_id = id }
    if data then
        creators[#creators + 1] = { label = "#" .. i, data = data }
        io.stderr:write(("%s %s%s\n"):format("#" .. i, id, meta.cached and (" (cached, %ds old)"):format(meta.age)
            or ""))
    else
        io.stderr:write(("%s %s: %s\n"):format("#" .. i, id, tostring(meta)))
    end
end

local m = xingtu.touch.compare(creators, { level = 1 })
io.write(("%-10s"):format("touchpoint"))
for _, label in ipairs(m.creators) do io.write(("%8s"):format(label)) end
io.write("\n")
for _, row in ipairs(m.rows) do
    -- pad by display width: Chinese characters take two columns
    io.write(row.category, (" "):rep(math.max(1, 10 - 2 * utf8.len(row.category))))
    for _, label in ipairs(m.creators) do io.write(("%7.1f%%"):format(row[label] * 100)) end
    io.write("\n")
end
local s = client:stats()
io.stderr:write(("requests sent: %d, cache hits: %d\n"):format(s.sent, client.cache:stats().hits))
client:close()
