-- `xingtu batch <method> --ids FILE|- [--concurrency N] [--rate R] [--max-calls N] [-o FILE]`: one method for many
-- ids, through client:each; every id appears once in the output, in input order. The command contract:
-- lua/xingtu/cli/commands/endpoints.lua.
--
-- The steps: the ids read (lua/xingtu/cli/ids.lua: one a line or a CSV's first column, duplicates kept once), every
-- request checked (a malformed id is that id's own failure, never sent; a bad shared parameter is a usage error), the
-- output opened, the batch run, each record handed to the format's emitter (lua/xingtu/cli/emit/<format>.lua) in
-- input order as soon as the records before it are in, and a summary on stderr. A new output format is one file in
-- cli/emit/.

local args_mod = require "xingtu.cli.args"
local catalogue = require "xingtu.catalogue"
local output = require "xingtu.cli.output"
local progress = require "xingtu.cli.progress"
local jobs = require "xingtu.jobs"

local _M = { name = "batch" }

local format, concat = string.format, table.concat
local ipairs, pairs, tostring = ipairs, pairs, tostring
local usage = args_mod.usage

local function limits() return require("xingtu.core").limits end
local DEFAULT_GRACE = 5
local DB_COMMIT_EVERY = 200

function _M.parser(make)
    local p = make("xingtu batch", "Call one method, or several (--methods), for many ids; every (id, method) "
        .. "appears once in the output.")
    p:argument("method", "A catalogue method (see xingtu endpoints); or give --methods."):args("?")
    p:option("--methods -m", "Several methods, comma-separated: one record per (id, method), keyed by both.")
    p:option("--ids -i", "File with one id a line or a CSV whose first column is the id (a header, # comments and "
        .. "blank lines skipped), or - for stdin.")
    p:option("--concurrency -c", "Requests in flight at once (default " .. limits().default_concurrency .. ").",
        tostring(limits().default_concurrency))
    p:option("--rate", "At most this many requests a second.")
    p:option("--max-calls", "Send at most this many requests (retries count); the rest fail with "
        .. "budget_exceeded.")
    p:option("--output -o", "Write the output to FILE instead of stdout (locked while the run lasts).")
    p:flag("--resume", "Keep what -o already holds and send only the (id, method) pairs it lacks (ndjson).")
    p:option("--grace", "Seconds what is in flight may take to finish after SIGINT/SIGTERM (default "
        .. DEFAULT_GRACE .. "); a second signal stops at once.")
    p:option("--db", "Also store every outcome as a snapshot row in this SQLite file (see xingtu history).")
    args_mod.add_params(p)
    return args_mod.add_common(p, "ndjson", require("xingtu.cli.sheet").FORMATS)
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

-- The methods of the run: the positional one, or --methods a,b,c (each checked, duplicates kept once).
local function methods_of(args)
    if args.method and args.methods then usage("give either a method or --methods, not both") end
    if not args.method and not args.methods then
        usage("batch needs a method, or --methods m1,m2,...; valid methods: " .. concat(catalogue.names, ", "))
    end
    local names, seen = {}, {}
    for name in (args.method or args.methods):gmatch("[^,%s]+") do
        if not seen[name] then
            seen[name] = true
            names[#names + 1] = name
        end
    end
    if #names == 0 then usage("--methods: no method given; valid methods: " .. concat(catalogue.names, ", ")) end
    local eps = {}
    for i, name in ipairs(names) do
        local ep, idp = method_with_id(name)
        eps[i] = { ep = ep, idp = idp }
    end
    return eps
end

-- The parameters of each method: --param method.name=value goes to that method only; with several methods a shared
-- --platform, --range or --param name=value goes to the methods that have that parameter (and is a usage error
-- when none has it). With one method everything is the method's, as it always was.
local function params_of(eps, args)
    local by_method, wanted = {}, {}
    for _, e in ipairs(eps) do wanted[e.ep.name] = true end
    local shared, own = {}, {}
    for _, kv in ipairs(args.param or {}) do
        local m, rest = kv:match("^([%w_]+)%.([^=]+=.*)$")
        if m and catalogue.by_name[m] then
            if not wanted[m] then
                usage(format("--param %s: %s is not one of this run's methods (%s)", kv, m,
                    concat((function()
                        local t = {}
                        for i, e in ipairs(eps) do t[i] = e.ep.name end
                        return t
                    end)(), ", ")))
            end
            own[m] = own[m] or {}
            own[m][#own[m] + 1] = rest
        else
            shared[#shared + 1] = kv
        end
    end
    local function has(ep, ...)
        for _, n in ipairs { ... } do
            if catalogue.param(ep, n) then return true end
        end
        return false
    end
    if #eps > 1 then
        local checks = { { args.platform, "--platform", "platform" }, { args.range, "--range", "range", "period" } }
        for _, kv in ipairs(shared) do
            checks[#checks + 1] = { kv, "--param " .. kv, kv:match("^([^=]+)=") or kv }
        end
        for _, c in ipairs(checks) do
            if c[1] then
                local any = false
                for _, e in ipairs(eps) do
                    if has(e.ep, c[3], c[4]) then any = true end
                end
                if not any then usage(format("%s: none of this run's methods has that parameter", c[2])) end
            end
        end
    end
    for _, e in ipairs(eps) do
        local ep = e.ep
        local mine = { platform = args.platform, range = args.range, param = {} }
        if #eps > 1 then
            if not has(ep, "platform") then mine.platform = nil end
            if not has(ep, "range", "period") then mine.range = nil end
        end
        for _, kv in ipairs(shared) do
            if #eps == 1 or has(ep, kv:match("^([^=]+)=") or "") then mine.param[#mine.param + 1] = kv end
        end
        for _, kv in ipairs(own[ep.name] or {}) do mine.param[#mine.param + 1] = kv end
        by_method[ep.name] = args_mod.build_params(ep, mine)
    end
    return by_method
end

-- The slots of the run, in output order (id-major: every method of an id before the next id). A slot is only its
-- number: slot k is method ((k-1) % #eps) + 1 of id floor((k-1) / #eps) + 1, and its parameters are built when it is
-- sent, so a job of any length keeps per slot nothing but the ids list it read (the job's memory stays flat in the
-- number of ids). Slots a resumed output already holds are skipped; a malformed id is that slot's own record, never
-- sent: those few are kept, with their slot number, until written. Every shared parameter is checked here, before
-- anything is opened or sent (a bad one is a usage error).
local function slots_of(eps, ids, base_of, done, tag)
    local m = #eps
    local S = { total = #ids * m, todo = 0, sendable = 0, invalid = {} }
    local function at(k)
        local i = math.floor((k - 1) / m) -- not //: one code path for every Lua
        local e = eps[k - i * m]
        local id = ids[i + 1]
        if done[jobs.key(id, e.ep.name)] then return nil end
        return id, e
    end
    S.at = at
    function S.params(id, e)
        local params = {}
        for k, v in pairs(base_of[e.ep.name]) do params[k] = v end
        params[e.idp.name] = id
        return params
    end
    local results = {}
    for k = 1, S.total do
        local id, e = at(k)
        if id then
            S.todo = S.todo + 1
            local ok, why = args_mod.check_params(e.ep, S.params(id, e))
            if ok then
                S.sendable = S.sendable + 1
            else
                if not why:find(e.idp.name, 1, true) then usage(why) end -- a bad shared parameter
                S.invalid[k] = true
                results[k] = { id = id, method = tag and e.ep.name or nil, ok = false,
                    error = { kind = "invalid_params", message = why, billed = false } }
            end
        end
    end
    return S, results
end

-- The records in output order, each handed to the emitter as soon as the ones before it are in. Returns the
-- flusher and a function giving how many were written.
-- flush(true) at the end of a stopped run writes what came back past the holes the stop left (requests never sent):
-- what was bought is kept, and a resumed run fills the holes.
local function in_order(emitter, results, on_record, S)
    local next_slot, written = 0, 0
    return function(past_holes)
        while next_slot < S.total do
            local k = next_slot + 1
            local r = results[k]
            if not r then
                if not past_holes and S.at(k) then break end -- a hole, unless the output already held it
            else
                results[k] = nil -- written: a long job keeps no answer it already wrote
                if not emitter:add(r) then return false end
                written = written + 1
                if on_record then on_record(r) end
            end
            next_slot = k
        end
        return true
    end, function() return written end
end

-- Whether a failure is the creator's own outcome, kept in a job file (-o) like an answer. The account's failures
-- (a revoked token, no balance), a spend cap (--max-calls, a shared budget) and what they left unsent say nothing
-- about the creator: a job file leaves them out, so that --resume sends them once the account works again.
local function final(err)
    local kind = err.kind
    return not (err.skipped or require("xingtu.errors").ACCOUNT_KINDS[kind] or kind == "budget_exceeded"
        or kind == "budget_unavailable")
end

-- "N kind, M kind" by count, most first.
local function by_kind(counts)
    local kinds = {}
    for kind, n in pairs(counts) do kinds[#kinds + 1] = { kind, n } end
    table.sort(kinds, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
    local parts, total = {}, 0
    for i, k in ipairs(kinds) do
        parts[i] = format("%d %s", k[2], k[1])
        total = total + k[2]
    end
    return parts, total
end

-- The one-line summary: counts from client:stats(), failures by kind, what a job file left for the next run.
local function summary(stats, failed, total, written, left, abandoned, signal, write_failure, held_back)
    local parts, nfailed = by_kind(failed)
    local held, nheld = by_kind(held_back or {})
    local s = stats or { sent = 0, retried = 0, billed = 0, billed_unknown = 0, cache_hits = 0, coalesced = 0 }
    local counts = format("written %d, sent %d, retried %d, billed %d (+%d unknown), cache hits %d, coalesced %d, "
        .. "left %d", written, s.sent, s.retried, s.billed, s.billed_unknown, s.cache_hits, s.coalesced or 0, left)
    if abandoned > 0 then counts = counts .. format(", abandoned in flight %d", abandoned) end
    local head
    if signal then
        head = format("stopped by SIG%s", signal)
    elseif write_failure then
        head = format("stopped: -o could not be written (%s)", write_failure)
    elseif nheld > 0 then
        head = format("%d of %d not done (%s): --resume sends them", nheld, total, concat(held, ", "))
        if #parts > 0 then head = head .. format("; %d failed: %s", nfailed, concat(parts, ", ")) end
    elseif #parts > 0 then
        head = format("%d of %d failed: %s", nfailed, total, concat(parts, ", "))
    else
        head = format("%d of %d succeeded", total, total)
    end
    if (signal or write_failure) and #parts > 0 then head = head .. "; failed: " .. concat(parts, ", ") end
    return format("xingtu: %s (%s)\n", head, counts)
end

-- The output: a locked job file (one write per record, cut back to the last whole record when a write fails),
-- or the command's stdout.
local function open_output(args, env, resume_cut)
    if not args.output then
        local out = env.stdout
        return { write = function(_, ...) return out:write(concat { ... }) end, close = function() end }
    end
    local jf, err = require("xingtu.core").jobfile.open(args.output, resume_cut)
    if not jf then usage("-o: " .. tostring(err)) end
    local w = { jf = jf }
    function w.write(_, ...)
        local ok, why = jf:append(concat { ... })
        if not ok then
            w.failure = why
            return nil, why
        end
        return true
    end
    function w.close() jf:close() end
    return w
end

local function run(args, env, session, signal)
    local eps = methods_of(args)
    local tag = args.methods ~= nil or args.resume
    if not args.ids then usage("batch needs --ids FILE (one id a line) or --ids - (stdin)") end
    if args.format == "xlsx" and not args.output then
        usage("--format xlsx writes a binary file: give it with -o FILE")
    end
    local concurrency = args_mod.flag_number("concurrency", require("xingtu.batch").OPTIONS:rule("concurrency"),
        args.concurrency)
    local grace = DEFAULT_GRACE
    if args.grace then
        grace = tonumber(args.grace)
        if not grace or grace < 0 or grace ~= grace or grace == math.huge then
            usage("--grace must be a number of seconds >= 0, got " .. tostring(args.grace))
        end
    end
    if args.resume and not args.output then usage("--resume needs -o FILE: it resumes what that file holds") end
    if args.resume and args.format ~= "ndjson" then
        usage("--resume reads the output back: it needs --format ndjson, got " .. tostring(args.format))
    end
    local base_of = params_of(eps, args)
    local ids = {}
    local dups = require("xingtu.cli.ids").read(args.ids, env, ids, {})
    local done, cut, dropped, already = {}, nil, 0, 0
    if args.resume then
        local decode = require("xingtu.core").decode
        local single = #eps == 1 and eps[1].ep.name or nil
        done, cut, dropped, already = jobs.done_keys(args.output, decode, single)
    elseif args.output then
        cut = 0
    end
    local S, results = slots_of(eps, ids, base_of, done, tag)
    local db
    if args.db then
        local ok, history = pcall(require, "xingtu.history")
        if not ok then usage("--db: the history module is not available: " .. tostring(history)) end
        local d, err = history.open(args.db)
        if not d then usage("--db: " .. tostring(err)) end
        db = d
    end
    local w = open_output(args, env, cut)
    if not args.quiet then
        if dups > 0 then env.stderr:write(format("xingtu: %d duplicate id(s) skipped\n", dups)) end
        if args.resume then
            env.stderr:write(format("xingtu: resuming: %d record(s) already in %s, %d to go%s\n", already,
                args.output, S.todo, dropped > 0 and format(" (a cut last line of %d bytes dropped)", dropped)
                or ""))
        end
    end
    local emitter = require("xingtu.cli.emit." .. args.format).open(w)
    local failed_by_kind, failed, held_back = {}, 0, {}
    local db_pending = 0
    local function on_record(r)
        if not r.ok then
            failed = failed + 1
            local k = r.error and r.error.kind or "error"
            failed_by_kind[k] = (failed_by_kind[k] or 0) + 1
        end
        if db then
            local ok, err = db:record(r.outcome)
            if not ok then error({ db_error = err }) end
            db_pending = db_pending + 1
            if db_pending >= DB_COMMIT_EVERY then
                db:commit()
                db:begin()
                db_pending = 0
            end
        end
        r.outcome = nil
    end
    -- Emitters take records without the outcome the database needs.
    local inner = emitter
    emitter = { add = function(_, r)
        local o = r.outcome
        r.outcome = nil
        inner:add(r)
        r.outcome = o
        return not w.failure
    end, finish = function() inner:finish() end }
    local flush, written = in_order(emitter, results, on_record, S)
    local function outcome_of(id, e, r, meta, params)
        if not db then return nil end
        return { method = e.ep.name, params = params or S.params(id, e), id = id, fetched_at = os.time(),
            data = r.ok and r.data or nil, meta = r.ok and meta or nil, err = (not r.ok) and r.error or nil }
    end
    for k, r in pairs(results) do r.outcome = outcome_of(r.id, select(2, S.at(k)), r) end
    if db then db:begin() end
    local client = S.sendable > 0 and session:client() or nil
    local stopped, abandoned = nil, 0
    local draw = progress.wanted(args) and progress.bar(env, S.todo, require("xingtu.core").now)
    if client then
        local ok, err = pcall(function()
            -- pulled[i] is the slot of the batch's i-th request, dropped when its answer is in: only what is held.
            local pulled, npulled, yielded, k = {}, 0, 0, 0
            local stopping = false
            local invalid, at = S.invalid, S.at
            local function source()
                if stopping then return nil end
                local id, e
                repeat
                    k = k + 1
                    if k > S.total then return nil end
                    if not invalid[k] then id, e = at(k) end
                until id
                npulled = npulled + 1
                pulled[npulled] = k
                return { e.ep.name, S.params(id, e) }
            end
            local deadline, aborted, h
            local batch = require "xingtu.batch"
            -- The first signal stops the sending; what is in flight may finish until the grace is up or a second
            -- signal comes, and is then abandoned (answers already in are still written). Checked after each
            -- record and, through on_wait, while the batch waits for a slow provider.
            local function check_signal()
                local name, count = signal.pending()
                if not name or aborted then return end
                if not stopping then
                    stopping, stopped = true, name
                    deadline = require("xingtu.core").now() + grace
                    batch.stop(h, require("xingtu.errors").new { kind = "interrupted", billed = false,
                        message = "stopped by SIG" .. name })
                end
                if count >= 2 or require("xingtu.core").now() >= deadline then
                    aborted = true
                    batch.stop(h, nil, true)
                end
            end
            local it
            it, h = client:each(source, { concurrency = concurrency, on_wait = check_signal })
            while true do
                check_signal()
                local i, data, meta = it(h)
                if i == nil then break end
                yielded = yielded + 1
                local slot = pulled[i]
                pulled[i] = nil
                local id, e = at(slot)
                local name = e.ep.name
                local r
                if data ~= nil then
                    r = { id = id, method = tag and name or nil, ok = true, data = data }
                else
                    r = { id = id, method = tag and name or nil, ok = false, error = output.error_record(meta) }
                end
                if not r.ok and (r.error.kind == "interrupted" and r.error.skipped
                    or args.output and not final(r.error)) then
                    results[slot] = nil -- no answer kept: the next run sends it
                    -- One that had been sent (its retry was dropped by the stop) was bought without an answer.
                    if type(meta) == "table" and meta.previous ~= nil then abandoned = abandoned + 1 end
                    if r.error.kind ~= "interrupted" then
                        held_back[r.error.kind] = (held_back[r.error.kind] or 0) + 1
                    end
                else
                    r.outcome = outcome_of(id, e, r, data ~= nil and meta or nil)
                    results[slot] = r
                end
                if draw then draw(written() + 1, failed) end
                if not flush() then break end
            end
            abandoned = abandoned + npulled - yielded
            batch.stop(h, nil, true)
        end)
        if not ok then
            if type(err) == "table" and err.db_error then
                w.close()
                usage("--db: " .. tostring(err.db_error))
            end
            error(err, 0)
        end
    end
    flush(true)
    if draw then draw(written(), failed, true) end
    emitter:finish()
    w.close()
    if db then
        db:commit()
        db:close()
    end
    local n_written = written()
    local left = S.todo - n_written
    local stats = client and client:stats() or nil
    if w.failure then
        env.stderr:write(format("xingtu: -o: writing a record failed (%s); the file ends at the last whole record\n",
            w.failure))
    end
    -- A stop is always reported (the one line the issue asks for); the counts of any other run unless --quiet.
    if stopped or not args.quiet then
        env.stderr:write(summary(stats, failed_by_kind, S.todo, n_written, left, abandoned, stopped,
            w.failure, held_back))
    end
    if stopped then return stopped == "INT" and 130 or stopped == "TERM" and 143 or 129 end
    if failed > 0 or left > 0 then return 1 end
    return 0
end

-- Signals are watched from the command's start, not from its first request: reading a long id list, or the output
-- a --resume continues, takes seconds, and a SIGTERM then must still end in the one summary line, not in the
-- default death with nothing said.
function _M.run(args, env, session)
    local signal = require("xingtu.core").signal
    signal.watch()
    local ok, code = pcall(run, args, env, session, signal)
    signal.restore()
    if not ok then error(code, 0) end
    return code
end

return _M
