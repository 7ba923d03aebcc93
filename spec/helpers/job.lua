-- A `bin/xingtu` job run in the background, as a scheduler runs it, for specs that signal it.
--
--   local job = require "helpers.job"
--   local j = job.start(args, env)   -- args: the command line after `xingtu` (shell-quoted by the caller)
--   j.pid                            -- the lua5.4 process itself (what systemd or Ctrl-C would signal)
--   j:signal("TERM")
--   local code, stderr = j:wait()    -- bounded; the exit status and everything it wrote to stderr
--
-- The job runs under `sh`, which writes the exit status to a file: the spec reads it without waiting on a pipe.

local util = require "helpers.util"

local _M = {}
local Job = {}
Job.__index = Job

-- The pid of the lua5.4 process running bin/xingtu, child of the `sh` started.
local function child_of(shell_pid)
    for _ = 1, 100 do
        local pid = util.run("pgrep -P " .. shell_pid .. " 2>/dev/null"):match("(%d+)")
        if pid then return tonumber(pid) end
        util.run("sleep 0.05")
    end
    error("the job's process did not appear")
end

function _M.start(args, env)
    local base = os.tmpname()
    local job = setmetatable({ err_file = base .. ".err", rc_file = base .. ".rc", script = base .. ".sh" }, Job)
    os.remove(base)
    util.write_file(job.script, (env or "") .. " " .. util.quote(util.ROOT .. "/bin/xingtu") .. " " .. args
        .. " 2>" .. util.quote(job.err_file) .. "\necho $? > " .. util.quote(job.rc_file) .. "\n")
    local p = assert(io.popen("sh " .. util.quote(job.script) .. " >/dev/null </dev/null & echo $!", "r"))
    local shell_pid = tonumber(p:read("l"))
    p:close()
    job.pid = child_of(shell_pid)
    return job
end

function Job:signal(name) util.run("kill -" .. name .. " " .. self.pid .. " 2>/dev/null") end

--- What the job wrote to stderr so far.
function Job:stderr() return util.read_file(self.err_file) or "" end

--- Waits (at most `limit` seconds, default 120) for the exit status; returns it and the job's stderr.
function Job:wait(limit)
    for _ = 1, math.floor((limit or 120) * 10) do
        local rc = util.read_file(self.rc_file)
        if rc and rc:match("%d") then
            local err = self:stderr()
            for _, f in ipairs { self.err_file, self.rc_file, self.script } do os.remove(f) end
            return tonumber(rc:match("%d+")), err
        end
        util.run("sleep 0.1")
    end
    error(string.format("the job did not end in %s s", tostring(limit or 120)))
end

--- Polls (bounded: `limit` seconds, default 60) until ready() holds.
function _M.wait_for(ready, what, limit)
    for _ = 1, math.floor((limit or 60) * 20) do
        if ready() then return end
        util.run("sleep 0.05")
    end
    error(what .. " did not come within " .. tostring(limit or 60) .. " s")
end

return _M
