-- A job: one batch over (id x methods), each (id, method) one record, written whole or not at all, resumable.
--
--   local jobs = require "xingtu.jobs"
--   local done, kept, dropped = jobs.done_keys(path)  -- the keys an ndjson file already holds ("id\0method");
--                                                      -- kept = bytes of whole records, dropped = bytes of a
--                                                      -- truncated last line (an older crash), to be cut off
--   jobs.key(id, method)
--
-- Records come id-major (lua/xingtu/cli/commands/batch.lua): a resumed job then finishes creators one at a time,
-- and a reader of the file sees a creator's methods side by side. Why a key of id and method: a job over three
-- methods has three records per creator and resuming must know which of the three are missing, not only which
-- creators.

local _M = { _VERSION = require("xingtu.core").VERSION }

local type = type

function _M.key(id, method) return tostring(id) .. "\0" .. tostring(method) end
local key = _M.key

-- The id and method of one ndjson line (a record of a single-method run has no method: it is that method's). A line
-- that is not a record (edited by hand, another tool's) is not a key: its (id, method) is sent again.
local function line_key(line, decode, single)
    local ok, rec = pcall(decode, line)
    if ok and type(rec) == "table" and rec.id ~= nil then return key(rec.id, rec.method or single) end
    return nil
end

--- The keys an ndjson output holds. A last line without its newline is a record cut by a crash: not counted,
--- and its length returned so that the caller cuts it off before appending.
function _M.done_keys(path, decode, single)
    local f = io.open(path, "rb")
    local done, n = {}, 0
    if not f then return done, 0, 0, 0 end
    local kept = 0
    local dropped = 0
    while true do
        local line = f:read("L")
        if not line then break end
        if line:sub(-1) ~= "\n" then
            dropped = #line
            break
        end
        local k = line_key(line:sub(1, -2), decode, single)
        if k then
            if not done[k] then n = n + 1 end
            done[k] = true
        end
        kept = kept + #line
    end
    f:close()
    return done, kept, dropped, n
end

return _M
