-- `xingtu compare ID... | --ids FILE|- [--methods m,...] [--long] [--format ...] [-o FILE]`: creators side by side,
-- one row per creator (xingtu.compare: the card, level-1 touchpoint shares, conversion ranges as numbers, the
-- audience's largest groups, and the price efficiency figures; lua/xingtu/compare.lua names every formula). The
-- command contract: lua/xingtu/cli/commands/endpoints.lua.
--
-- Ids come from the arguments and/or --ids (a file or - for stdin): one a line, or the first field of a CSV line
-- (so `xingtu search ... --format csv --columns o_author_id | xingtu compare --ids -` works, its header line and a
-- byte order mark skipped), # comments and blank lines skipped, repeated ids kept once. A malformed id is a usage
-- error before anything is sent. Every creator gets a row; a failed call leaves its columns empty and is one line
-- on stderr (exit status 1).

local args_mod = require "xingtu.cli.args"
local compare = require "xingtu.compare"
local sheet = require "xingtu.cli.sheet"

local _M = { name = "compare" }

local format, concat = string.format, table.concat
local ipairs, tostring = ipairs, tostring
local usage = args_mod.usage

function _M.parser(make)
    local p = make("xingtu compare", "Creators side by side: one batch of the endpoints an evaluation needs, "
        .. "one row per creator.")
    p:argument("ids", "Creator ids (o_author_id).")
        :args("*")
    p:option("--ids -i", "File with ids (one a line, or CSV whose first column is the id), or - for stdin.")
        :target("ids_file")
    p:option("--methods -m", "The endpoints to fetch, comma-separated (default " .. concat(compare.DEFAULT_METHODS, ",")
        .. "); any of " .. concat(compare.METHODS, ", ") .. ".")
    p:option("--platform -p", "The platform of the methods that take one (SHORT_VIDEO, LIVE_STREAMING, "
        .. "PICTURE_TEXT, SHORT_DRAMA).")
    p:flag("--long", "One row per (creator, metric) instead of one per creator.")
    p:option("--html", "Also write the comparison as one self-contained HTML page (charts, sortable table) to FILE.")
        :argname("FILE")
    p:option("--concurrency -c", "Requests in flight at once (default " .. require("xingtu.core").limits
        .default_concurrency .. ").")
    return sheet.add_flags(p, "table")
end

local function ids_of(args, env)
    local ids, seen = {}, {}
    for _, id in ipairs(args.ids or {}) do
        if not seen[id] then
            seen[id] = true
            ids[#ids + 1] = id
        end
    end
    if args.ids_file then require("xingtu.cli.ids").read(args.ids_file, env, ids, seen) end
    if #ids == 0 then usage("compare needs creator ids: xingtu compare ID... or --ids FILE (or - for stdin)") end
    for _, id in ipairs(ids) do
        if not id:match("^%d+$") or #id > 20 or not id:find("[1-9]") then
            usage(format("%q is not a creator id (o_author_id: a string of digits)", id))
        end
    end
    return ids
end

local function methods_of(text)
    if text == nil then return nil end
    local set = {}
    for _, m in ipairs(compare.METHODS) do set[m] = true end
    local list = {}
    for m in text:gmatch("[^,%s]+") do
        if not set[m] then
            usage(format("--methods: %s is not one of %s", m, concat(compare.METHODS, ", ")))
        end
        list[#list + 1] = m
    end
    if #list == 0 then usage("--methods needs at least one of " .. concat(compare.METHODS, ", ")) end
    return list
end

function _M.run(args, env, session)
    local ids = ids_of(args, env)
    local methods = methods_of(args.methods)
    local platform
    if args.platform then
        platform = args.platform:upper()
        local rule = compare.OPTIONS:rule("platform")
        if not require("xingtu.options").value_ok(rule, platform) then
            usage("--platform must be one of " .. concat(rule.values, ", ") .. ", got " .. args.platform)
        end
    end
    local concurrency = args_mod.flag_number("concurrency", require("xingtu.batch").OPTIONS:rule("concurrency"),
        args.concurrency)
    sheet.check(args) -- before the first call: a bad output costs nothing
    if args.html then require("xingtu.cli.html_out").check(args.html) end
    local client = session:client()
    local rows, report = compare.compare(client, ids, {
        methods = methods, platform = platform, concurrency = concurrency, long = args.long or false,
    })
    local columns = args.long and compare.LONG_COLUMNS or report.columns
    local extra = {
        { name = "columns", columns = { { name = "name", kind = "text" }, { name = "label", kind = "text" },
            { name = "kind", kind = "text" } }, rows = report.columns },
    }
    if not args.long then
        extra[#extra + 1] = { name = "long", columns = compare.LONG_COLUMNS, rows = compare.long(rows, columns) }
    end
    local w = sheet.open(args, env, columns, { sheet = "compare", extra_sheets = extra })
    for _, row in ipairs(rows) do w:add(row) end
    w:finish()
    if args.html then
        require("xingtu.cli.html_out").write(args.html, report, { title = format("%d creators compared", #ids) })
    end
    for _, f in ipairs(report.failures) do
        env.stderr:write(format("xingtu compare: %s %s: %s: %s\n", f.id, f.method, tostring(f.kind),
            tostring(f.message)))
    end
    if not args.quiet then
        local s = client:stats()
        env.stderr:write(format("xingtu compare: %d creator%s, %d method%s: %d request%s sent, %d billed, %d "
            .. "answered from the cache, %d failed\n", #ids, #ids == 1 and "" or "s", #report.methods,
            #report.methods == 1 and "" or "s", s.sent, s.sent == 1 and "" or "s", s.billed or 0,
            s.cache_hits or 0, #report.failures))
    end
    return #report.failures > 0 and 1 or 0
end

return _M
