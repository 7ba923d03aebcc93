-- What a command runs on: the client its flags ask for, made when the command first needs it, and the bundled
-- sandbox behind --sandbox, started then and stopped when the command ends.
--
--   local session = require "xingtu.cli.session"
--   session.check(args, env)                -- the flags' usage checks, before anything runs
--   local s = session.new(args, env)
--   local client = s:client()               -- xingtu.new{...} from the flags (and --sandbox started)
--   s:close()                               -- the client closed, the sandbox stopped (also after an error)
--
-- The token is read from JUSTONEAPI_TOKEN; with --sandbox it is the sandbox's. A new flag that sets an option of
-- xingtu.new is one line in client_options (or in args.NUMBER_FLAGS for a number).

local args_mod = require "xingtu.cli.args"

local _M = {}

local tostring, ipairs, setmetatable = tostring, ipairs, setmetatable
local usage = args_mod.usage

_M.TOKEN_HELP = "no API token: set JUSTONEAPI_TOKEN to your Just One API token (from your account at "
    .. "https://justoneapi.com), or add --sandbox to run against the bundled local sandbox (no token needed)"
local OFFLINE_HELP = "no API token: --offline sends nothing, but the cache keeps answers per account: set "
    .. "JUSTONEAPI_TOKEN to the token that fetched them"

local function xingtu() return require "xingtu" end

-- The options of xingtu.new the flags ask for; `sandbox_state` gives the token and URL with --sandbox.
local function client_options(args, env, sandbox_state)
    local opts = {}
    if sandbox_state then
        opts.token, opts.base_url = sandbox_state.token, sandbox_state.url
    else
        local token = env.getenv("JUSTONEAPI_TOKEN")
        if token == nil or token == "" then usage(args.offline and OFFLINE_HELP or _M.TOKEN_HELP) end
        opts.token = token
    end
    if args.cache then
        local dir = args.cache[1]
        opts.cache = (dir and dir ~= "") and dir or true
    end
    if args.cache or args.offline then -- a directory others can reach is the environment's fault: no traceback
        local cache = xingtu().cache
        local why = cache.unsafe_dir(opts.cache ~= true and opts.cache or cache.default_dir())
        if why then usage(why) end
    end
    if args.offline then opts.offline = true end
    local rules = require("xingtu.client").OPTIONS
    for _, f in ipairs(args_mod.NUMBER_FLAGS) do
        opts[f[2]] = args_mod.flag_number(f[1], rules:rule(f[2]), args[f[2]])
    end
    if args.cache_max_size then -- a capped directory cache (lua/xingtu/cache.lua, max_size)
        local size = require("xingtu.cli.commands.cache").parse_size(args.cache_max_size)
        if not size then
            usage(string.format("--cache-max-size takes bytes or a size (500K, 200M, 2G), got %q", args.cache_max_size))
        end
        if not args.cache then usage("--cache-max-size goes with --cache [DIR]") end
        local cache = xingtu().cache
        local dir = opts.cache ~= true and opts.cache or cache.default_dir()
        opts.cache = cache.new { dir = dir, max_size = size, ttl = opts.cache_ttl, offline = opts.offline }
    end
    return opts
end

--- The usage checks of the flags (numbers, the cache directory), the token aside: a mistake in the command's own
--  arguments is what the user hears about first.
function _M.check(args, env)
    client_options(args, env, { token = "", url = "" })
end

---------------------------------------------------------------------------------------------------------------------
-- The bundled sandbox.

local function shell_quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function sandbox_start(env)
    local script = env.sandbox_script or (env.root and (env.root .. "/bin/xingtu-sandbox"))
    local f = script and io.open(script, "r")
    if not f then usage("--sandbox needs the xingtu-sandbox command beside xingtu (not found)") end
    f:close()
    -- The sandbox reads the catalogue: from the modules this command runs on, wherever they were installed.
    local endpoints = package.searchpath("xingtu.endpoints", package.path)
    local lua_dir = endpoints and endpoints:match("^(.*)/xingtu/endpoints%.lua$")
    local p = assert(io.popen((lua_dir and "XINGTU_LUA_DIR=" .. shell_quote(lua_dir) .. " " or "") .. "bash "
        .. shell_quote(script) .. " start 2>&1", "r"))
    local out = p:read("a")
    p:close()
    local dir, url = out:match("dir=(%S+) url=(%S+)")
    if not dir then usage("--sandbox: the sandbox did not start: " .. out:gsub("%s+$", "")) end
    return { dir = dir, url = url, token = env.getenv("SANDBOX_TOKEN") or "sandbox-token", script = script }
end

local function sandbox_stop(state)
    if state and not state.stopped then
        state.stopped = true
        os.execute("bash " .. shell_quote(state.script) .. " stop " .. shell_quote(state.dir) .. " >/dev/null 2>&1")
    end
end

---------------------------------------------------------------------------------------------------------------------
-- The session.

local Session = {}
Session.__index = Session

--- session.new(args, env) -> a session for the parsed flags `args`.
function _M.new(args, env)
    return setmetatable({ args = args, env = env }, Session)
end

--- The client of the command; the sandbox starts with the first client, after every usage check has passed.
function Session:client()
    if not self.client_ then
        if self.args.sandbox then self.sandbox = sandbox_start(self.env) end
        local opts = client_options(self.args, self.env, self.sandbox)
        local ok, client = pcall(xingtu().new, opts)
        if not ok then
            -- The URL comes from the environment (the flags were checked): a bad one is the environment's fault,
            -- one line and no traceback. Anything else is a bug and goes on as one.
            local why = type(client) == "string" and client:match("option base_url (must be .*)$")
            if why and not opts.base_url then usage("JUSTONEAPI_BASE_URL " .. why) end
            error(client, 0)
        end
        self.client_ = client
    end
    return self.client_
end

--- Closes the client and stops the sandbox, whatever happened.
function Session:close()
    if self.client_ then self.client_:close() end
    sandbox_stop(self.sandbox)
end

return _M
