-- The command line's shared argument and flag handling: usage errors, the flags every command takes, the parameter
-- flags (--platform, --range, --param) and how they map onto a method's parameters, the numeric flags checked by the
-- rules of the library options they set, and the checks of a call's parameters against the catalogue.
--
--   local args = require "xingtu.cli.args"
--   args.usage("--ids: cannot read ...")            -- raises a usage error: one line, exit status 2
--   args.add_common(parser, "table"); args.add_params(parser)
--   local params = args.build_params(ep, parsed)     -- { platform = ..., range = ..., <--param k=v> }
--   local ok, why = args.check_params(ep, params)    -- the catalogue's checks, as a usage message
--   local n = args.flag_number("concurrency", rule, text)
--
-- A new command takes these flags by calling add_common/add_params on its parser; a new numeric flag is one line
-- in NUMBER_FLAGS (when it sets an option of xingtu.new) or one flag_number call.

local catalogue = require "xingtu.catalogue"
local optschema = require "xingtu.options"

local _M = {}

local format, concat = string.format, table.concat
local type, tostring, ipairs, pcall, setmetatable, getmetatable, error =
    type, tostring, ipairs, pcall, setmetatable, getmetatable, error

_M.FORMATS = { "table", "json", "ndjson", "csv" }

---------------------------------------------------------------------------------------------------------------------
-- Usage errors.

-- A usage error: printed with its valid values, exit status 2.
local Usage = {}
Usage.__index = Usage
Usage.__tostring = function(self) return self.message end

--- Raises a usage error (caught by cli/main.lua: "xingtu <command>: <message>", exit status 2).
function _M.usage(message) error(setmetatable({ message = message }, Usage), 0) end
local usage = _M.usage

--- True when `e` is a usage error.
function _M.is_usage(e) return getmetatable(e) == Usage end

---------------------------------------------------------------------------------------------------------------------
-- Flags.

-- The limits and defaults shared with the C core (csrc/xt_limits.h), loaded with the library.
local function limits() return require("xingtu.core").limits end

--- The flags every command that calls the provider takes; `formats` (default FORMATS) are those --format offers.
function _M.add_common(p, default_format, formats)
    formats = formats or _M.FORMATS
    p:option("--format -f", "Output format: " .. concat(formats, ", ") .. ".", default_format)
        :choices(formats)
    p:flag("--sandbox", "Run against the bundled sandbox (started and stopped around the command).")
    p:option("--cache", "Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu).")
        :args("?"):argname("DIR")
    p:option("--cache-ttl", "Seconds a cached answer stays fresh (default 86400).")
    p:option("--cache-max-size", "Cap the cache's entries at this size, the oldest removed first (500M, 2G).")
        :argname("S")
    p:flag("--offline", "Answer from the cache only; a miss is an error (kind cache_miss).")
    p:option("--timeout", "Seconds for one attempt (default " .. limits().default_timeout .. ").")
    p:option("--retries", "Retries after the first attempt (default 3).")
    p:flag("--quiet -q", "Nothing on stderr but errors: no progress bar, no notes.")
    p:flag("--no-progress", "No progress bar (drawn only when stderr is a terminal anyway).")
    return p
end

--- The parameter flags: --platform, --range and --param name=value.
function _M.add_params(p)
    p:option("--platform -p", "The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA).")
    p:option("--range -r", "The period parameter: range or period (DAY_30, DAY_90).")
    p:option("--param -P", "Any parameter as name=value (repeatable).")
        :count("*"):argname("K=V")
    return p
end

-- Numeric flags are the library's options under another name: checked by the option's own rule (its range), so
-- that a value xingtu.new would refuse is a usage error here, never a traceback.
_M.NUMBER_FLAGS = { -- flag, option (also the key argparse stores the flag under)
    { "cache-ttl", "cache_ttl" }, { "timeout", "timeout" }, { "retries", "retries" }, { "rate", "rate" },
    { "max-calls", "max_calls" },
}

-- Flags whose value may look like an option (a negative number).
local VALUE_FLAGS = { ["--concurrency"] = true, ["-c"] = true }
for _, f in ipairs(_M.NUMBER_FLAGS) do VALUE_FLAGS["--" .. f[1]] = true end

--- The number a numeric flag gives, checked by `rule` (an options rule); a usage error when it does not fit.
function _M.flag_number(flag, rule, text)
    if text == nil then return nil end
    local v = tonumber(text)
    if v ~= nil then v = optschema.value_ok(rule, v) end
    if v == nil then
        usage(format("--%s must be %s, got %s", flag, optschema.expected(rule), optschema.describe(text)))
    end
    return v
end

--- argv (after the command) with negative values glued to their numeric flags: `--retries -1` would read -1 as an
--  option ("unknown option '-1'"); as `--retries=-1` it is a value the flag's own check refuses, naming the range.
function _M.glue_values(argv, from)
    local rest = {}
    local i = from
    while i <= #argv do
        local a, v = argv[i], argv[i + 1]
        if VALUE_FLAGS[a] and type(v) == "string" and v:match("^%-[%d.iInN]") then
            rest[#rest + 1] = a .. (a:sub(2, 2) == "-" and "=" or "") .. v -- --flag=-1, -c-1
            i = i + 2
        else
            rest[#rest + 1] = a
            i = i + 1
        end
    end
    return rest
end

---------------------------------------------------------------------------------------------------------------------
-- Parameters.

--- The catalogue entry of `method`, or a usage error listing the methods.
function _M.endpoint(method)
    local ep = catalogue.by_name[method]
    if not ep then
        usage(format("unknown method %s; valid methods: %s", tostring(method), concat(catalogue.names, ", ")))
    end
    return ep
end

--- The parameter names of an entry, for messages.
function _M.param_names(ep)
    local names = {}
    for i, p in ipairs(ep.params) do names[i] = p.name end
    return concat(names, ", ")
end
local param_names = _M.param_names

-- The first parameter of `ep` named one of the names given (snake_case names only).
local function find_param(ep, ...)
    for _, want in ipairs { ... } do
        for _, p in ipairs(ep.params) do
            if p.name == want then return p end
        end
    end
    return nil
end

-- --param name=value: the name is the parameter's, in either form.
local function param_flag(ep, params, kv)
    local k, v = kv:match("^([^=]+)=(.*)$")
    if not k then usage(format("--param expects name=value, got %q", kv)) end
    if not catalogue.param(ep, k) then
        usage(format("%s has no parameter %s; its parameters: %s", ep.name, k, param_names(ep)))
    end
    params[k] = v
end

--- The params table of a call (without the id) from --platform, --range and --param.
function _M.build_params(ep, args)
    local params = {}
    if args.platform then
        local p = find_param(ep, "platform")
        if not p then
            usage(format("%s has no platform parameter; its parameters: %s", ep.name, param_names(ep)))
        end
        params[p.name] = args.platform
    end
    if args.range then
        local p = find_param(ep, "range", "period")
        if not p then
            usage(format("%s has no range or period parameter; its parameters: %s", ep.name, param_names(ep)))
        end
        params[p.name] = args.range
    end
    for _, kv in ipairs(args.param or {}) do param_flag(ep, params, kv) end
    return params
end

--- Checks a call's parameters against the catalogue: true, or nil and the message (without the library's prefix).
function _M.check_params(ep, params)
    local validate = require "xingtu.validate"
    local ok, err = pcall(validate.query, ep, params, 1)
    if not ok then
        local msg = tostring(err):gsub("^[^:]*:%d+: ", ""):gsub("^xingtu%.[%w_]+: ", "")
        return nil, msg
    end
    return true
end

--- The parameter the positional id fills: the catalogue's id parameter (the first required id).
function _M.id_param(ep)
    return catalogue.id_param[ep.name]
end

return _M
