#!/usr/bin/env lua5.4
-- Writes the command line's man pages and shell completions from its own parsers (lua/xingtu/cli/main.lua), so that
-- they say what `xingtu --help` says and cannot drift from it. The build runs it (CMakeLists.txt's cli_docs target,
-- for the Lua 5.4 build), so nothing generated is committed and a new endpoint or flag needs no regeneration:
--   DIR/xingtu.1, DIR/xingtu-sandbox.1                  man pages (roff), e.g. `man ./build/doc/xingtu.1`
--   DIR/completion/xingtu.bash, _xingtu, xingtu.fish    bash, zsh and fish completions (argparse generates them)
--
--   lua5.4 doc/cli-docs.lua --write DIR   write the files that differ (default DIR: build/doc)
--
-- The core is loaded from $XINGTU_CPATH when set (the build passes its own), else from build/.
-- spec/cli_manners_spec.lua loads this file with the argument "--module" and gets { render, FILES }.

local ROOT = (debug.getinfo(1, "S").source:match("^@(.*)/doc/[^/]+$") or ".")
package.path = ROOT .. "/lua/?.lua;" .. package.path
package.cpath = (os.getenv("XINGTU_CPATH") or (ROOT .. "/build/?.so")) .. ";" .. package.cpath

local argparse = require "argparse"
local cli = require "xingtu.cli.main"
local xingtu = require "xingtu"

local concat, format = table.concat, string.format

local SUMMARY = "Douyin Creator Marketplace (Xingtu) data of the Just One API on the command line"

-- One parser whose commands are the command line's: `endpoints`, `report`, `batch` and every catalogue method, each
-- with exactly the options main.lua gives it.
local function full_parser()
    local top = argparse("xingtu", SUMMARY .. ".")
    top:flag("--version", "Print the version and exit.")
    local commands = {}
    local function make(name, description)
        local command = name:match("(%S+)$")
        local ep = xingtu.endpoints[command]
        if ep then description = ep.description .. "." end
        local c = top:command(command, description)
        commands[#commands + 1] = c
        return c
    end
    for _, name in ipairs(cli.COMMANDS) do cli.parser_for(name, make) end
    for _, name in ipairs(xingtu.endpoint_names) do cli.parser_for(name, make) end
    return top, commands
end

---------------------------------------------------------------------------------------------------------------------
-- roff

local function roff(text)
    text = text:gsub("\\", "\\e"):gsub("%-", "\\-")
    return (text:gsub("\n([.'])", "\n\\&%1"):gsub("^([.'])", "\\&%1"))
end

local function option_label(o)
    -- argparse's help shows "--format {table,...}, -f {table,...}"; a man page shows "-f, --format {table,...}".
    local names = {}
    for _, alias in ipairs(o._public_aliases) do names[#names + 1] = alias end
    table.sort(names, function(a, b) return #a < #b end)
    local arg = concat(o:_get_argument_list(), " ")
    local label = {}
    for i, n in ipairs(names) do label[i] = "\\fB" .. roff(n) .. "\\fR" end
    local text = concat(label, ", ")
    if arg and arg ~= "" then text = text .. " \\fI" .. roff(arg) .. "\\fR" end
    return text
end

local function options_of(p, skip)
    local out = {}
    for _, o in ipairs(p._options) do
        local key = o._name
        if not (skip and skip[key]) and key ~= "-h" then
            out[#out + 1] = ".TP\n" .. option_label(o) .. "\n" .. roff(o:_get_description()) .. "\n"
        end
    end
    return concat(out)
end

local function xingtu_1()
    local _, commands = full_parser()
    local by_name = {}
    for _, c in ipairs(commands) do by_name[c._name] = c end
    local method = by_name[xingtu.endpoint_names[1]]
    local common = {}
    for _, o in ipairs(method._options) do common[o._name] = true end
    local out = {
        format('.TH XINGTU 1 "" "xingtu %s" "User Commands"\n', xingtu.VERSION),
        ".SH NAME\nxingtu \\- " .. roff(SUMMARY) .. "\n",
        ".SH SYNOPSIS\n",
        ".B xingtu\n.I method\n.RI [ id ]\n.RI [ options ]\n.br\n",
        ".B xingtu endpoints\n.RB [ \\-\\-format\n.IR format ]\n.br\n",
        ".B xingtu report\n.I author-id\n.RI [ options ]\n.br\n",
        ".B xingtu batch\n.I method\n.B \\-\\-ids\n.IR file | \\-\n.RI [ options ]\n.br\n",
        ".B xingtu history\n.I id\n.B \\-\\-db\n.I file\n.RI [ options ]\n.br\n",
        ".B xingtu diff\n.B \\-\\-since\n.I date\n.B \\-\\-db\n.I file\n.RI [ options ]\n.br\n",
        ".B xingtu cache\n.BR stats \" | \" prune\n.RI [ options ]\n.br\n",
        ".B xingtu\n.BR \\-\\-version \" | \" \\-\\-help\n",
        ".SH DESCRIPTION\n",
        roff("xingtu calls the Douyin Creator Marketplace (Xingtu) endpoints of the Just One API and prints the "
            .. "answers as aligned tables (East Asian wide characters take two columns), exact JSON, NDJSON or CSV "
            .. "(RFC 4180). Every call's arguments are checked before anything is sent, so a mistake is never "
            .. "billed. The token is read from JUSTONEAPI_TOKEN and never printed; with --sandbox the command runs "
            .. "against the bundled local sandbox instead, started and stopped around it (see xingtu-sandbox(1)).")
            .. "\n",
        ".SH COMMANDS\n",
        ".TP\n\\fImethod\\fR [\\fIid\\fR]\n",
        roff("Calls one catalogue method; the id fills the method's required id parameter. --platform and --range "
            .. "(range or period) map onto the method's own parameters, --param name=value gives any other. "
            .. "The methods are: " .. concat(xingtu.endpoint_names, ", ") .. ".") .. "\n",
        ".TP\n\\fBendpoints\\fR\n" .. roff(by_name.endpoints._description) .. "\n",
        ".TP\n\\fBreport\\fR \\fIauthor-id\\fR\n" .. roff(by_name.report._description) .. "\n",
        ".TP\n\\fBbatch\\fR \\fImethod\\fR \\fB\\-\\-ids\\fR \\fIfile\\fR|\\fB\\-\\fR\n",
        roff(by_name.batch._description .. " Reads one id a line, or a CSV whose first column is the id (- for "
            .. "stdin; blank lines, # comments, a header and a byte order mark skipped, duplicates once) "
            .. "and writes every id exactly once in input order with its data or its error. A progress bar goes "
            .. "to stderr only when stderr is a terminal.") .. "\n",
        ".TP\n\\fBhistory\\fR \\fIid\\fR \\fB\\-\\-db\\fR \\fIfile\\fR\n" .. roff(by_name.history._description) .. "\n",
        ".TP\n\\fBdiff\\fR \\fB\\-\\-since\\fR \\fIdate\\fR \\fB\\-\\-db\\fR \\fIfile\\fR\n"
            .. roff(by_name.diff._description) .. "\n",
        ".TP\n\\fBcache\\fR \\fBstats\\fR|\\fBprune\\fR\n" .. roff(by_name.cache._description) .. "\n",
        ".SH OPTIONS\n",
        ".TP\n\\fB\\-\\-version\\fR\nPrint the version and exit.\n",
        ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nShow the help of xingtu, or of the command it follows, and exit.\n",
        options_of(method),
        ".SS Options of batch\n",
        options_of(by_name.batch, common),
        ".SS Options of history\n",
        options_of(by_name.history),
        ".SS Options of diff\n",
        options_of(by_name.diff),
        ".SS Options of cache\n",
        options_of(by_name.cache),
        ".SH ENVIRONMENT\n",
        ".TP\n.B JUSTONEAPI_TOKEN\nThe Just One API token (not needed with \\-\\-sandbox or \\-\\-offline).\n",
        ".TP\n.B JUSTONEAPI_BASE_URL\nAnother provider URL (http or https).\n",
        ".TP\n.B NO_COLOR\nWhen set and not empty, no colour (colour is only used on a terminal anyway).\n",
        ".TP\n.B XDG_CACHE_HOME\n\\-\\-cache without a directory caches in $XDG_CACHE_HOME/xingtu, "
            .. "else ~/.cache/xingtu.\n",
        ".TP\n.B XINGTU_SANDBOX_PORT\nThe port \\-\\-sandbox tries first (default 29470).\n",
        ".SH EXIT STATUS\n",
        ".TP\n.B 0\nEvery call succeeded.\n.TP\n.B 1\nSome call failed (its error is on stderr, or in the batch "
            .. "output).\n.TP\n.B 2\nA usage error; the message lists the valid values.\n",
        ".SH EXAMPLES\n.nf\n",
        roff("xingtu endpoints\n"
            .. "xingtu touch_distribution 6976442543234760712 --platform LIVE_STREAMING\n"
            .. "xingtu convert_ability 6976442543234760712 --range DAY_90 --format json\n"
            .. "xingtu report 6976442543234760712 --sandbox\n"
            .. "xingtu batch side_info --ids ids.txt --concurrency 8 --rate 5 --max-calls 500 -o out.ndjson\n"),
        ".fi\n",
        ".SH SEE ALSO\n.BR xingtu\\-sandbox (1)\n",
    }
    return concat(out)
end

local function xingtu_sandbox_1()
    -- The usage lines of bin/xingtu-sandbox's header are its --help: one source for both.
    local script = assert(io.open(ROOT .. "/bin/xingtu-sandbox", "r")):read("a")
    local header = {}
    for line in script:gmatch("([^\n]*)\n") do
        if line:match("^#!") then goto continue end
        if not line:match("^#") then break end
        header[#header + 1] = (line:gsub("^# ?", ""))
        ::continue::
    end
    local summary = header[1]:match("^xingtu%-sandbox: (.-)%.?$")
    local body = {}
    for i = 2, #header do body[#body + 1] = header[i] end
    local out = {
        format('.TH XINGTU\\-SANDBOX 1 "" "xingtu %s" "User Commands"\n', xingtu.VERSION),
        ".SH NAME\nxingtu\\-sandbox \\- " .. roff(summary) .. "\n",
        ".SH SYNOPSIS\n",
        ".B xingtu\\-sandbox start\n.RB [ \\-\\-port\n.IR N ]\n.RB [ \\-\\-workers\n.IR N ]\n.RB [ \\-\\-dir\n"
            .. ".IR DIR ]\n.br\n",
        ".B xingtu\\-sandbox stop\n.I DIR\n.br\n.B xingtu\\-sandbox \\-\\-help\n",
        ".SH DESCRIPTION\n",
        roff("A local stand-in for the provider: nginx with its Lua module serves every endpoint with "
            .. "deterministic bodies on 127.0.0.1, accepts only the token sandbox-token, rejects bad parameters "
            .. "with code 400 like the provider, and can be told to misbehave through its control API. It needs "
            .. "nginx and its Lua module (Debian: nginx-light, libnginx-mod-http-lua) and curl.") .. "\n",
        ".SH USAGE\n.nf\n", roff(concat(body, "\n"):gsub("^\n+", ""):gsub("\n+$", "")) .. "\n.fi\n",
        ".SH SEE ALSO\n.BR xingtu (1)\n",
    }
    return concat(out)
end

local FILES = {
    { "xingtu.1", xingtu_1 },
    { "xingtu-sandbox.1", xingtu_sandbox_1 },
    { "completion/xingtu.bash", function() return (full_parser()):get_bash_complete() end },
    { "completion/_xingtu", function() return (full_parser()):get_zsh_complete() end },
    { "completion/xingtu.fish", function() return (full_parser()):get_fish_complete() end },
}

local function render()
    local out = {}
    for i, f in ipairs(FILES) do out[i] = { path = f[1], text = f[2]() } end
    return out
end

local mode = ...
if mode == "--module" then return { render = render, FILES = FILES, ROOT = ROOT } end

local function read(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local text = f:read("a")
    f:close()
    return text
end

if mode == "--write" then
    local dir = select(2, ...) or (ROOT .. "/build/doc")
    assert(os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "/completion'"), "cannot create " .. dir)
    for _, f in ipairs(render()) do
        local path = dir .. "/" .. f.path
        if read(path) ~= f.text then -- unchanged files keep their time: nothing downstream rebuilds
            local tmp = path .. ".tmp"
            local out = assert(io.open(tmp, "wb"))
            assert(out:write(f.text))
            assert(out:close())
            assert(os.rename(tmp, path))
        end
    end
else
    io.stderr:write("cli-docs: usage: lua5.4 doc/cli-docs.lua --write [DIR]\n")
    os.exit(2)
end
