-- One "host" of a fleet, for spec/redis_fleet_spec.lua: a batch over creator ids 1..N against the sandbox, with the
-- cache and the lock in one shared Redis. Writes one line per id to OUT: "<id>\t<outcome>\t<data as JSON>", then
-- "stats\t<JSON of client:stats()>".
--
--   lua5.4 spec/helpers/fleet_child.lua SANDBOX_URL REDIS_PORT N OUT [CONCURRENCY]
package.path = "./lua/?.lua;./lua/?/init.lua;./spec/?.lua;" .. package.path
package.cpath = "./build/?.so;" .. package.cpath

local xingtu = require "xingtu"
local url, port, n, out, concurrency = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4], tonumber(arg[5] or "16")
local redis = { port = port, timeout = 0.5 }
local client = xingtu.new {
    base_url = url, token = "sandbox-token", backoff_base = 0.01, timeout = 10,
    cache = require("xingtu.cache.redis")(redis),
    lock = require("xingtu.redis.lock").new(redis),
}
local reqs = {}
for i = 1, n do reqs[i] = { "touch_distribution", { o_author_id = tostring(i) } } end
local results = client:batch(reqs, { concurrency = concurrency })
local f = assert(io.open(out, "wb"))
for i = 1, n do
    local r = results[i]
    if r and r.data then
        f:write(i, "\tok\t", xingtu.json.encode(r.data), "\n")
    else
        f:write(i, "\t", r and r.err and r.err.kind or "none", "\t\n")
    end
end
f:write("stats\t", xingtu.json.encode(client:stats()), "\n")
f:close()
