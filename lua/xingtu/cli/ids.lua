-- Creator ids from a file or stdin, as `xingtu batch --ids` and `xingtu compare --ids` read them:
--
--   ids.read(source, env, into, seen) -> duplicates
--
-- `source` is a path or "-" (env.stdin). One id a line, or a CSV whose first column is the id (what `xingtu search
-- --format csv` writes): a byte order mark, a header line (a first field of letters), `="..."` (Excel's guard for
-- long numbers), `# comments`, blank lines and surrounding blanks are skipped. Ids go into `into` in file order,
-- each once (`seen` marks them; a repeated one is counted in the result). A file that cannot be read is a usage
-- error naming it.

local usage = require("xingtu.cli.args").usage

local format, tostring = string.format, tostring

local _M = {}

-- The id a line holds, or nil: its first field, unquoted and trimmed.
local function id_of(line, first)
    if first then line = line:gsub("^\239\187\191", "") end
    line = line:gsub("#.*$", ""):gsub("\r$", "")
    local field = line:match("^%s*\"?=?\"*([^,\"]*)")
    field = field and field:match("^%s*(.-)%s*$") or ""
    if field == "" or (first and not field:match("^%d+$") and field:match("^[%a_]+$")) then return nil end
    return field
end

function _M.read(source, env, into, seen)
    local f, close
    if source == "-" then
        f = env.stdin or io.stdin
    else
        local err
        f, err = io.open(source, "r")
        if not f then usage("--ids: cannot read " .. tostring(err)) end
        close = true
    end
    local n, dups = 0, 0
    -- f:read, not f:lines(): a directory opens fine and fails only on reading, and lines() would raise.
    while true do
        local line, err = f:read("l")
        if not line then
            if close then f:close() end
            if err then usage(format("--ids: cannot read %s: %s", source, tostring(err))) end
            return dups
        end
        n = n + 1
        local id = id_of(line, n == 1)
        if id then
            if seen[id] then
                dups = dups + 1
            else
                seen[id] = true
                into[#into + 1] = id
            end
        end
    end
end

return _M
