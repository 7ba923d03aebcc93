-- `xingtu report <author-id> [--platform P] [--range R]`: a creator's touch distribution and conversion ranges, two
-- calls; as a chart and a table (lua/xingtu/cli/report.lua renders them), or as JSON or one CSV table. The command
-- contract: lua/xingtu/cli/commands/endpoints.lua.

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"
local term = require "xingtu.cli.term"

local _M = { name = "report" }

local concat, ipairs, setmetatable = table.concat, ipairs, setmetatable
local usage = args_mod.usage

function _M.parser(make)
    local p = make("xingtu report", "A creator report: touch distribution chart and conversion ranges.")
    p:argument("author_id", "The creator's author id (digits).")
    args_mod.add_params(p)
    p:option("--html", "Also write the report as one self-contained HTML page (charts, sortable table) to FILE.")
        :argname("FILE")
    return args_mod.add_common(p, "table")
end

-- One RFC 4180 table: a `section` column tells touch rows from conversion rows, each leaving the other's columns
-- empty.
local function as_csv(t, c)
    local rows = {}
    for _, r in ipairs(t) do
        rows[#rows + 1] = { section = "touch", level = r.level, path = concat(r.path, " / "), cnt = r.cnt,
            share_of_parent = r.share_of_parent, share_of_total = r.share_of_total }
    end
    for _, r in ipairs(c) do
        rows[#rows + 1] = { section = "conversion", field = r.field, raw = r.raw, min = r.min, max = r.max,
            unit = r.unit }
    end
    return output.csv({ "section", "level", "path", "cnt", "share_of_parent", "share_of_total", "field", "raw", "min",
        "max", "unit" }, rows)
end

-- Writes the two answers in args.format.
local function write(env, args, parts)
    local fmt = args.format
    if fmt == "table" then
        env.stdout:write(require("xingtu.cli.report").render(parts))
        return
    end
    local t = require("xingtu.touch").flatten(parts.touch)
    local c = require("xingtu.ranges").rows(parts.conv)
    if fmt == "csv" then
        env.stdout:write(as_csv(t, c))
        return
    end
    local doc = {
        author_id = parts.author_id, platform = parts.platform, range = parts.range,
        touch = setmetatable(t, { __jsontype = "array" }), conversion = setmetatable(c, { __jsontype = "array" }),
        errors = {
            touch = parts.touch_err and not parts.touch and output.error_record(parts.touch_err) or nil,
            conversion = parts.conv_err and not parts.conv and output.error_record(parts.conv_err) or nil,
        },
    }
    env.stdout:write(output.json(doc, fmt == "json"), "\n")
end

function _M.run(args, env, session)
    local touch_ep, conv_ep = args_mod.endpoint("touch_distribution"), args_mod.endpoint("convert_ability")
    local platform = args.platform or "SHORT_VIDEO"
    local range = args.range or "DAY_30"
    local tp = { o_author_id = args.author_id, platform = platform }
    local cp = { o_author_id = args.author_id, platform = platform, range = range }
    for _, kv in ipairs(args.param or {}) do usage("report takes no --param (" .. kv .. ")") end
    for _, check in ipairs { { touch_ep, tp }, { conv_ep, cp } } do
        local ok, why = args_mod.check_params(check[1], check[2])
        if not ok then usage(why) end
    end
    if args.html then require("xingtu.cli.html_out").check(args.html) end
    local client = session:client()
    local touch, touch_meta = client:touch_distribution(tp)
    local conv, conv_meta = client:convert_ability(cp)
    local touch_err, conv_err = not touch and touch_meta or nil, not conv and conv_meta or nil
    if not touch then term.error_line(env, touch_err) end
    if not conv then term.error_line(env, conv_err) end
    if args.html then
        local rep = require("xingtu.report.creator").build { author_id = args.author_id, touch = touch,
            touch_meta = touch and touch_meta or nil, touch_err = touch_err, conv = conv,
            conv_meta = conv and conv_meta or nil, conv_err = conv_err }
        require("xingtu.cli.html_out").write(args.html, rep,
            { title = "Creator " .. args.author_id .. " · " .. platform .. " · " .. range })
    end
    write(env, args, { author_id = args.author_id, platform = platform, range = range,
        touch = touch, touch_err = touch_err, conv = conv, conv_err = conv_err })
    return (touch and conv) and 0 or 1
end

return _M
