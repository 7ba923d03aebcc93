-- A redis-server of the spec's own: a free loopback port, a temporary directory, no persistence, stopped by its pid.
--
--   local redis = require "helpers.redis"
--   local r = redis.start()          -- r.port, r.pid, r.dir; raises when redis-server does not come up
--   r:call("DEBUG", "SLEEP", "1")    -- a command through redis-cli (for faults: CLIENT PAUSE, DEBUG SLEEP)
--   r:kill()                         -- kill -9 (a Redis that dies mid-batch)
--   r:stop()                         -- SIGTERM by pid, waits until gone, removes the directory

local util = require "helpers.util"

local M = {}
local Server = {}
Server.__index = Server

function M.start()
    local port = util.free_port()
    local dir = util.run("mktemp -d /tmp/xingtu-redis.XXXXXX"):gsub("%s+$", "")
    local cmd = string.format("redis-server --port %d --bind 127.0.0.1 --save '' --appendonly no --dir %s "
        .. "--daemonize yes --pidfile %s/redis.pid --logfile %s/redis.log --enable-debug-command local",
        port, util.quote(dir), util.quote(dir), util.quote(dir))
    local _, status = util.run(cmd)
    if status ~= 0 then error("redis-server did not start (is Debian's redis-server installed? .ci/deps test)") end
    local self = setmetatable({ port = port, dir = dir }, Server)
    for _ = 1, 100 do
        local out = util.run(string.format("redis-cli -p %d ping 2>/dev/null", port))
        local pid = util.read_file(dir .. "/redis.pid")
        if out:match("PONG") and pid then
            self.pid = tonumber(pid:match("%d+"))
            return self
        end
        util.run("sleep 0.05")
    end
    error("redis-server did not answer on port " .. port)
end

function Server:call(...)
    local words = {}
    for i = 1, select("#", ...) do words[i] = util.quote(tostring(select(i, ...))) end
    return (util.run(string.format("redis-cli -p %d %s 2>&1", self.port, table.concat(words, " "))))
end

function Server:kill()
    if self.pid then util.run("kill -9 " .. self.pid .. " 2>/dev/null"); self.pid = nil end
end

function Server:stop()
    if self.pid then
        util.run("kill " .. self.pid .. " 2>/dev/null")
        for _ = 1, 100 do
            local _, st = util.run("kill -0 " .. self.pid .. " 2>/dev/null")
            if st ~= 0 then break end
            util.run("sleep 0.05")
        end
        util.run("kill -9 " .. self.pid .. " 2>/dev/null")
        self.pid = nil
    end
    if self.dir and self.dir:match("^/tmp/xingtu%-redis%.") then util.run("rm -rf " .. util.quote(self.dir)) end
end

return M
