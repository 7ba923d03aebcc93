-- `xingtu history <id> --db FILE [--method M] [--format F]`: how a creator's figures changed from one snapshot to
-- the next in the database `batch --db` writes (lua/xingtu/history.lua). The command contract:
-- lua/xingtu/cli/commands/endpoints.lua. Reading commands never create a database: a missing file is a usage error.

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"

local _M = { name = "history", uses_client = false }

local concat, ipairs, format, date = table.concat, ipairs, string.format, os.date
local usage = args_mod.usage

--- Opens args.db for reading; a missing or broken file is one line and exit status 2.
function _M.open_db(args)
    local path = args.db
    local f = io.open(path, "rb")
    if not f then usage("no database at " .. path .. " (batch --db " .. path .. " writes one)") end
    f:close()
    local db, err = require("xingtu.history").open(path)
    if not db then usage(err.message) end
    return db
end

--- Seconds for a snapshot time as the output shows it: UTC, ISO 8601.
function _M.time_text(t)
    return t and date("!%Y-%m-%dT%H:%M:%SZ", t) or nil
end

-- The change as a user reads it: the difference, and for counts the relative change.
function _M.change_text(from, to, figure)
    if from == nil or to == nil then return nil end
    local d = to - from
    if figure:find("^touch share") then return format("%+.2f pp", d * 100) end
    if from == 0 then return format("%+.15g", d) end
    return format("%+.15g (%+.1f%%)", d, d / from * 100)
end

function _M.parser(make)
    local p = make("xingtu history", "How a creator's figures changed between the snapshots of a --db database.")
    p:argument("id", "The creator's id.")
    p:option("--db", "The database file batch --db wrote."):args(1):count(1)
    p:option("--method -m", "Only this method's snapshots.")
    p:option("--format -f", "Output format: " .. concat(args_mod.FORMATS, ", ") .. ".", "table")
        :choices(args_mod.FORMATS)
    return p
end

function _M.run(args, env)
    local db = _M.open_db(args)
    local list, err = db:history(args.id, { method = args.method })
    db:close()
    if not list then usage(err.message) end
    local rows = {}
    for _, s in ipairs(list) do
        local base = { time = _M.time_text(s.fetched_at), method = s.method, params = s.params,
            request_id = s.request_id }
        if s.error_kind then
            base.figure = "(failed: " .. s.error_kind .. ")"
            rows[#rows + 1] = base
        elseif #s.changes == 0 then
            local n = 0
            for _ in pairs(s.figures) do n = n + 1 end
            base.figure = format(s.first and "(first snapshot: %d figures)" or "(%d figures, none changed)", n)
            rows[#rows + 1] = base
        else
            for _, c in ipairs(s.changes) do
                local r = {}
                for k, v in pairs(base) do r[k] = v end
                r.figure, r.from, r.to = c.figure, c.from, c.to
                r.change = _M.change_text(c.from, c.to, c.figure)
                rows[#rows + 1] = r
            end
        end
    end
    local columns = { "time", "method", "figure", "from", "to", "change" }
    if args.format == "table" then
        if #rows == 0 then
            env.stderr:write("xingtu history: no snapshot of ", args.id, " in ", args.db, "\n")
            return 1
        end
        env.stdout:write(output.table(columns, rows))
    elseif args.format == "csv" then
        local csv_columns = { "time", "method", "params", "figure", "from", "to", "change", "request_id" }
        env.stdout:write(output.csv(csv_columns, rows))
    elseif args.format == "json" then
        env.stdout:write(output.json(setmetatable(list, { __jsontype = "array" }), true), "\n")
    else
        for _, s in ipairs(list) do env.stdout:write(output.json(s), "\n") end
    end
    return #list > 0 and 0 or 1
end

return _M
