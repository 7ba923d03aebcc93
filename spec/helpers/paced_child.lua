-- A host of a fleet sharing one rate in Redis, for spec/redis_pace_spec.lua: sends distinct calls for SECONDS seconds
-- under the shared pace, 8 at once, then prints "sent=<n> store_errors=<n> late=<n>" (a Redis call that failed: that take
-- fell back to the client's own bucket; late: slots left unused, they came back too late).
--
--   lua5.4 spec/helpers/paced_child.lua SANDBOX_URL REDIS_PORT RATE BURST SECONDS OFFSET [JITTER [HOSTS]]
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or "./build/?.so") .. ";" .. package.cpath
local xingtu = require "xingtu"
local url, port, rate, burst, seconds, offset = arg[1], tonumber(arg[2]), tonumber(arg[3]), tonumber(arg[4]),
    tonumber(arg[5]), tonumber(arg[6])
local jitter, hosts = tonumber(arg[7] or ""), tonumber(arg[8] or "")
local pace = require("xingtu.redis.pace").new { port = port, rate = rate, burst = burst, jitter = jitter, hosts = hosts }
local client = xingtu.new { base_url = url, token = "sandbox-token", retries = 0, pace = pace }
local stop = os.time() + seconds
local i = 0
local function source()
    if os.time() >= stop then return nil end
    i = i + 1
    return { "touch_distribution", { o_author_id = tostring(offset + i) } }
end
local n = 0
for _, data in client:each(source, { concurrency = 8 }) do
    if data then n = n + 1 end
end
print("sent=" .. n .. " store_errors=" .. tostring(client:stats().store_errors) .. " late=" .. pace.late)
