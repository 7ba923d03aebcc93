-- `xingtu cache stats|prune [--cache DIR] [--older-than D] [--max-size S] [--dry-run] [--format F]`: the response
-- cache's upkeep without a client or a token (xingtu.cache.disk_stats and xingtu.cache.prune). DIR defaults to the
-- cache's default directory. D: seconds or 30d, 12h, 90m, 2w; S: bytes or 500K, 200M, 2G (powers of 1024).
-- An unsafe directory (another user's, writable by others, a link) is refused in one line with status 2, as
-- everywhere. The command contract: lua/xingtu/cli/commands/endpoints.lua.

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"

local _M = { name = "cache", uses_client = false }

local concat, tonumber, format, floor = table.concat, tonumber, string.format, math.floor
local usage = args_mod.usage

local AGE_UNITS = { [""] = 1, s = 1, m = 60, h = 3600, d = 86400, w = 604800 }
local SIZE_UNITS = { [""] = 1, b = 1, k = 1024, m = 1024 ^ 2, g = 1024 ^ 3, t = 1024 ^ 4 }

--- "30d" -> 2592000; nil when it is not a duration.
function _M.parse_age(text)
    local n, unit = text:match("^(%d+%.?%d*)([smhdw]?)$")
    if not n then return nil end
    return tonumber(n) * AGE_UNITS[unit]
end

--- "200M" -> 209715200 (also 200MB, 200MiB, 200m); nil when it is not a size.
function _M.parse_size(text)
    local n, unit = text:lower():match("^(%d+%.?%d*)%s*([bkmgt]?)i?b?$")
    if not n then return nil end
    local v = floor(tonumber(n) * SIZE_UNITS[unit])
    if v < 1 then return nil end
    return v
end

local function size_text(n)
    if n >= 1024 ^ 3 then return format("%.1f GiB", n / 1024 ^ 3) end
    if n >= 1024 ^ 2 then return format("%.1f MiB", n / 1024 ^ 2) end
    if n >= 1024 then return format("%.1f KiB", n / 1024) end
    return format("%d B", n)
end

local function time_text(t) return t and os.date("!%Y-%m-%dT%H:%M:%SZ", t) or nil end

function _M.parser(make)
    local p = make("xingtu cache", "Cache upkeep: what the response cache holds (stats), or remove old entries "
        .. "(prune).")
    p:argument("action", "stats or prune."):choices { "stats", "prune" }
    p:option("--cache", "The cache directory (default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu)."):args(1)
    p:option("--older-than", "prune: remove entries stored longer ago than this (seconds, or 30d, 12h, 90m, 2w).")
    p:option("--max-size", "prune: then remove the oldest until the rest take at most this (bytes, or 500K, 200M, 2G).")
    p:flag("--dry-run", "prune: count what would be removed, remove nothing.")
    p:option("--format -f", "Output format: " .. concat(args_mod.FORMATS, ", ") .. ".", "table")
        :choices(args_mod.FORMATS)
    return p
end

local function write(env, args, columns, row)
    if args.format == "table" then
        local rows = {}
        for _, c in ipairs(columns) do
            if row[c] ~= nil then rows[#rows + 1] = { field = c, value = row[c .. "_text"] or row[c] } end
        end
        env.stdout:write(output.table({ "field", "value" }, rows))
    elseif args.format == "csv" then
        env.stdout:write(output.csv(columns, { row }))
    else
        local doc = {}
        for _, c in ipairs(columns) do doc[c] = row[c] end
        env.stdout:write(output.json(doc, args.format == "json"), "\n")
    end
end

function _M.run(args, env)
    local cache = require "xingtu.cache"
    local dir = args.cache or cache.default_dir()
    if not dir or dir == "" then usage("no cache directory: give --cache DIR, or set $XDG_CACHE_HOME or $HOME") end
    local older, max_size
    if args.older_than then
        older = _M.parse_age(args.older_than)
        if not older then
            usage(format("--older-than takes seconds or a duration (30d, 12h, 90m, 2w), got %q", args.older_than))
        end
    end
    if args.max_size then
        max_size = _M.parse_size(args.max_size)
        if not max_size then
            usage(format("--max-size takes bytes or a size (500K, 200M, 2G), got %q", args.max_size))
        end
    end
    if args.action == "stats" then
        if older or max_size or args.dry_run then usage("--older-than, --max-size and --dry-run go with prune") end
        local s, why = cache.disk_stats(dir)
        if not s then usage(why) end
        s.bytes_text = size_text(s.bytes)
        s.oldest_text, s.newest_text = time_text(s.oldest), time_text(s.newest)
        write(env, args, { "dir", "entries", "bytes", "oldest", "newest", "temp_files", "temp_bytes" }, s)
        return 0
    end
    if not older and not max_size then usage("prune needs --older-than D, --max-size S or both") end
    local r, why = cache.prune(dir, { older_than = older, max_size = max_size, dry_run = args.dry_run })
    if not r then usage(why) end
    r.freed_text, r.bytes_text = size_text(r.freed), size_text(r.bytes)
    write(env, args, { "dir", "removed", "freed", "entries", "bytes", "dry_run" }, r)
    return 0
end

return _M
