-- Concurrent batches: client:batch(requests, opts) and client:each(requests, opts) (lua/xingtu/client.lua), on the
-- client's call pipeline (lua/xingtu/pipeline.lua).
--
--   batch.each(pipe, requests, opts)  -> iterator, handle, nil, handle     (Client:each)
--   batch.batch(pipe, requests, opts) -> results in input order            (Client:batch)
--
-- One scheduler drives a multi engine (pipe:open_multi: the C core's core.multi, csrc/multi.c, or the transport's
-- own) through the pipeline's steps, so a request inside a batch goes exactly the way a single call does:
-- from_cache -> before_attempt (spend guard, pacing) -> one transfer -> after_attempt (classify, retry or not) ->
-- failed. What changes is that nothing blocks:
--
--   * a request waiting for its retry or for the rate limit sits on a timer list and holds no transfer slot; the
--     engine polls the multi with a timeout equal to the next timer and sleeps (the pipeline's sleep) only when
--     nothing is in flight;
--   * at most `concurrency` transfers run at once and at most 2 x `concurrency` requests are held (pulled from the
--     input and not yet handed to the caller), so an iterator input of any length streams in bounded memory;
--   * slow start: the first request goes alone; the rest follow once its answer came back and was not an
--     account-level failure, so a batch against a revoked token or an exhausted balance costs one request;
--   * duplicates (requests for the same answer: xingtu.request's key) send one request: those held while the first
--     is queued or in flight wait for it; for an array input, counted up front (lua/xingtu/dedupe.lua), the first's
--     outcome is also kept while duplicates of it are still to come, so a duplicate anywhere in the array sends
--     nothing (meta.coalesced = true; a failure the provider gave is shared too), and dropped when the last took it;
--   * every request pulled yields exactly one outcome: success, its own failure, `budget_exceeded` when the spend
--     guard stops it, or (after an account-level failure) the account's error kind with `skipped = true`;
--   * after the first account-level failure (errors.ACCOUNT_KINDS) nothing more is sent: requests not yet sent
--     (queued, or waiting for a retry) get that kind with skipped = true and billed = false; transfers already in
--     flight finish normally, and cache hits are still answered (they send nothing);
--   * `break`, an error in the loop body or the garbage collector closes the engine: m:close() aborts what is in
--     flight (those transfers may have been billed) and frees every handle.
--
-- A request is { name, params }: a catalogue method name and its parameters as for client:<name>(params).
-- Arrays are checked completely before anything is sent. Requests from an iterator function are checked as they
-- are pulled; a bad one, or an error raised by the iterator function, ends the pulling: the requests pulled before
-- it are finished and handed out as usual (nothing already paid for is thrown away, nothing after it is sent), then
-- the iterator closes the engine and raises the error ("xingtu.each: request <n>: ...", or the iterator's own).
--
-- No Lua 5.4-only syntax here: client.lua loads this module under LuaJIT (nginx) too.

local catalogue = require "xingtu.catalogue"
local dedupe = require "xingtu.dedupe"
local errors = require "xingtu.errors"
local optschema = require "xingtu.options"
local validate = require "xingtu.validate"

local core = require "xingtu.core"

local _M = { _VERSION = core.VERSION }

local type, tostring, error, pcall, setmetatable = type, tostring, error, pcall, setmetatable
local format = string.format
local huge = math.huge

local ACCOUNT_KINDS = errors.ACCOUNT_KINDS
local new_error = errors.new

local DEFAULT_CONCURRENCY = core.limits.default_concurrency
local MAX_CONCURRENCY = core.limits.concurrency_cap -- core.multi's limit
local HOLD_FACTOR = 2       -- requests held = HOLD_FACTOR x concurrency
local WAIT_TICK = 0.2       -- with on_wait, the longest the engine waits before it calls on_wait again

---------------------------------------------------------------------------------------------------------------------
-- Small containers: a FIFO (array + head/tail) and a binary min-heap of calls ordered by call.wake.

local function fifo() return { head = 1, tail = 0 } end

-- A queue that never empties (the send queue of a long batch) would move on to ever higher keys, which leave the
-- array part: the table then rebuilds its hash part every few pushes. So once the taken prefix is as long as what
-- is left, what is left moves down to 1 (amortised O(1), and the keys stay in the array part).
local function push(q, v)
    local h, t = q.head, q.tail + 1
    if h > 32 and h + h > t then
        local n = t - h
        for k = 1, n do q[k] = q[h + k - 1] end -- not table.move: LuaJIT (nginx) may lack it
        for k = h, t - 1 do q[k] = nil end -- h > n; below h everything was taken already
        t = n + 1
        q.head = 1
    end
    q.tail = t
    q[t] = v
end

local function shift(q)
    local h = q.head
    if h > q.tail then return nil end
    local v = q[h]
    q[h] = nil
    if h == q.tail then
        q.head, q.tail = 1, 0
    else
        q.head = h + 1
    end
    return v
end

-- The outcomes waiting for the caller: a FIFO like the above (the same head/tail, the same moving down) whose entry
-- t is three slots, q[3t - 2], q[3t - 1], q[3t]: index, data (nil for a failure), meta or err. No table per outcome.
local function push3(q, i, a, b)
    local h, t = q.head, q.tail + 1
    if h > 32 and h + h > t then
        local n, from = t - h, 3 * (h - 1)
        for k = 1, 3 * n do q[k] = q[from + k] end
        for k = 3 * n + 1, 3 * (t - 1) do q[k] = nil end -- h > n: the entries left were all above 3n
        t = n + 1
        q.head = 1
    end
    q.tail = t
    local base = 3 * t
    q[base - 2], q[base - 1], q[base] = i, a, b
end

local function shift3(q)
    local h = q.head
    if h > q.tail then return nil end
    local base = 3 * h
    local i, a, b = q[base - 2], q[base - 1], q[base]
    q[base - 2], q[base - 1], q[base] = nil, nil, nil
    if h == q.tail then
        q.head, q.tail = 1, 0
    else
        q.head = h + 1
    end
    return i, a, b
end

local function heap_push(h, call)
    local n = #h + 1
    h[n] = call
    local wake = call.wake
    while n > 1 do
        local p = math.floor(n / 2) -- not //: the Lua layer also runs under LuaJIT (nginx)
        local parent = h[p]
        if parent.wake <= wake then break end
        h[n] = parent
        n = p
    end
    h[n] = call
end

local function heap_pop(h)
    local n = #h
    local top = h[1]
    local last = h[n]
    h[n] = nil
    n = n - 1
    if n > 0 then
        local i, wake = 1, last.wake
        while true do
            local c = i * 2
            if c > n then break end
            if c < n and h[c + 1].wake < h[c].wake then c = c + 1 end
            if h[c].wake >= wake then break end
            h[i] = h[c]
            i = c
        end
        h[i] = last
    end
    return top
end

---------------------------------------------------------------------------------------------------------------------
-- Checking requests (raises; `level` is the caller's level as seen from the function that called check_request).

local function check_request(what, req, i)
    if type(req) ~= "table" then
        return nil, format("xingtu.%s: request %d must be a table { name, params }, got %s", what, i, type(req))
    end
    local name = req[1]
    local ep = catalogue.by_name[name]
    if not ep then
        return nil, format("xingtu.%s: request %d: unknown endpoint %s; valid endpoints: %s", what, i,
            tostring(name), catalogue.names_text())
    end
    -- level -1: validate raises at level 0, i.e. the bare message without a position.
    local ok, query = pcall(validate.query, ep, req[2], -1)
    if not ok then return nil, format("xingtu.%s: request %d: %s", what, i, tostring(query)) end
    return ep, query
end

-- The options of each and batch: one schema per name, so that messages say which of the two was called.
local function schema_for(what)
    return optschema.schema("xingtu." .. what, {
        { "concurrency", "integer", min = 1, max = MAX_CONCURRENCY, default = DEFAULT_CONCURRENCY },
        { "on_progress", "function" },
        { "on_wait", "function" },
    })
end
local OPTIONS = { each = schema_for("each"), batch = schema_for("batch") }
_M.OPTIONS = OPTIONS.batch

local function check_options(what, opts)
    local o = OPTIONS[what]:check(opts)
    return o.concurrency, o.on_progress, o.on_wait
end

---------------------------------------------------------------------------------------------------------------------
-- The engine. E is one batch's state and E.pipe the client's pipeline; a call (pipe:new_call's table) is one
-- request's, with .index added. An outcome waits in E.ready (push3) as index, data, meta or index, nil, err.

-- The outcome goes into the queue's slots, not into the call: a call lives through its queueing and its transfer,
-- long enough for a generational collector to make it old, and a fresh decoded body stored into an old table is
-- marked (all of its thousand-odd tables) at every minor collection until the caller drops it. The queue is old
-- too, but it lets go of the body as soon as it is handed out.
local function ready(E, call, a, b)
    push3(E.ready, call.index, a, b)
end

local function fail(E, call, err)
    ready(E, call, E.pipe:failed(call, err))
end

-- The outcome of a request that was never sent because an account-level failure stopped the batch.
local function skip(E, call)
    local stop = E.stop
    local message = "not sent: an earlier request of this batch failed with " .. stop.kind
    if stop.message and stop.message ~= "" and stop.message ~= stop.kind then
        message = message .. " (" .. stop.message .. ")"
    end
    fail(E, call, new_error {
        kind = stop.kind,
        code = stop.code,
        billed = false,
        skipped = true,
        endpoint = call.endpoint,
        message = message,
        previous = call.last_error,
    })
end

local function stop_all(E, err)
    E.stop = err
    local q = E.sendq
    local call = shift(q)
    while call do
        skip(E, call)
        call = shift(q)
    end
    local timers = E.timers
    for k = 1, #timers do
        skip(E, timers[k])
        timers[k] = nil
    end
    E.pace_until = -huge
end

-- Pulls requests from the input while fewer than E.limit are held.
local function admit(E)
    local pipe = E.pipe
    while E.held < E.limit and not E.exhausted do
        local i = E.next_index
        local ep, query
        if E.queries then
            if i > E.total then
                E.exhausted = true
                break
            end
            ep, query = E.eps[i], E.queries[i]
            E.eps[i], E.queries[i] = nil, nil
        else
            -- An error raised by the source ends the pulling like a bad request: what was pulled before it (and
            -- maybe paid for) is finished and handed out, then the error is raised again, as it was.
            local pulled, input = pcall(E.source)
            if not pulled then
                E.source_error = { input }
                E.exhausted = true
                break
            end
            if input == nil then
                E.exhausted = true
                break
            end
            ep, query = check_request(E.what, input, i)
            if not ep then
                E.bad = query
                E.exhausted = true
                break
            end
        end
        E.next_index = i + 1
        E.held = E.held + 1
        -- The call is made here, not when the request was checked: what it holds (the URL's parts) is then alive
        -- only while the request is, at most 2 x concurrency of them.
        local call = pipe:new_call(ep.name, ep.path, query)
        call.index = i
        -- A duplicate of an earlier request of the input takes that one's kept outcome (xingtu.dedupe).
        local later = E.dups and E.dups:take(call)
        if later == nil and E.dups then later = false end -- the only one of its key in the input (pipeline:follow)
        local cached, a, b
        if later then cached, a, b = pipe:remembered(call, E, later) end
        if not cached then cached, a, b = pipe:from_cache(call) end
        if cached == "hit" then
            ready(E, call, a, b)
        elseif cached == "fail" then
            fail(E, call, a)
        elseif E.stop then
            skip(E, call)
        elseif not pipe:follow(call, E, E.deliver, later) then
            push(E.sendq, call)
        end -- else it waits for the same request of this batch, in flight or queued
    end
end

-- Starts queued requests while slots are free and the pace allows; returns how many were added.
local function dispatch(E, now)
    local pipe, q = E.pipe, E.sendq
    local added = 0
    -- Until one answer has shown that the account works, a single request is in flight (see `open` in start).
    local cap = E.open and E.concurrency or 1
    while E.inflight < cap and q.head <= q.tail and now >= E.pace_until do
        local call = q[q.head]
        -- A call's deadline (and meta.elapsed) counts from when the batch first tries to send it, not from when it
        -- was pulled from the input to wait in the queue.
        if not call.dispatched then
            call.dispatched = true
            pipe:starts(call, now)
        end
        local action, value, meta = pipe:before_attempt(call)
        if action == "send" then
            shift(q)
            local m = E.m
            if not m then
                m = pipe:open_multi(E.concurrency)
                E.m = m
            end
            m:add(pipe:wire_url(call), call, value)
            E.inflight = E.inflight + 1
            added = added + 1
        elseif action == "wait" then
            E.pace_until = now + value
        elseif action == "hold" then
            -- Another process holds this answer's lock: this call waits on its own, the queue goes on.
            shift(q)
            call.wake = now + value
            heap_push(E.timers, call)
        elseif action == "hit" then
            shift(q)
            ready(E, call, value, meta)
        else -- "fail": the spend guard, the shared budget or the deadline
            shift(q)
            fail(E, call, value)
        end
    end
    return added
end

-- Classifies completed transfers.
local function handle(E, results)
    local n = #results
    if n == 0 then return end
    local pipe = E.pipe
    E.inflight = E.inflight - n
    for k = 1, n do
        local r = results[k]
        local call = r.tag
        r.tag = nil
        local outcome, a, b = pipe:after_attempt(call, r)
        if not E.open and not (outcome == "fail" and ACCOUNT_KINDS[a.kind]) then E.open = true end
        if outcome == "done" then
            push3(E.ready, call.index, a, b) -- ready(E, call, a, b)
        elseif outcome == "retry" then
            if E.stop then
                skip(E, call) -- the retry will not be sent (nor counted): the account is stopped
            else
                pipe:retrying(call)
                call.wake = pipe.clock() + a
                heap_push(E.timers, call)
            end
        else
            fail(E, call, a)
            if ACCOUNT_KINDS[a.kind] and not E.stop then stop_all(E, a) end
        end
    end
end

-- How many results one poll may take. One at a time while there is something to refill a freed slot with: the
-- request then goes on the wire while the next bodies are decoded (the multi sends a few together, within 1 ms, when
-- more results wait than requests: see `hold` in csrc/multi.c), instead of every slot waiting for the whole run of
-- decodes (see `at_most` there). All of them once nothing more can be sent.
local function poll_max(E)
    if E.open and (E.sendq.head <= E.sendq.tail or not E.exhausted) then return 1 end
    return nil
end

local function close(E)
    if E.closed then return end
    E.closed = true
    local m = E.m
    E.m = nil
    E.sendq, E.timers, E.ready = fifo(), {}, fifo()
    E.eps, E.queries, E.source, E.dups = nil, nil, nil, nil
    if m then m:close() end
    E.pipe:unfollow(E)
end

-- Moves the batch on until at least one outcome is ready or nothing is left to do.
local function advance(E)
    local pipe = E.pipe
    admit(E)
    local now = pipe.clock()
    local timers = E.timers
    while timers[1] and timers[1].wake <= now do
        push(E.sendq, heap_pop(timers))
    end
    local added = dispatch(E, now)
    local q = E.ready
    if q.head <= q.tail then
        -- Outcomes are ready: hand the new requests to the multi, which sends them (or holds them back for at
        -- most 1 ms while it has more results waiting than requests) before the outcomes are handed out. (A multi
        -- of the caller's that ignores at_most may answer with results: they are handled, never dropped.)
        if added > 0 then handle(E, E.m:poll(0, 0)) end
        return
    end
    -- Nothing ready: wait for a transfer or the next timer (a retry's wake-up or the pace).
    local wake = timers[1] and timers[1].wake or nil
    local sq = E.sendq
    if sq.head <= sq.tail and E.inflight < (E.open and E.concurrency or 1) and E.pace_until > now then
        if not wake or E.pace_until < wake then wake = E.pace_until end
    end
    if E.inflight > 0 then
        local timeout = nil
        if wake then timeout = wake > now and wake - now or 0 end
        if E.on_wait and (not timeout or timeout > WAIT_TICK) then timeout = WAIT_TICK end
        handle(E, E.m:poll(timeout, poll_max(E)))
        if q.head <= q.tail then
            -- Refill the slots just freed and hand those requests to the multi before the caller sees the outcomes.
            admit(E)
            if dispatch(E, pipe.clock()) > 0 then handle(E, E.m:poll(0, 0)) end
        end
    elseif wake then
        if wake > now then
            local wait = wake - now
            if E.on_wait and wait > WAIT_TICK then wait = WAIT_TICK end
            pipe.sleep(wait)
        end
    elseif not E.exhausted and E.held < E.limit then
        return -- admit again
    elseif E.held > 0 then
        error("xingtu." .. E.what .. ": internal error: the batch stalled", 0) -- a bug, never a runtime state
    end
end

-- What `each` returns as its state and its closer is a handle with nothing in it: the engine it stands for (the
-- pipeline, the queued calls, the multi and its tags) is found through this weak-keyed table, which only this module
-- sees. A caller that prints, logs or serialises the loop's values reaches nothing of the batch. The engine never
-- refers to its handle, so the handle (and then the engine) can be collected (LuaJIT's weak tables are not
-- ephemerons).
local engines = setmetatable({}, { __mode = "k" })

local function iterate(h)
    local E = engines[h]
    if not E then return nil end
    while true do
        local i, a, b = shift3(E.ready)
        if i then
            E.held = E.held - 1
            local done = E.done + 1
            E.done = done
            if a == nil then E.failed = E.failed + 1 end
            if E.on_progress then E.on_progress(done, E.total, E.failed) end
            return i, a, b
        end
        if E.closed then return nil end
        if E.exhausted and E.held == 0 then
            close(E)
            if E.source_error then error(E.source_error[1], 0) end
            if E.bad then error(E.bad, 2) end
            return nil
        end
        -- A client closed under a running batch sends nothing more: what is in flight is aborted, as on a break.
        if E.pipe.closed then
            close(E)
            optschema.raise(format("xingtu.%s: the client was closed while the batch ran", E.what))
        end
        advance(E)
        -- Waited without an outcome: the caller's chance to stop the batch (a signal, a deadline of its own).
        if E.on_wait and not E.closed and E.ready.head > E.ready.tail then E.on_wait() end
    end
end

-- The handle is also the loop's to-be-closed value: a generic for closes the batch on break or error (5.4), and the
-- garbage collector closes one abandoned without a loop (a finalizer still finds its entry in the weak table).
local function close_handle(h)
    local E = engines[h]
    if E then close(E) end
end

--- batch.stop(handle, err [, abort]): sends nothing more (a caller's signal handling): requests not yet on the
--  wire get err's kind with skipped = true, billed = false; what is in flight finishes and is handed out as usual.
--  With abort, what is in flight is abandoned at once (those transfers may have been billed) and yields nothing;
--  outcomes already in are still handed out, so no answer that came back is dropped. An abort of a batch that was
--  never stopped closes it as a break does. Returns true and the number of transfers abandoned (false if the
--  batch had ended). Safe to call from on_wait.
function _M.stop(h, err, abort)
    local E = engines[h]
    if not E or E.closed then return false, 0 end
    if abort and not E.stop then
        local n = E.inflight
        close(E)
        return true, n
    end
    E.exhausted = true
    if not E.stop then stop_all(E, err) end
    if not abort then return true, 0 end
    local n = E.inflight
    if E.m then
        E.m:close()
        E.m = nil
    end
    -- What is held now is what is ready: requests waiting for one of the abandoned transfers get nothing more.
    E.pipe:unfollow(E)
    E.inflight, E.held = 0, E.ready.tail - E.ready.head + 1
    return true, n
end

local Handle = {
    __close = close_handle,
    __gc = close_handle,
    __name = "xingtu.Batch",
    __metatable = "xingtu.Batch",
    __tostring = function() return "xingtu.Batch" end,
}

-- Builds a batch's engine; raises on misuse at `level` (as seen from the caller of start). Returns its handle.
local function start(pipe, what, requests, opts, level)
    if pipe.closed then optschema.raise(format("xingtu.%s: the client is closed", what)) end
    local concurrency, progress, on_wait = check_options(what, opts)
    local E = {
        pipe = pipe, what = what,
        concurrency = concurrency, limit = HOLD_FACTOR * concurrency, on_progress = progress, on_wait = on_wait,
        next_index = 1, held = 0, inflight = 0, done = 0, failed = 0,
        sendq = fifo(), timers = {}, ready = fifo(), pace_until = -huge,
        exhausted = false, closed = false,
        -- Slow start: the first request goes alone, and the others follow once its answer came back and was not an
        -- account-level failure. A batch against an exhausted balance or a revoked token so costs one request, not
        -- `concurrency` of them; the price is one round trip per batch.
        open = false,
    }
    -- A request that waits for the same one of this batch gets its outcome here (pipeline:follow).
    E.deliver = function(call, a, b) ready(E, call, a, b) end
    local t = type(requests)
    if t == "table" then
        -- Check everything before sending anything.
        local n = #requests
        local eps, queries = {}, {}
        for i = 1, n do
            local ep, query = check_request(what, requests[i], i)
            if not ep then error(query, level + 1) end
            eps[i], queries[i] = ep, query
        end
        E.total, E.eps, E.queries = n, eps, queries
        E.dups = dedupe.count(eps, queries, n)
    elseif t == "function" then
        E.source = requests
    else
        error(format("xingtu.%s: requests must be an array or an iterator function, got %s", what, t), level + 1)
    end
    local h = setmetatable({}, Handle)
    engines[h] = E
    return h
end

--- batch.each(pipe, requests, opts) -> iterator, handle, nil, handle: Client:each on the client's pipeline (see
--  lua/xingtu/client.lua for the arguments). Raises on misuse at the caller of Client:each.
-- @local
function _M.each(pipe, requests, opts)
    local h = start(pipe, "each", requests, opts, 2)
    return iterate, h, nil, h
end

--- batch.batch(pipe, requests, opts) -> every outcome in input order, { data =, meta = } or { err = }: Client:batch.
-- @local
function _M.batch(pipe, requests, opts)
    local h = start(pipe, "batch", requests, opts, 2)
    local results = {}
    for i, data, meta in iterate, h, nil, h do
        if data ~= nil then
            results[i] = { data = data, meta = meta }
        else
            results[i] = { err = meta }
        end
    end
    return results
end

return _M
