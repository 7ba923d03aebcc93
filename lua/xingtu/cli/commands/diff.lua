-- `xingtu diff --since DATE --db FILE [--method M] [--limit N] [--format F]`: the creators whose figures moved most
-- since DATE in the database `batch --db` writes: per creator its largest move (counts by relative change, shares
-- by percentage points), from the last snapshot at or before DATE to the latest one. The command contract:
-- lua/xingtu/cli/commands/endpoints.lua.

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"
local history_cmd = require "xingtu.cli.commands.history"

local _M = { name = "diff", uses_client = false }

local concat, ipairs, tonumber, format, time = table.concat, ipairs, tonumber, string.format, os.time
local usage = args_mod.usage

-- Days since 1970-01-01 of a civil date (proleptic Gregorian), so that a date means UTC whatever the local zone.
local function days_from_civil(y, m, d)
    y = m <= 2 and y - 1 or y
    local era = math.floor(y / 400)
    local yoe = y - era * 400
    local mp = (m + 9) % 12
    local doy = math.floor((153 * mp + 2) / 5) + d - 1
    local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
    return era * 146097 + doe - 719468
end

local UNITS = { s = 1, m = 60, h = 3600, d = 86400, w = 604800 }

--- DATE as unix seconds: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] (UTC), unix seconds, or an age: 7d, 12h, 30m, 2w.
function _M.parse_since(text, now)
    local n, unit = text:match("^(%d+)([smhdw])$")
    if n then return (now or time()) - tonumber(n) * UNITS[unit] end
    if text:match("^%d+$") and #text > 8 then return tonumber(text) end
    local y, mo, d, rest = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
    if not y then return nil end
    y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
    if mo < 1 or mo > 12 or d < 1 or d > 31 then return nil end
    local h, mi, s = 0, 0, 0
    if rest ~= "" then
        local hh, mm, ss = rest:match("^[T ](%d%d):(%d%d):?(%d?%d?)Z?$")
        if not hh then return nil end
        h, mi, s = tonumber(hh), tonumber(mm), tonumber(ss) or 0
        if h > 23 or mi > 59 or s > 60 then return nil end
    end
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
end

function _M.parser(make)
    local p = make("xingtu diff", "The creators whose figures moved most since a date, from a --db database.")
    p:option("--since", "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC), unix seconds, or an age: 7d, 12h, 2w.")
        :args(1):count(1)
    p:option("--db", "The database file batch --db wrote."):args(1):count(1)
    p:option("--method -m", "Only this method's figures.")
    p:option("--limit", "At most this many creators.", "20")
    p:option("--format -f", "Output format: " .. concat(args_mod.FORMATS, ", ") .. ".", "table")
        :choices(args_mod.FORMATS)
    return p
end

function _M.run(args, env)
    local since = _M.parse_since(args.since)
    if not since then
        usage(format("--since takes YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, unix seconds or an age (7d, 12h, 2w), got %q",
            args.since))
    end
    local limit = tonumber(args.limit)
    if not limit or limit < 1 or limit ~= math.floor(limit) then
        usage(format("--limit takes a whole number of at least 1, got %q", args.limit))
    end
    local db = history_cmd.open_db(args)
    local list, err = db:diff { since = since, method = args.method, limit = limit }
    db:close()
    if not list then usage(err.message) end
    for _, r in ipairs(list) do r.change = history_cmd.change_text(r.from, r.to, r.figure) end
    local columns = { "id", "method", "figure", "from", "to", "change" }
    if args.format == "table" then
        if #list == 0 then
            env.stderr:write("xingtu diff: no figure moved since ", history_cmd.time_text(since), "\n")
            return 0
        end
        env.stdout:write(output.table(columns, list))
    elseif args.format == "csv" then
        env.stdout:write(output.csv({ "id", "method", "params", "figure", "from", "to", "movement" }, list))
    elseif args.format == "json" then
        env.stdout:write(output.json(setmetatable(list, { __jsontype = "array" }), true), "\n")
    else
        for _, r in ipairs(list) do env.stdout:write(output.json(r), "\n") end
    end
    return 0
end

return _M
