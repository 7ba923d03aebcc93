-- The `xingtu` command line (bin/xingtu): argument parsing and the commands.
--
--   xingtu <method> [<id>] [--platform P] [--range R] [--param k=v ...]   any catalogue method
--   xingtu endpoints                                                       the catalogue
--   xingtu report <author-id> [--platform P] [--range R]                   touch chart + conversion table
--   xingtu batch <method> --ids FILE|- [--concurrency N] [--rate R] [--max-calls N] [-o FILE]
--   common: --format table|json|ndjson|csv, --sandbox, --cache [DIR], --cache-ttl S, --offline, --timeout S
--
-- Exit status: 0 every call succeeded, 1 some call failed, 2 usage error (the message lists the valid values).
-- run(args, env) returns the status; it never calls os.exit, so --sandbox is always stopped.

local argparse = require "argparse"
local output = require "xingtu.cli.output"
local optschema = require "xingtu.options"
local term = require "xingtu.cli.term"

local _M = {}

local format, concat = string.format, table.concat
local type, tostring, ipairs, pairs, pcall = type, tostring, ipairs, pairs, pcall

local FORMATS = { "table", "json", "ndjson", "csv" }
local COMMANDS = { "endpoints", "report", "batch" }
local TOKEN_HELP = "no API token: set JUSTONEAPI_TOKEN to your Just One API token (from your account at "
    .. "https://justoneapi.com), or add --sandbox to run against the bundled local sandbox (no token needed)"
local OFFLINE_HELP = "no API token: --offline sends nothing, but the cache keeps answers per account: set "
    .. "JUSTONEAPI_TOKEN to the token that fetched them"

-- A usage error: printed with its valid values, exit status 2.
local Usage = {}
Usage.__index = Usage
Usage.__tostring = function(self) return self.message end
local function usage(message) error(setmetatable({ message = message }, Usage), 0) end

local function is_usage(e) return getmetatable(e) == Usage end

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

local function xingtu() return require "xingtu" end

-- The limits and defaults shared with the C core (csrc/xt_limits.h), loaded with the library.
local function limits() return require("xingtu.core").limits end

local function catalogue_names()
    return xingtu().endpoint_names
end

local function stderr_is_tty()
    local ok = os.execute("test -t 2")
    return ok == true or ok == 0
end

---------------------------------------------------------------------------------------------------------------------
-- Parsers.

local function add_common(p, default_format)
    p:option("--format -f", "Output format: " .. concat(FORMATS, ", ") .. ".", default_format)
        :choices(FORMATS)
    p:flag("--sandbox", "Run against the bundled sandbox (started and stopped around the command).")
    p:option("--cache", "Cache answers (in DIR, default $XDG_CACHE_HOME/xingtu or ~/.cache/xingtu).")
        :args("?"):argname("DIR")
    p:option("--cache-ttl", "Seconds a cached answer stays fresh (default 86400).")
    p:flag("--offline", "Answer from the cache only; a miss is an error (kind cache_miss).")
    p:option("--timeout", "Seconds for one attempt (default " .. limits().default_timeout .. ").")
    p:option("--retries", "Retries after the first attempt (default 3).")
    p:flag("--quiet -q", "Nothing on stderr but errors: no progress bar, no notes.")
    p:flag("--no-progress", "No progress bar (drawn only when stderr is a terminal anyway).")
    return p
end

local function add_params(p)
    p:option("--platform -p", "The platform parameter (SHORT_VIDEO, LIVE_STREAMING, PICTURE_TEXT, SHORT_DRAMA).")
    p:option("--range -r", "The period parameter: range or period (DAY_30, DAY_90).")
    p:option("--param -P", "Any parameter as name=value (repeatable).")
        :count("*"):argname("K=V")
    return p
end

-- The parser of one command. `make(name, description)` makes it (default argparse): .ci/cli-docs passes one that
-- makes the commands of a single parser, for the man page and the shell completions.
local function parser_for(command, make)
    make = make or argparse
    local p
    if command == "endpoints" then
        p = make("xingtu endpoints", "List the catalogue's methods and their parameters.")
        p:option("--format -f", "Output format: " .. concat(FORMATS, ", ") .. ".", "table"):choices(FORMATS)
        return p
    elseif command == "report" then
        p = make("xingtu report", "A creator report: touch distribution chart and conversion ranges.")
        p:argument("author_id", "The creator's author id (digits).")
        add_params(p)
        return add_common(p, "table")
    elseif command == "batch" then
        p = make("xingtu batch", "Call one method for many ids; every id appears once in the output.")
        p:argument("method", "A catalogue method (see xingtu endpoints).")
        p:option("--ids -i", "File with one id a line (# comments and blank lines skipped), or - for stdin.")
        p:option("--concurrency -c", "Requests in flight at once (default " .. limits().default_concurrency .. ").",
            tostring(limits().default_concurrency))
        p:option("--rate", "At most this many requests a second.")
        p:option("--max-calls", "Send at most this many requests (retries count); the rest fail with "
            .. "budget_exceeded.")
        p:option("--output -o", "Write the output to FILE instead of stdout.")
        add_params(p)
        return add_common(p, "ndjson")
    end
    p = make("xingtu " .. command, "Call " .. command .. " (see xingtu endpoints for its parameters).")
    p:argument("id", "The id the method needs (author id, item id or star author id).")
        :args("?")
    add_params(p)
    return add_common(p, "table")
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
        "",
        "Options (every command): --format table|json|ndjson|csv, --sandbox, --cache [DIR], --cache-ttl S, "
            .. "--offline,",
        "  --timeout S, --retries N, --quiet, --no-progress. `xingtu <command> --help` for the command's options.",
        "  xingtu --version prints the version. NO_COLOR=1 turns colour off (it is only used on a terminal).",
        "",
        "Methods: " .. concat(catalogue_names(), ", "),
        "",
        "Exit status: 0 all calls succeeded, 1 some failed, 2 usage error.",
        "The token is read from JUSTONEAPI_TOKEN; --sandbox needs none.",
    }
    return concat(lines, "\n") .. "\n"
end

---------------------------------------------------------------------------------------------------------------------
-- Parameters.

local function endpoint(method)
    local ep = xingtu().endpoints[method]
    if not ep then
        usage(format("unknown method %s; valid methods: %s", tostring(method), concat(catalogue_names(), ", ")))
    end
    return ep
end

local function param_names(ep)
    local names = {}
    for i, p in ipairs(ep.params) do names[i] = p.name end
    return concat(names, ", ")
end

local function find_param(ep, ...)
    for _, want in ipairs { ... } do
        for _, p in ipairs(ep.params) do
            if p.name == want then return p end
        end
    end
    return nil
end

-- The parameter the positional id fills: the catalogue's id parameter (the first required id).
local function id_param(ep)
    return require("xingtu.catalogue").id_param[ep.name]
end

-- Builds the params table of a call (without the id) from --platform, --range and --param.
local function build_params(ep, args)
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
    for _, kv in ipairs(args.param or {}) do
        local k, v = kv:match("^([^=]+)=(.*)$")
        if not k then usage(format("--param expects name=value, got %q", kv)) end
        if not find_param(ep, k) then
            local api = false
            for _, p in ipairs(ep.params) do
                if p.api == k then api = true end
            end
            if not api then
                usage(format("%s has no parameter %s; its parameters: %s", ep.name, k, param_names(ep)))
            end
        end
        params[k] = v
    end
    return params
end

-- Checks a call's parameters against the catalogue; a mistake is a usage error with the valid values.
local function check_params(ep, params)
    local validate = require "xingtu.validate"
    local ok, err = pcall(validate.query, ep, params, 1)
    if not ok then
        local msg = tostring(err):gsub("^[^:]*:%d+: ", ""):gsub("^xingtu%.[%w_]+: ", "")
        return nil, msg
    end
    return true
end

---------------------------------------------------------------------------------------------------------------------
-- The client.

-- Numeric flags are the library's options under another name: checked by the option's own rule (its range), so
-- that a value xingtu.new would refuse is a usage error here, never a traceback.
local CLIENT_OPTIONS = require("xingtu.client").OPTIONS
local NUMBER_FLAGS = { -- flag, option (also the key argparse stores the flag under)
    { "cache-ttl", "cache_ttl" }, { "timeout", "timeout" }, { "retries", "retries" }, { "rate", "rate" },
    { "max-calls", "max_calls" },
}

-- Flags whose value may look like an option (a negative number).
local VALUE_FLAGS = { ["--concurrency"] = true, ["-c"] = true }
for _, f in ipairs(NUMBER_FLAGS) do VALUE_FLAGS["--" .. f[1]] = true end

local function flag_number(flag, rule, text)
    if text == nil then return nil end
    local v = tonumber(text)
    if v ~= nil then v = optschema.value_ok(rule, v) end
    if v == nil then
        usage(format("--%s must be %s, got %s", flag, optschema.expected(rule), optschema.describe(text)))
    end
    return v
end

local function client_options(args, env, sandbox_state)
    local opts = {}
    if sandbox_state then
        opts.token, opts.base_url = sandbox_state.token, sandbox_state.url
    else
        local token = env.getenv("JUSTONEAPI_TOKEN")
        if token == nil or token == "" then usage(args.offline and OFFLINE_HELP or TOKEN_HELP) end
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
    for _, f in ipairs(NUMBER_FLAGS) do
        opts[f[2]] = flag_number(f[1], CLIENT_OPTIONS:rule(f[2]), args[f[2]])
    end
    return opts
end

---------------------------------------------------------------------------------------------------------------------
-- Sandbox.

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
-- Commands.

local function json_text(value, pretty)
    local core = require "xingtu.core"
    return core.encode(value, { sort_keys = true, indent = pretty and 2 or nil })
end

local function error_record(err)
    if type(err) ~= "table" then return { kind = "error", message = tostring(err) } end
    return {
        kind = err.kind, message = err.message, code = err.code, http_status = err.http_status,
        billed = err.billed, retryable = err.retryable, request_id = err.request_id, skipped = err.skipped,
    }
end

local function cmd_endpoints(args, env)
    local x = xingtu()
    if args.format == "json" or args.format == "ndjson" then
        local list = {}
        for i, name in ipairs(x.endpoint_names) do
            local ep = x.endpoints[name]
            list[i] = { name = ep.name, path = ep.path, description = ep.description, params = ep.params }
        end
        if args.format == "json" then
            env.stdout:write(json_text(list, true), "\n")
        else
            for _, e in ipairs(list) do env.stdout:write(json_text(e), "\n") end
        end
        return 0
    end
    local rows = {}
    for i, name in ipairs(x.endpoint_names) do
        local ep = x.endpoints[name]
        local ps = {}
        for j, p in ipairs(ep.params) do ps[j] = p.name .. (p.required and "*" or "") end
        rows[i] = { method = name, parameters = concat(ps, " "), description = ep.description }
    end
    local columns = { "method", "parameters", "description" }
    env.stdout:write(args.format == "csv" and output.csv(columns, rows) or output.table(columns, rows))
    return 0
end

local function write_data(env, fmt, data)
    if fmt == "json" then
        env.stdout:write(json_text(data, true), "\n")
    elseif fmt == "ndjson" then
        env.stdout:write(json_text(data), "\n")
    else
        local columns, rows = output.tabulate(data)
        env.stdout:write(fmt == "csv" and output.csv(columns, rows) or output.table(columns, rows))
    end
end

local function cmd_method(method, args, env, client_for)
    local ep = endpoint(method)
    local params = build_params(ep, args)
    local idp = id_param(ep)
    if idp then
        if not args.id then
            usage(format("%s needs the %s: xingtu %s <%s>", method, idp.name, method, idp.name:gsub("_", "-")))
        end
        params[idp.name] = args.id
    elseif args.id then
        usage(format("%s takes no id; give its parameters with --param (%s)", method, param_names(ep)))
    end
    local ok, why = check_params(ep, params)
    if not ok then usage(why) end
    local client = client_for()
    local data, meta = client:call(method, params)
    if data == nil then
        term.error_line(env, meta) -- "xingtu: <kind> ..."
        return 1
    end
    write_data(env, args.format, data)
    return 0
end

local function cmd_report(args, env, client_for)
    local report = require "xingtu.cli.report"
    local touch_ep, conv_ep = endpoint("touch_distribution"), endpoint("convert_ability")
    local platform = args.platform or "SHORT_VIDEO"
    local range = args.range or "DAY_30"
    local tp = { o_author_id = args.author_id, platform = platform }
    local cp = { o_author_id = args.author_id, platform = platform, range = range }
    for _, kv in ipairs(args.param or {}) do usage("report takes no --param (" .. kv .. ")") end
    for _, check in ipairs { { touch_ep, tp }, { conv_ep, cp } } do
        local ok, why = check_params(check[1], check[2])
        if not ok then usage(why) end
    end
    local client = client_for()
    local touch, touch_err = client:touch_distribution(tp)
    local conv, conv_err = client:convert_ability(cp)
    local status = (touch and conv) and 0 or 1
    if not touch then term.error_line(env, touch_err) end
    if not conv then term.error_line(env, conv_err) end
    local fmt = args.format
    if fmt == "table" then
        env.stdout:write(report.render { author_id = args.author_id, platform = platform, range = range,
            touch = touch, touch_err = touch_err, conv = conv, conv_err = conv_err })
        return status
    end
    local t = require("xingtu.touch").flatten(touch)
    local c = require("xingtu.ranges").rows(conv)
    if fmt == "csv" then
        -- One RFC 4180 table: a `section` column tells touch rows from conversion rows, each leaving the other's
        -- columns empty.
        local rows = {}
        for _, r in ipairs(t) do
            rows[#rows + 1] = { section = "touch", level = r.level, path = concat(r.path, " / "), cnt = r.cnt,
                share_of_parent = r.share_of_parent, share_of_total = r.share_of_total }
        end
        for _, r in ipairs(c) do
            rows[#rows + 1] = { section = "conversion", field = r.field, raw = r.raw, min = r.min, max = r.max,
                unit = r.unit }
        end
        env.stdout:write(output.csv({ "section", "level", "path", "cnt", "share_of_parent", "share_of_total", "field",
            "raw", "min", "max", "unit" }, rows))
        return status
    end
    local doc = {
        author_id = args.author_id, platform = platform, range = range,
        touch = setmetatable(t, { __jsontype = "array" }), conversion = setmetatable(c, { __jsontype = "array" }),
        errors = {
            touch = touch_err and not touch and error_record(touch_err) or nil,
            conversion = conv_err and not conv and error_record(conv_err) or nil,
        },
    }
    env.stdout:write(json_text(doc, fmt == "json"), "\n")
    return status
end

-- Reads the ids of a batch: trimmed lines, blanks and # comments skipped, duplicates kept once (first place).
local function read_ids(source, env)
    local f, close
    if source == "-" then
        f = env.stdin or io.stdin
    else
        local err
        f, err = io.open(source, "r")
        if not f then usage("--ids: cannot read " .. tostring(err)) end
        close = true
    end
    local ids, seen, dups = {}, {}, 0
    -- f:read, not f:lines(): a directory opens fine and fails only on reading, and lines() would raise.
    while true do
        local line, err = f:read("l")
        if not line then
            if err then
                if close then f:close() end
                usage(format("--ids: cannot read %s: %s", source, tostring(err)))
            end
            break
        end
        local id = line:gsub("#.*$", ""):match("^%s*(.-)%s*$")
        if id ~= "" then
            if seen[id] then
                dups = dups + 1
            else
                seen[id] = true
                ids[#ids + 1] = id
            end
        end
    end
    if close then f:close() end
    return ids, dups
end

-- A progress line on stderr: done/total, failures, rate, ETA (only when stderr is a terminal).
local function progress_bar(env, total, clock)
    local started, last = clock(), -1
    local bar_w = 24
    local function draw(done, failed, final)
        local now = clock()
        if not final and now - last < 0.1 then return end
        last = now
        local elapsed = now - started
        local rate = elapsed > 0 and done / elapsed or 0
        local eta = (rate > 0 and total > done) and (total - done) / rate or 0
        local filled = total > 0 and math.floor(bar_w * done / total) or bar_w
        env.stderr:write(format("\r\27[K[%s%s] %d/%d  failed %d  %.1f/s  ETA %d:%02d",
            ("█"):rep(filled), ("·"):rep(bar_w - filled), done, total, failed, rate,
            math.floor(eta / 60), math.floor(eta % 60)))
        if final then env.stderr:write("\n") end
    end
    return draw
end

local function cmd_batch(args, env, client_for)
    local ep = endpoint(args.method)
    local idp = id_param(ep)
    if not idp then
        usage(format("batch needs a method that takes an id; %s takes none. Methods with an id: %s", ep.name,
            concat((function()
                local out = {}
                for _, name in ipairs(catalogue_names()) do
                    if id_param(xingtu().endpoints[name]) then out[#out + 1] = name end
                end
                return out
            end)(), ", ")))
    end
    if not args.ids then usage("batch needs --ids FILE (one id a line) or --ids - (stdin)") end
    local concurrency = flag_number("concurrency", require("xingtu.batch").OPTIONS:rule("concurrency"),
        args.concurrency)
    local base = build_params(ep, args)
    local ids, dups = read_ids(args.ids, env)

    -- Check every request first: a malformed id is that id's own failure, never sent.
    local results, requests, index_of = {}, {}, {}
    for i, id in ipairs(ids) do
        local params = {}
        for k, v in pairs(base) do params[k] = v end
        params[idp.name] = id
        local ok, why = check_params(ep, params)
        if ok then
            requests[#requests + 1] = { ep.name, params }
            index_of[#requests] = i
        else
            if not why:find(idp.name, 1, true) then usage(why) end -- a bad shared parameter: nothing can succeed
            results[i] = { id = id, ok = false, error = { kind = "invalid_params", message = why, billed = false } }
        end
    end

    local out = env.stdout
    local file
    if args.output then
        local err
        file, err = io.open(args.output, "w")
        if not file then usage("-o: cannot write " .. tostring(err)) end
        out = file
    end
    if dups > 0 and not args.quiet then env.stderr:write(format("xingtu: %d duplicate id(s) skipped\n", dups)) end

    local fmt = args.format
    local emitted = 0
    local function emit_ready()
        -- json/ndjson stream in input order as soon as the prefix is complete.
        while results[emitted + 1] do
            emitted = emitted + 1
            if fmt == "ndjson" then
                out:write(json_text(results[emitted]), "\n")
            elseif fmt == "json" then
                out:write(emitted == 1 and "[\n" or ",\n", json_text(results[emitted]))
            end
        end
    end
    local failed = 0
    for _, r in pairs(results) do
        if not r.ok then failed = failed + 1 end
    end

    local status = 0
    if #requests > 0 then
        local client = client_for()
        local draw = not (args.quiet or args.no_progress) and stderr_is_tty()
            and progress_bar(env, #ids, require("xingtu.core").now)
        local done = #ids - #requests
        local function record(i, data, meta)
            local at = index_of[i]
            if data ~= nil then
                results[at] = { id = ids[at], ok = true, data = data }
            else
                failed = failed + 1
                results[at] = { id = ids[at], ok = false, error = error_record(meta) }
            end
            done = done + 1
            if draw then draw(done, failed) end
            emit_ready()
        end
        if client.each then
            for i, data, meta in client:each(requests, { concurrency = concurrency }) do record(i, data, meta) end
        else
            for i, req in ipairs(requests) do
                local data, meta = client:call(req[1], req[2])
                record(i, data, meta)
            end
        end
        if draw then draw(done, failed, true) end
    end
    emit_ready()
    if fmt == "json" then out:write(emitted == 0 and "[]\n" or "\n]\n") end
    if fmt == "table" or fmt == "csv" then
        local columns, rows, fixed, seen = { "id", "ok", "error_kind", "error_message" }, {}, {}, {}
        -- The data's own fields come after these; one of the same name (base_info has an `id`) is data.<name>.
        for _, name in ipairs(columns) do fixed[name], seen[name] = true, true end
        for i = 1, #ids do
            local r = results[i]
            local row = { id = r.id, ok = r.ok }
            if r.ok then
                local rec, order = output.flatten(r.data)
                for _, k in ipairs(order) do
                    local column = fixed[k] and "data." .. k or k
                    if not seen[column] then
                        seen[column] = true
                        columns[#columns + 1] = column
                    end
                    row[column] = rec[k]
                end
            else
                row.error_kind, row.error_message = r.error.kind, r.error.message
            end
            rows[i] = row
        end
        out:write(fmt == "csv" and output.csv(columns, rows) or output.table(columns, rows))
    end
    if file then file:close() end
    if failed > 0 then
        if not args.quiet then env.stderr:write(format("xingtu: %d of %d failed\n", failed, #ids)) end
        status = 1
    end
    return status
end

---------------------------------------------------------------------------------------------------------------------
-- Entry.

--- run(argv, env) -> exit status. env: { stdout, stderr, getenv, root } (defaults: the process's).
-- True when name is one of the commands or a catalogue method.
local function is_command(name)
    if xingtu().endpoints[name] ~= nil then return true end
    for _, c in ipairs(COMMANDS) do
        if c == name then return true end
    end
    return false
end

function _M.run(argv, env)
    env = env or default_env()
    for k, v in pairs(default_env()) do
        if env[k] == nil then env[k] = v end
    end
    local command = argv[1]
    -- Options may come before the command too (xingtu --sandbox report ...): the command is the first argument that
    -- names one; everything else goes to its parser.
    if type(command) == "string" and command:sub(1, 1) == "-" and command ~= "-h" and command ~= "--help"
        and command ~= "--version" then
        for k = 2, #argv do
            if is_command(argv[k]) then
                command = argv[k]
                local moved = { command }
                for i = 1, #argv do
                    if i ~= k then moved[#moved + 1] = argv[i] end
                end
                argv = moved
                break
            end
        end
    end
    if command == nil then
        env.stderr:write(top_help())
        return 2
    end
    if command == "-h" or command == "--help" or command == "help" then
        env.stdout:write(top_help())
        return 0
    end
    if command == "--version" then
        env.stdout:write("xingtu ", xingtu().VERSION, "\n")
        return 0
    end
    if not is_command(command) then
        env.stderr:write(format("xingtu: unknown command %s\ncommands: %s\nmethods: %s\n", command,
            concat(COMMANDS, ", "), concat(catalogue_names(), ", ")))
        return 2
    end
    local parser = parser_for(command)
    local rest = {}
    local i = 2
    while i <= #argv do
        local a, v = argv[i], argv[i + 1]
        -- `--retries -1` would read -1 as an option ("unknown option '-1'"): glued to its flag, it is a value that
        -- the flag's own check refuses, naming the range.
        if VALUE_FLAGS[a] and type(v) == "string" and v:match("^%-[%d.iInN]") then
            rest[#rest + 1] = a .. (a:sub(2, 2) == "-" and "=" or "") .. v -- --flag=-1, -c-1
            i = i + 2
        else
            rest[#rest + 1] = a
            i = i + 1
        end
    end
    local ok, args = parser:pparse(rest)
    if not ok then
        env.stderr:write(parser:get_usage(), "\n\nxingtu ", command, ": ", tostring(args), "\n")
        return 2
    end

    local sandbox_state
    local client
    -- The sandbox starts with the first client, after every usage check has passed.
    local function client_for()
        if not client then
            if args.sandbox then sandbox_state = sandbox_start(env) end
            client = xingtu().new(client_options(args, env, sandbox_state))
        end
        return client
    end
    local status
    local okrun, err = xpcall(function()
        -- The options' usage checks first; the token is checked when the command needs a client, after its own
        -- arguments were checked, so that a mistake in them is what the user hears about.
        if command ~= "endpoints" then client_options(args, env, { token = "", url = "" }) end
        if command == "endpoints" then
            status = cmd_endpoints(args, env)
        elseif command == "report" then
            status = cmd_report(args, env, client_for)
        elseif command == "batch" then
            status = cmd_batch(args, env, client_for)
        else
            status = cmd_method(command, args, env, client_for)
        end
    end, function(e)
        if is_usage(e) then return e end
        return debug.traceback(tostring(e), 2)
    end)
    if client then client:close() end
    sandbox_stop(sandbox_state)
    if not okrun then
        if is_usage(err) then
            env.stderr:write("xingtu ", command, ": ", err.message, "\n")
            return 2
        end
        env.stderr:write("xingtu: internal error: ", tostring(err), "\n")
        return 1
    end
    return status
end

_M.usage = usage
_M.parser_for = parser_for
_M.COMMANDS = COMMANDS
_M.TOKEN_HELP = TOKEN_HELP

return _M
