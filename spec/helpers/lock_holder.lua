-- A host that dies holding an answer's lock, for spec/redis_sandbox_spec.lua: one call against the sandbox (made slow
-- by the spec) under a Redis lock whose ttl is cut to TTL seconds, so the spec need not wait the pipeline's own
-- (the whole call's length, 30 s and more). Prints "calling" before the call; the spec kills it with kill -9.
--
--   lua5.4 spec/helpers/lock_holder.lua SANDBOX_URL REDIS_PORT TTL
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./build/?.so;" .. package.cpath
local xingtu = require "xingtu"
local url, port, ttl = arg[1], tonumber(arg[2]), tonumber(arg[3])
local redis = { port = port }
local lock = require("xingtu.redis.lock").new(redis)
local short = setmetatable({}, { __index = lock })
function short.acquire(_, key) return lock:acquire(key, ttl) end
function short.release(_, handle) return lock:release(handle) end
local client = xingtu.new { base_url = url, token = "sandbox-token", timeout = 30, retries = 0,
    cache = require("xingtu.cache.redis")(redis), lock = short }
io.stdout:write("calling\n")
io.stdout:flush()
client:touch_distribution { o_author_id = "424242" }
