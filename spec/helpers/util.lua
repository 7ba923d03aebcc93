-- Small utilities the specs share. Loads under Lua 5.4 and LuaJIT 2.1.
--
--   local util = require "helpers.util"
--   util.ROOT                     -- the repository root, an absolute path
--   util.run(cmd)                 -- cmd through /bin/sh: its stdout and exit status (0: success; a signal: its number)
--   util.run3(cmd)                -- the same, stderr kept apart: stdout, stderr, exit status (Lua 5.4)
--   util.quote(s)                 -- s as one single-quoted shell word
--   util.read_file(path)          -- the whole file (binary), or nil and io.open's message
--   util.write_file(path, text)   -- replaces the file; raises on failure
--   util.fd_count()               -- open file descriptors of this process
--   util.rss_kb()                 -- resident set of this process (VmRSS in /proc/self/status), in kB
--   util.full_gc()                -- two full collections: the second frees what finalizers of the first let go
--   util.free_port()              -- a port on 127.0.0.1 nobody listens on (bound for its number, then closed)
--   util.slowdown()               -- how many times slower than native the specs run: 10 under valgrind, 3 with the
--                                    sanitizers, else 1 (for the few specs whose outcome depends on relative timing)
--   util.refusing_port()          -- port, holder: a port bound but not listening, so connecting is refused until
--                                    holder:close() (no other program can take it meanwhile)
--   util.lua_child_env()          -- env prefix for a Lua child that loads this process's xingtu.core (sanitizers)
--
-- io.popen is looked up at each call, never kept: under AddressSanitizer spec/helpers/sanitized.lua replaces it.

local util = {}

-- Lua 5.1 and LuaJIT (without 5.2 compatibility) give no exit status from closing a popen'd handle: the shell prints
-- it after the output instead, behind this marker.
local STATUS_MARK = "@@xingtu_spec_exit "
local CLOSE_GIVES_STATUS = _VERSION ~= "Lua 5.1"

do
  local root = debug.getinfo(1, "S").source:match("^@(.*)/spec/helpers/[^/]*$") or "."
  if root:sub(1, 1) ~= "/" and os.getenv("PWD") then root = os.getenv("PWD") .. "/" .. root end
  util.ROOT = (root:gsub("/%./", "/"):gsub("/%.?$", ""))
end

--- cmd through /bin/sh with its stderr kept apart: stdout, stderr, exit status.
function util.run3(cmd)
  local err_file = os.tmpname()
  local p = assert(io.popen(cmd .. " 2>" .. err_file, "r"))
  local out = p:read("*a")
  local _, _, code = p:close()
  local err = util.read_file(err_file) or ""
  os.remove(err_file)
  return out, err, code
end

function util.run(cmd)
  if not CLOSE_GIVES_STATUS then
    cmd = "( " .. cmd .. "\n); printf '\\n" .. STATUS_MARK .. "%d\\n' $?"
  end
  local f = assert(io.popen(cmd, "r"))
  local out = f:read("*a")
  local ok, _, code = f:close()
  if CLOSE_GIVES_STATUS then return out, ok and 0 or code end
  local body, status = out:match("^(.*)\n" .. STATUS_MARK .. "(%d+)\n$")
  if not body then return out, 1 end
  return body, tonumber(status)
end

function util.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function util.read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("*a")
  f:close()
  return s
end

function util.write_file(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local pid
local function self_pid()
  pid = pid or tonumber(assert(util.read_file("/proc/self/stat")):match("^(%d+)"))
  return pid
end

-- From `ls /proc/<pid>/fd` through popen, minus the pipe popen itself holds. The child may list the descriptors
-- before popen closed its copy of the pipe's other end, so one reading can be one too high: the least of three counts.
function util.fd_count()
  local least = math.huge
  for _ = 1, 3 do
    local p = assert(io.popen("ls /proc/" .. self_pid() .. "/fd"))
    local n = 0
    for _ in p:lines() do n = n + 1 end
    p:close()
    if n - 1 < least then least = n - 1 end
  end
  return least
end

function util.rss_kb()
  return tonumber(assert(util.read_file("/proc/self/status")):match("VmRSS:%s*(%d+)"))
end

function util.full_gc()
  collectgarbage()
  collectgarbage()
end

--- The prefix for a command that starts a Lua child loading the same xingtu.core as this process. Under the
--  sanitizer stage the core is instrumented and the child needs the sanitizer runtime preloaded, which
--  spec/helpers/sanitized.lua otherwise keeps from children; elsewhere it is empty.
function util.lua_child_env()
    local preload = os.getenv("XINGTU_SANITIZED") == "1" and os.getenv("LD_PRELOAD")
    if not preload then return "" end
    return "LD_PRELOAD=" .. util.quote(preload) .. " ASAN_OPTIONS=" .. util.quote(os.getenv("ASAN_OPTIONS") or "")
        .. " UBSAN_OPTIONS=" .. util.quote(os.getenv("UBSAN_OPTIONS") or "") .. " "
end

function util.free_port()
  local socket = require "socket"
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return tonumber(port)
end

function util.slowdown()
  if os.getenv("XINGTU_VALGRIND") == "1" then return 10 end
  if os.getenv("XINGTU_SANITIZED") == "1" then return 3 end
  return 1
end

function util.refusing_port()
  local socket = require "socket"
  local s = assert(socket.tcp())
  assert(s:bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  return tonumber(port), s
end

return util
