-- `xingtu <method> [<id>] [--platform P] [--range R] [--param k=v ...]`: one call of any catalogue method; the id
-- fills the method's id parameter (the catalogue's). The command contract: lua/xingtu/cli/commands/endpoints.lua
-- (here parser and run also take the method's name).

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"
local term = require "xingtu.cli.term"

local _M = { name = "<method>" }

local format = string.format
local usage = args_mod.usage

function _M.parser(make, method)
    local p = make("xingtu " .. method, "Call " .. method .. " (see xingtu endpoints for its parameters).")
    local ep = require("xingtu.catalogue").by_name[method]
    local idp = ep and args_mod.id_param(ep)
    -- a method without an id parameter offers no <id> in its usage (one given anyway is refused in run, naming
    -- the parameters it does take)
    if idp or not ep then
        p:argument("id", "The " .. (idp and idp.name or "id") .. " the method needs.")
            :args("?")
    else
        p:argument("id"):args("?"):hidden(true)
    end
    args_mod.add_params(p)
    if ep then p:epilog(require("xingtu.cli.method_help").epilog(ep)) end
    p:help_max_width(100)
    return args_mod.add_common(p, "table")
end

function _M.run(args, env, session, method)
    local ep = args_mod.endpoint(method)
    local params = args_mod.build_params(ep, args)
    local idp = args_mod.id_param(ep)
    if idp then
        if not args.id then
            usage(format("%s needs the %s: xingtu %s <%s>", method, idp.name, method, idp.name:gsub("_", "-")))
        end
        params[idp.name] = args.id
    elseif args.id then
        usage(format("%s takes no id; give its parameters with --param (%s)", method, args_mod.param_names(ep)))
    end
    local ok, why = args_mod.check_params(ep, params)
    if not ok then usage(why) end
    local data, meta = session:client():call(method, params)
    if data == nil then
        term.error_line(env, meta) -- "xingtu: <kind> ..."
        return 1
    end
    output.write_data(env.stdout, args.format, data)
    return 0
end

return _M
