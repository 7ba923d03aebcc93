-- `xingtu endpoints [--format F]`: the catalogue's methods with their parameters and descriptions.
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
    local p = make("xingtu endpoints", "List the catalogue's methods and their parameters.")
    p:option("--format -f", "Output format: " .. concat(args_mod.FORMATS, ", ") .. ".", "table")
        :choices(args_mod.FORMATS)
    return p
end

local function as_json(args, env)
    local list = {}
    for i, name in ipairs(catalogue.names) do
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

function _M.run(args, env)
    if args.format == "json" or args.format == "ndjson" then return as_json(args, env) end
    local rows = {}
    for i, name in ipairs(catalogue.names) do
        local ep = catalogue.by_name[name]
        local ps = {}
        for j, p in ipairs(ep.params) do ps[j] = p.name .. (p.required and "*" or "") end
        rows[i] = { method = name, parameters = concat(ps, " "), description = ep.description }
    end
    local columns = { "method", "parameters", "description" }
    env.stdout:write(args.format == "csv" and output.csv(columns, rows) or output.table(columns, rows))
    return 0
end

return _M
