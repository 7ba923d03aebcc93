-- `xingtu batch <method> --ids FILE|- [--concurrency N] [--rate R] [--max-calls N] [-o FILE]`: one method for many
-- ids, through client:each; every id appears once in the output, in input order. The command contract:
-- lua/xingtu/cli/commands/endpoints.lua.
--
-- The steps: the ids read (trimmed, blanks and # comments skipped, duplicates kept once), every request checked
-- (a malformed id is that id's own failure, never sent; a bad shared parameter is a usage error), the output opened,
-- the batch run, each record handed to the format's emitter (lua/xingtu/cli/emit/<format>.lua) in input order as
-- soon as the records before it are in, and a summary on stderr. A new output format is one file in cli/emit/.

local args_mod = require "xingtu.cli.args"
local catalogue = require "xingtu.catalogue"
local output = require "xingtu.cli.output"
local progress = require "xingtu.cli.progress"

local _M = { name = "batch" }

local format, concat = string.format, table.concat
local ipairs, pairs, tostring = ipairs, pairs, tostring
local usage = args_mod.usage

local function limits() return require("xingtu.core").limits end

function _M.parser(make)
    local p = make("xingtu batch", "Call one method for many ids; every id appears once in the output.")
    p:argument("method", "A catalogue method (see xingtu endpoints).")
    p:option("--ids -i", "File with one id a line (# comments and blank lines skipped), or - for stdin.")
    p:option("--concurrency -c", "Requests in flight at once (default " .. limits().default_concurrency .. ").",
        tostring(limits().default_concurrency))
    p:option("--rate", "At most this many requests a second.")
    p:option("--max-calls", "Send at most this many requests (retries count); the rest fail with "
        .. "budget_exceeded.")
    p:option("--output -o", "Write the output to FILE instead of stdout.")
    args_mod.add_params(p)
    return args_mod.add_common(p, "ndjson", require("xingtu.cli.sheet").FORMATS)
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

-- The method's entry and its id parameter; a method without one is a usage error listing those that have one.
local function method_with_id(method)
    local ep = args_mod.endpoint(method)
    local idp = args_mod.id_param(ep)
    if not idp then
        local with_id = {}
        for _, name in ipairs(catalogue.names) do
            if catalogue.id_param[name] then with_id[#with_id + 1] = name end
        end
        usage(format("batch needs a method that takes an id; %s takes none. Methods with an id: %s", ep.name,
            concat(with_id, ", ")))
    end
    return ep, idp
end

-- The requests of the ids, every one checked first: a malformed id is that id's own record (results[i]), never
-- sent. Returns requests, index_of (request -> id position), results.
local function requests_of(ep, idp, ids, base)
    local results, requests, index_of = {}, {}, {}
    for i, id in ipairs(ids) do
        local params = {}
        for k, v in pairs(base) do params[k] = v end
        params[idp.name] = id
        local ok, why = args_mod.check_params(ep, params)
        if ok then
            requests[#requests + 1] = { ep.name, params }
            index_of[#requests] = i
        else
            if not why:find(idp.name, 1, true) then usage(why) end -- a bad shared parameter: nothing can succeed
            results[i] = { id = id, ok = false, error = { kind = "invalid_params", message = why, billed = false } }
        end
    end
    return requests, index_of, results
end

-- The records in input order, each handed to the emitter as soon as the ones before it are in.
local function in_order(emitter, results)
    local emitted = 0
    return function()
        while results[emitted + 1] do
            emitted = emitted + 1
            emitter:add(results[emitted])
        end
    end
end

-- Runs the requests; every outcome goes into results (at its id's position). Returns how many failed.
local function run_requests(client, requests, index_of, ids, results, opts)
    local failed = 0
    for _, r in pairs(results) do
        if not r.ok then failed = failed + 1 end
    end
    if #requests == 0 then return failed end
    local draw = progress.wanted(opts.args) and progress.bar(opts.env, #ids, require("xingtu.core").now)
    local done = #ids - #requests
    local function record(i, data, meta)
        local at = index_of[i]
        if data ~= nil then
            results[at] = { id = ids[at], ok = true, data = data }
        else
            failed = failed + 1
            results[at] = { id = ids[at], ok = false, error = output.error_record(meta) }
        end
        done = done + 1
        if draw then draw(done, failed) end
        opts.flush()
    end
    for i, data, meta in client:each(requests, { concurrency = opts.concurrency }) do record(i, data, meta) end
    if draw then draw(done, failed, true) end
    return failed
end

function _M.run(args, env, session)
    local ep, idp = method_with_id(args.method)
    if not args.ids then usage("batch needs --ids FILE (one id a line) or --ids - (stdin)") end
    if args.format == "xlsx" and not args.output then
        usage("--format xlsx writes a binary file: give it with -o FILE")
    end
    local concurrency = args_mod.flag_number("concurrency", require("xingtu.batch").OPTIONS:rule("concurrency"),
        args.concurrency)
    local base = args_mod.build_params(ep, args)
    local ids, dups = read_ids(args.ids, env)
    local requests, index_of, results = requests_of(ep, idp, ids, base)
    local out, file = env.stdout, nil
    if args.output then
        local err
        file, err = io.open(args.output, "w")
        if not file then usage("-o: cannot write " .. tostring(err)) end
        out = file
    end
    if dups > 0 and not args.quiet then env.stderr:write(format("xingtu: %d duplicate id(s) skipped\n", dups)) end
    local emitter = require("xingtu.cli.emit." .. args.format).open(out)
    local flush = in_order(emitter, results)
    local failed = run_requests(#requests > 0 and session:client() or nil, requests, index_of, ids, results,
        { env = env, args = args, concurrency = concurrency, flush = flush })
    flush()
    emitter:finish()
    if file then file:close() end
    if #requests > 0 and not args.quiet then
        -- What the run cost, apart from what it was spared: cache hits and coalesced requests sent nothing.
        local st = session:client():stats()
        env.stderr:write(format("xingtu: %d sent, %d cache hit(s), %d coalesced; billed %d, billing unknown %d\n",
            st.sent, st.cache_hits, st.coalesced, st.billed, st.billed_unknown))
    end
    if failed > 0 then
        if not args.quiet then env.stderr:write(format("xingtu: %d of %d failed\n", failed, #ids)) end
        return 1
    end
    return 0
end

return _M
