-- bench/coalesce.lua: what coalescing saves, in one run against a sandbox it starts itself (50 ms of latency).
--
--   lua5.4 bench/coalesce.lua [--requests N] [--concurrency N] [--rounds N]
--
-- Rows, rounds interleaved: a batch of N requests of which half are duplicates (N/2 distinct creators, each twice,
-- the duplicates shuffled in) beside a batch of N distinct creators: requests the sandbox saw and wall time. A
-- duplicate held while its twin is in flight waits for it; one far from its twin in the input takes the outcome the
-- batch kept for it (an array input is counted up front: lua/xingtu/dedupe.lua), so every duplicate costs nothing.
-- An iterator input cannot be counted ahead: its row shows duplicates coalesced only while their twin is held.
-- No cache here: the rows show what coalescing alone saves with shuffled duplicates.
-- Before the kept outcomes (2026-12-04, 400 requests, concurrency 16, 3 rounds): 363 vs 400 requests sent, wall
-- ratio 0.73; with them, see the README's "Never twice" section for the run.

local root = (arg[0]:match("^(.*)/bench/[^/]*$") or ".")
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. root .. "/spec/?.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (root .. "/build/?.so")) .. ";" .. package.cpath

local xingtu = require "xingtu"
local core = require "xingtu.core"
local sandbox = require "helpers.sandbox"

local opts = { requests = 400, concurrency = 16, rounds = 3 }
local k = 1
while k <= #arg do
    local name = arg[k]:match("^%-%-(%w+)$")
    if not name or opts[name] == nil or not tonumber(arg[k + 1]) then
        io.stderr:write("usage: lua5.4 bench/coalesce.lua [--requests N] [--concurrency N] [--rounds N]\n")
        os.exit(2)
    end
    opts[name] = math.floor(tonumber(arg[k + 1]))
    k = k + 2
end

sandbox.start()
local base = 7200000000000000000
local offset = 0

local function batch(ids, stream)
    local c = xingtu.new { token = sandbox.token, base_url = sandbox.url }
    local reqs = {}
    for i, id in ipairs(ids) do reqs[i] = { "touch_distribution", { o_author_id = tostring(id) } } end
    local input = reqs
    if stream then
        local pulled = 0
        input = function()
            pulled = pulled + 1
            return reqs[pulled]
        end
    end
    sandbox.reset()
    sandbox.config { latency = 0.05 }
    local t0 = core.now()
    local results = c:batch(input, { concurrency = opts.concurrency })
    local wall = core.now() - t0
    for i = 1, #ids do assert(results[i].data, "request failed") end
    local sent, coalesced = sandbox.stats().requests, c:stats().coalesced
    c:close()
    return sent, wall, coalesced
end

local rows = { dup = {}, stream = {}, distinct = {} }
math.randomseed(12)
for _ = 1, opts.rounds do
    local n = opts.requests
    local half = {}
    for i = 1, n / 2 do half[i] = base + offset + i end
    local dup = {}
    for i = 1, n / 2 do dup[#dup + 1] = half[i]; dup[#dup + 1] = half[i] end
    for i = #dup, 2, -1 do local j = math.random(i); dup[i], dup[j] = dup[j], dup[i] end
    offset = offset + n
    local distinct = {}
    for i = 1, n do distinct[i] = base + offset + i end
    offset = offset + n
    local s, w, c = batch(dup)
    rows.dup[#rows.dup + 1] = { s, w, c }
    s, w, c = batch(dup, true)
    rows.stream[#rows.stream + 1] = { s, w, c }
    s, w, c = batch(distinct)
    rows.distinct[#rows.distinct + 1] = { s, w, c }
end
sandbox.config { latency = 0 }

local function median(list, f)
    local v = {}
    for i, r in ipairs(list) do v[i] = r[f] end
    table.sort(v)
    return v[math.floor((#v + 1) / 2)], v[1], v[#v]
end

print(("| batch of %d, concurrency %d, sandbox latency 50 ms, %d rounds | requests sent | wall s (min-max) |"
    .. " coalesced |"):format(opts.requests, opts.concurrency, opts.rounds))
print("|---|---|---|---|")
local LABEL = { dup = "50% duplicates (array)", stream = "50% duplicates (iterator input)",
    distinct = "no duplicates (array)" }
for _, name in ipairs { "dup", "stream", "distinct" } do
    local s = median(rows[name], 1)
    local w, wlo, whi = median(rows[name], 2)
    local c = median(rows[name], 3)
    print(("| %s | %d | %.2f (%.2f-%.2f) | %d |"):format(LABEL[name], s, w, wlo, whi, c))
end
local sn, wn = median(rows.distinct, 1), median(rows.distinct, 2)
for _, name in ipairs { "dup", "stream" } do
    print(("| ratio %s / none | %.2f | %.2f | |"):format(name == "dup" and "array" or "iterator",
        median(rows[name], 1) / sn, median(rows[name], 2) / wn))
end
sandbox.stop()
