-- `xingtu endpoints [<method>] [--format F]`: the catalogue's methods with their parameters and descriptions; the
-- table fits 100 columns (a method's parameters in full: `xingtu endpoints <method>`, or --format json/csv).
--
-- The command contract (every file in cli/commands/): name, parser(make) -> an argparse parser made with
-- make(name, description), run(args, env, session) -> exit status; uses_client = false when the command needs no
-- client (its flags are then not checked as a client's).

local args_mod = require "xingtu.cli.args"
local catalogue = require "xingtu.catalogue"
local output = require "xingtu.cli.output"

local _M = { name = "endpoints", uses_client = false }

local concat, ipairs = table.concat, ipairs

function _M.parser(make)
    local p = make("xingtu endpoints", "List the catalogue's methods, or describe one method's parameters.")
    p:argument("method", "A method to describe: its parameters with types, defaults and enum values.")
        :args("?")
    p:option("--format -f", "Output format: " .. concat(args_mod.FORMATS, ", ") .. ".", "table")
        :choices(args_mod.FORMATS)
    return p
end

local function as_json(args, env, names)
    local list = {}
    for i, name in ipairs(names) do
        local ep = catalogue.by_name[name]
        list[i] = { name = ep.name, path = ep.path, description = ep.description, params = ep.params }
    end
    if args.format == "json" then
        env.stdout:write(output.json(list, true), "\n")
    else
        for _, e in ipairs(list) do env.stdout:write(output.json(e), "\n") end
    end
    return 0
end

-- The table's budget: 100 columns. The method and the required parameters always show; the description is cut
-- to what is left, with an ellipsis.
local WIDTH = 100

local function cut(s, w)
    if output.width(s) <= w then return s end
    local out, used = {}, 0
    for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
        local cw = output.width(ch)
        if used + cw > w - 1 then break end
        out[#out + 1] = ch
        used = used + cw
    end
    return concat(out) .. "…"
end

function _M.run(args, env)
    local names = catalogue.names
    if args.method then
        local ep = catalogue.by_name[args.method]
        if not ep then
            args_mod.usage(require("xingtu.cli.suggest").unknown("method", args.method, catalogue.names))
        end
        names = { args.method }
        if args.format == "table" then
            env.stdout:write(require("xingtu.cli.method_help").describe(ep))
            return 0
        end
    end
    if args.format == "json" or args.format == "ndjson" then return as_json(args, env, names) end
    local rows = {}
    for i, name in ipairs(names) do
        local ep = catalogue.by_name[name]
        local ps, required = {}, {}
        for j, p in ipairs(ep.params) do
            ps[j] = p.name .. (p.required and "*" or "")
            if p.required then required[#required + 1] = p.name end
        end
        rows[i] = { method = name, parameters = concat(ps, " "), description = ep.description,
            required = concat(required, " "), more = #ep.params - #required }
    end
    if args.format == "csv" then
        env.stdout:write(output.csv({ "method", "parameters", "description" }, rows))
        return 0
    end
    local mw, rw = #"method", #"requires"
    for _, r in ipairs(rows) do
        if output.width(r.method) > mw then mw = output.width(r.method) end
        r.requires = r.required .. (r.more > 0 and ((r.required ~= "" and " " or "") .. "+" .. r.more) or "")
        if output.width(r.requires) > rw then rw = output.width(r.requires) end
    end
    local dw = WIDTH - mw - rw - 4
    for _, r in ipairs(rows) do r.description = cut(r.description, dw) end
    env.stdout:write(output.table({ "method", "requires", "description" }, rows))
    env.stdout:write("(requires: the required parameters, +N optional ones; xingtu endpoints <method> lists them)\n")
    return 0
end

return _M
