-- The `xingtu` command line (bin/xingtu): finding the command, parsing its arguments, running it.
--
--   xingtu <method> [<id>] [--platform P] [--range R] [--param k=v ...]   any catalogue method
--   xingtu endpoints                                                       the catalogue
--   xingtu report <author-id> [--platform P] [--range R]                   touch chart + conversion table
--   xingtu batch <method> --ids FILE|- [--concurrency N] [--rate R] [--max-calls N] [-o FILE]
--   xingtu history <id> --db FILE [--method M]  /  xingtu diff --since DATE --db FILE    the snapshot database
--   xingtu cache stats|prune [--cache DIR] [--older-than D] [--max-size S] [--dry-run]   cache upkeep
--   common: --format table|json|ndjson|csv, --sandbox, --cache [DIR], --cache-ttl S, --offline, --timeout S
--
-- Each command is a module of lua/xingtu/cli/commands/ (the contract is in commands/endpoints.lua): a new command
-- is one file there and one name in COMMANDS. The flags they share are lua/xingtu/cli/args.lua's; the client and
-- the --sandbox they run on, lua/xingtu/cli/session.lua's.
--
-- Exit status: 0 every call succeeded, 1 some call failed, 2 usage error (the message lists the valid values).
-- run(args, env) returns the status; it never calls os.exit, so --sandbox is always stopped.

local argparse = require "argparse"
local args_mod = require "xingtu.cli.args"
local catalogue = require "xingtu.catalogue"
local session_mod = require "xingtu.cli.session"

local _M = {}

local format, concat = string.format, table.concat
local type, tostring, ipairs, pairs, xpcall = type, tostring, ipairs, pairs, xpcall

-- The commands besides the catalogue's methods, in the order the help lists them.
local COMMANDS = { "endpoints", "report", "batch", "search", "compare", "history", "diff", "cache" }

local function command_module(name)
    for _, c in ipairs(COMMANDS) do
        if c == name then return require("xingtu.cli.commands." .. name) end
    end
    return require "xingtu.cli.commands.method"
end

---------------------------------------------------------------------------------------------------------------------
-- Environment: output streams, the library, the sandbox. Replaceable for tests (env argument of run).

local function default_env()
    return {
        stdout = io.stdout,
        stderr = io.stderr,
        getenv = os.getenv,
        root = nil, -- the checkout, set by bin/xingtu
        sandbox_script = nil, -- the xingtu-sandbox beside bin/xingtu (for --sandbox), set by bin/xingtu
    }
end

---------------------------------------------------------------------------------------------------------------------
-- Parsers.

-- The parser of one command. `make(name, description)` makes it (default argparse): doc/cli-docs.lua passes one that
-- makes the commands of a single parser, for the man page and the shell completions.
local function parser_for(command, make)
    return command_module(command).parser(make or argparse, command)
end

local function top_help()
    local lines = {
        "Usage: xingtu <command> [options]",
        "",
        "Commands:",
        "  <method> [<id>]      call one catalogue method, e.g. xingtu touch_distribution 6976442543234760712",
        "  endpoints            list the methods and their parameters",
        "  report <author-id>   touch distribution chart and conversion ranges of a creator",
        "  batch <method> --ids FILE|-   call a method for many ids",
        "  search [--keyword K] [--all]  the creator square over many pages (xingtu search --help for filters)",
        "  compare ID...|--ids FILE|-    creators side by side: card, touchpoints, conversion, audience",
        "  history <id> --db FILE        how a creator's figures changed between snapshots",
        "  diff --since DATE --db FILE   the creators whose figures moved most since DATE",
        "  cache stats|prune             what the response cache holds; remove old entries (--older-than, --max-size)",
        "",
        "Options (every command): --format table|json|ndjson|csv, --sandbox, --cache [DIR], --cache-ttl S, "
            .. "--offline,",
        "  --timeout S, --retries N, --quiet, --no-progress. `xingtu <command> --help` for the command's options.",
        "  xingtu --version prints the version. NO_COLOR=1 turns colour off (it is only used on a terminal).",
        "",
        "Methods: " .. concat(catalogue.names, ", "),
        "",
        "Exit status: 0 all calls succeeded, 1 some failed, 2 usage error.",
        "The token is read from JUSTONEAPI_TOKEN; --sandbox needs none.",
    }
    return concat(lines, "\n") .. "\n"
end

---------------------------------------------------------------------------------------------------------------------
-- Entry.

-- True when name is one of the commands or a catalogue method.
local function is_command(name)
    if catalogue.by_name[name] ~= nil then return true end
    for _, c in ipairs(COMMANDS) do
        if c == name then return true end
    end
    return false
end

-- Options may come before the command too (xingtu --sandbox report ...): the command is the first argument that
-- names one; everything else goes to its parser.
local function command_first(argv)
    local command = argv[1]
    if type(command) == "string" and command:sub(1, 1) == "-" and command ~= "-h" and command ~= "--help"
        and command ~= "--version" then
        for k = 2, #argv do
            if is_command(argv[k]) then
                local moved = { argv[k] }
                for i = 1, #argv do
                    if i ~= k then moved[#moved + 1] = argv[i] end
                end
                return moved
            end
        end
    end
    return argv
end

-- Help, the version, an unknown command: answered without a parser. Returns the exit status, or nil to go on.
local function answer_alone(command, env)
    if command == nil then
        env.stderr:write(top_help())
        return 2
    end
    if command == "-h" or command == "--help" or command == "help" then
        env.stdout:write(top_help())
        return 0
    end
    if command == "--version" then
        env.stdout:write("xingtu ", require("xingtu").VERSION, "\n")
        return 0
    end
    if not is_command(command) then
        local known = {}
        for _, c in ipairs(COMMANDS) do known[#known + 1] = c end
        for _, m in ipairs(catalogue.names) do known[#known + 1] = m end
        local near = require("xingtu.cli.suggest").closest(command, known)
        if #near > 0 then
            env.stderr:write(format("xingtu: unknown command %s; did you mean %s?\n", command, concat(near, " or ")))
            return 2
        end
        env.stderr:write(format("xingtu: unknown command %s\ncommands: %s\nmethods: %s\n", command,
            concat(COMMANDS, ", "), concat(catalogue.names, ", ")))
        return 2
    end
    return nil
end

-- Runs a parsed command; a usage error is one line and status 2, anything else an internal error (status 1).
local function run_command(command, args, env)
    local module = command_module(command)
    local session = session_mod.new(args, env)
    local status
    local okrun, err = xpcall(function()
        -- The options' usage checks first; the token is checked when the command needs a client, after its own
        -- arguments were checked, so that a mistake in them is what the user hears about.
        if module.uses_client ~= false then session_mod.check(args, env) end
        status = module.run(args, env, session, command)
    end, function(e)
        if args_mod.is_usage(e) then return e end
        return debug.traceback(tostring(e), 2)
    end)
    session:close()
    if not okrun then
        if args_mod.is_usage(err) then
            env.stderr:write("xingtu ", command, ": ", err.message, "\n")
            return 2
        end
        env.stderr:write("xingtu: internal error: ", tostring(err), "\n")
        return 1
    end
    return status
end

--- run(argv, env) -> exit status. env: { stdout, stderr, getenv, root } (defaults: the process's).
function _M.run(argv, env)
    env = env or default_env()
    for k, v in pairs(default_env()) do
        if env[k] == nil then env[k] = v end
    end
    argv = command_first(argv)
    local command = argv[1]
    local answered = answer_alone(command, env)
    if answered then return answered end
    local parser = parser_for(command)
    local ok, args = parser:pparse(args_mod.glue_values(argv, 2))
    if not ok then
        env.stderr:write(parser:get_usage(), "\n\nxingtu ", command, ": ", tostring(args), "\n")
        return 2
    end
    return run_command(command, args, env)
end

_M.usage = args_mod.usage
_M.parser_for = parser_for
_M.COMMANDS = COMMANDS
_M.TOKEN_HELP = session_mod.TOKEN_HELP

return _M
