--- The call pipeline: how a checked request becomes one outcome, the same for a single call and for every request of
-- a batch.
--
--   cache -> spend guard -> deadline -> pace (the rate bucket) -> one attempt through the transport -> classify
--   -> retry (the policy) or finish; counted in the stats, the token masked in everything that comes back.
--
-- A pipeline is one explicit context, made once per client by lua/xingtu/client.lua from its options:
--
--   pipeline.new{
--       transport = <get(url, timeout) -> a result (lua/xingtu/result.lua); optionally multi(options), close(),
--                   stats()>,
--       multi = <function(options) -> a multi engine (add/poll/pending/close), for a transport without multi()>,
--       transport_options = <the options a multi is opened with, besides concurrency>,
--       policy = <lua/xingtu/retry.lua's Policy>, bucket = <lua/xingtu/ratelimit.lua's Bucket>,
--       stats = <lua/xingtu/stats.lua's Stats>, cache = <nil, or a cache: see below>,
--       token = <the API token: kept in this module's closures and weak table, never in the pipeline>,
--       account = <the account's fingerprint, in cache keys>, base_url =, clock =, sleep =, timeout =,
--       deadline =, max_calls =, null = <xingtu.null>, encode = <xingtu.json.encode, for the cache>,
--       waiter = <nil, or a function() -> nil | { wait(seconds) -> woken, wake() }: inside nginx, how a light
--                   thread waits for another's call in flight (xingtu.transport.ngx.waiter)>,
--       lock = <nil, or a lock>, pace = <nil, or a pacer>, budget = <nil, or a budget>: the shared-store objects
--                   below (/work/notes/12-seams.md is their agreement with the Redis ones),
--   }
--
-- The steps, which pipeline:perform(call) runs one after another (blocking) and lua/xingtu/batch.lua interleaves for
-- many calls at once:
--
--   call = p:new_call(endpoint, path, query)
--                                    a checked request: the method (or a raw call's path), its path and the
--                                    { name, value } pairs to send (validate.query's); its normalised key, from
--                                    which the cache key is made, is request.key_of(call) (lua/xingtu/request.lua)
--   p:remembered(call, owner, later) (a batch, for a request of its input that has duplicates, before from_cache)
--                                    -> nil | "hit", data, meta | "fail", err: the outcome an earlier duplicate
--                                    of the input kept for it (see follow's `later`); dropped when later is 0
--   p:starts(call, now)              (optional) the call starts now, not when it was made: its deadline and
--                                    meta.elapsed count from here (a batch's call, from its first try to send)
--   p:from_cache(call)               -> nil (go on) | "hit", data, meta | "fail", err (offline and not cached)
--   p:before_attempt(call)           -> "send", timeout (nil: the client's) | "wait", seconds (pacing: nothing
--                                    else is sent meanwhile) | "hold", seconds (this call only: another process
--                                    holds its lock; ask again then) | "hit", data, meta (the lock's holder kept the
--                                    answer meanwhile) | "fail", err
--   p:wire_url(call)                 -> the URL to send, token included: for the transport only, at send time
--   p:after_attempt(call, res)       -> "done", data, meta | "retry", seconds | "fail", err
--   p:retrying(call)                 the driver commits to the retry it was offered (counted as retried); a batch
--                                    that was stopped meanwhile skips the call instead and does not call this
--   p:failed(call, err)              -> nil, err: the failure finished (attempts, masked message, URL) and counted
--
-- A call is the pipeline's table (endpoint, query, key (made when first asked for), url_head (shared by every call
-- to its path), url_tail, shown_url, attempts, started, sent_at, capped, last_error, and while it leads its key the
-- coalescing group's fields, flight_*): drivers read it, and may keep fields of their own on it (the
-- batch's index, wake and dispatched), but change the pipeline's only through these steps. Drivers also read
-- p.clock and p.sleep (the context's) and p.closed (true once the client was closed).
--
-- The cache contract (lua/xingtu/cache.lua's Cache is one; another cache is any object with the same):
--
--   cache:fetch(key, endpoint) -> data, meta    an answer kept for `key` (meta: code, message, request_id,
--                                               record_time, http_status, cached = true, age, stored, attempts = 0,
--                                               elapsed = 0); the cache counts its own hits and misses
--                              -> nil, why      none usable ("missing", "expired", "corrupt", "refused", ...)
--   cache:keep(key, endpoint, text, status)     keeps a successful answer's body text (failures are the cache's
--                                               business: the call has succeeded either way)
--   cache.offline                               true: a miss is a `cache_miss` failure and nothing is sent
--   cache:why_refused()                         (optional) a readable reason for the last "refused"
--
-- The key is the request's normalised key and the account's fingerprint (request.key .. " account=" .. account);
-- the body kept has the token masked wherever it stands whole.
--
-- The shared-store objects (all optional; the Redis ones are lua/xingtu/cache/redis.lua's neighbours, the nginx
-- lock is lua/xingtu/cache/shdict.lua's). A method that raises counts as a store failure (nil, err):
--
--   lock:acquire(key, ttl) -> handle | false, retry_in | nil, err
--   lock:release(handle)   -> true | nil, err          only the owner's handle releases
--   lock.ttl               (optional) the least ttl to pass; the pipeline passes at least the whole call's length
--                          (timeout x attempts + the retry waits + a margin for pacing), so a slow provider never
--                          outlives its lock
--       taken after a cache miss, before the first attempt, released once the answer is kept (or the call failed).
--       A waiter ("hold") asks the cache again, then the lock, until a hit, the lock (it sends itself), its own
--       deadline or the lock's ttl (its own `timeout`). A store failure fails OPEN: the call is sent, counted in
--       stats.store_errors. A lock needs a cache (the waiters read the holder's answer there).
--   pace:take()            -> 0 (send) | seconds (wait, then ask again) | nil, err (fail OPEN to the client's bucket,
--                          counted in store_errors); asked after the client's own bucket allowed the attempt
--   budget:reserve()       -> true | false, err (kind budget_exceeded) | nil, err: fail CLOSED (kind
--                          budget_unavailable, nothing sent) unless budget.fail_open (then sent, counted in
--                          store_errors); once per attempt, right before it is sent
--
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx) too.
-- @module xingtu.pipeline

local errors = require "xingtu.errors"
local request = require "xingtu.request"
local secret = require "xingtu.secret"

local _M = { _VERSION = require("xingtu.core").VERSION }

local format, type, pcall, setmetatable, tostring = string.format, type, pcall, setmetatable, tostring
local pairs, getmetatable = pairs, getmetatable
local max, min = math.max, math.min

local MASK = "***"
local classify, Error = errors.classify, errors.Error

-- The token lives outside the pipeline table, so printing or serialising one never reveals it:
-- secrets[pipeline] = { encoded = <the token percent-encoded, as it travels in the query>,
--                       mask = <xingtu.secret's masker: the token hidden in any form, whole or in part>,
--                       mask_body = <the same for the token whole only: for bodies kept as data> }.
local secrets = setmetatable({}, { __mode = "k" })

local Pipeline = {}
Pipeline.__index = Pipeline
_M.Pipeline = Pipeline

--- pipeline.new(context) -> a pipeline (see the header for the context's fields).
function _M.new(ctx)
    local self = setmetatable({
        transport = ctx.transport,
        multi = ctx.multi,
        transport_options = ctx.transport_options or {},
        policy = ctx.policy,
        bucket = ctx.bucket,
        stats = ctx.stats,
        cache = ctx.cache,
        account = ctx.account,
        base_url = ctx.base_url,
        clock = ctx.clock,
        sleep = ctx.sleep,
        timeout = ctx.timeout,
        deadline = ctx.deadline,
        max_calls = ctx.max_calls,
        null = ctx.null,
        encode = ctx.encode,
        lock = ctx.lock,
        pace = ctx.pace,
        budget = ctx.budget,
        -- In-process coalescing: the calls in flight by their cache key, each with the calls waiting for its outcome
        -- (false for a key that was in flight: see release_key); and, per batch (weak: a batch dropped unclosed takes
        -- its own along), the finished outcomes that a later request of its input still asks for (see remembered).
        inflight = {},
        released = 0,
        -- "<base_url><path>?token=" by path, made once (see url_parts); bounded: a raw call's path is the caller's.
        heads = {},
        shown_heads = {},
        n_heads = 0,
        kept = setmetatable({}, { __mode = "k" }),
        waiter = ctx.waiter,
        closed = false,
    }, Pipeline)
    if self.lock then self.lock_ttl = _M.lock_ttl(self, self.lock.ttl) end
    self.flight_ttl = _M.lock_ttl(self) -- the context's timeout, policy and deadline do not change
    local token = ctx.token
    secrets[self] = { encoded = request.encode(token), mask = secret.masker(token),
        mask_body = secret.masker(token, { whole = true }), wire_heads = {} }
    return self
end

---------------------------------------------------------------------------------------------------------------------
-- The token, hidden.

--- The token hidden in `text` by ***: raw, percent-encoded in any way, JSON- or HTML-escaped, and any 6 bytes of it
--  in a row (xingtu.secret). Anything but a string comes back as it is.
function Pipeline:mask(text)
    return secrets[self].mask(text)
end

-- The provider's own strings in a meta or an error (it may echo the query, token included), masked.
local function mask_answer(self, meta)
    local mask = secrets[self].mask
    meta.message = mask(meta.message)
    meta.request_id = mask(meta.request_id)
    meta.record_time = mask(meta.record_time)
    return meta
end

-- A call keeps the URL to show (token masked) and the two halves of the URL to send around the token. The URL with
-- the token is made when an attempt is handed to the transport (wire_url) and kept by nobody, so no call table (a
-- batch holds hundreds, and hands them to the multi as tags) ever carries the token.
--
-- The part before the query depends on the path alone: made once per path, with its masked and its wire forms
-- (the latter in the secrets table, as the token is), so that a call builds only its query string, the URL it
-- shows and, at send time, the URL it sends.
local MAX_HEADS = 64
local function head_of(self, path)
    local head = self.heads[path]
    if head then return head end
    if self.n_heads >= MAX_HEADS then
        self.heads, self.shown_heads, self.n_heads, secrets[self].wire_heads = {}, {}, 0, {}
    end
    head = self.base_url .. path .. "?token="
    self.heads[path], self.n_heads = head, self.n_heads + 1
    self.shown_heads[head] = head .. MASK
    return head
end

local function url_parts(self, path, query)
    return head_of(self, path), request.query_string(query)
end

--- The URL to send and the one to show (token masked), for a path and { name, value } pairs.
function Pipeline:url_for(path, query)
    local head, tail = url_parts(self, path, query)
    return head .. secrets[self].encoded .. tail, head .. MASK .. tail
end

--- The URL to send for a call (token included): for the transport only, at send time.
function Pipeline:wire_url(call)
    local head, hidden = call.url_head, secrets[self]
    local wire = hidden.wire_heads[head]
    if not wire then
        wire = head .. hidden.encoded
        hidden.wire_heads[head] = wire
    end
    return wire .. call.url_tail
end

---------------------------------------------------------------------------------------------------------------------
-- The steps.

--- A fresh per-call state for a checked request: endpoint (a catalogue method, or a raw call's path), its path and
--  query ({ name, value } pairs, sent in this order).
function Pipeline:new_call(endpoint, path, query)
    local head = head_of(self, path)
    local tail = request.query_string(query)
    -- The fields a call of a batch comes to have, named (nil for now) so that the table is made with room for them
    -- all: it then never grows (a rehash and a second node array) while it goes through the steps.
    return { endpoint = endpoint, query = query, url_head = head, url_tail = tail,
        shown_url = self.shown_heads[head] .. tail, attempts = 0, started = self.clock(), key = nil, leads = nil,
        flight_owner = nil, flight_expires = nil, flight_later = nil, sent_at = nil, capped = nil, index = nil,
        dispatched = nil }
end

--- The call starts at `now` (a clock() time): its deadline and meta.elapsed count from here.
function Pipeline.starts(_, call, now)
    call.started = now
end

-- The cache key (also the lock's key), made once per call.
local function cache_key(self, call)
    local key = call.ckey
    if key == nil then
        key = request.key_of(call) .. " account=" .. (self.account or "-")
        call.ckey = key
    end
    return key
end

---------------------------------------------------------------------------------------------------------------------
-- Coalescing: calls of one process that ask for the same answer while one of them is in flight wait for its outcome.
--
-- self.inflight[key] is the call that leads the key (false once it ended: see release_key), by the request's key
-- (request.key_of: one pipeline is one account, so the cache key's account part would only lengthen it). The leader
-- is its own group: flight_owner, flight_expires, flight_later, and the calls waiting for it in flight_waiting, a
-- table made only when a first one waits. Most calls lead a key nobody else asks for, and cost no table of their own.

local flight_key = request.key_of

-- An answer's data, copied: every caller owns what it gets (JSON data: no cycles; xingtu.null is shared).
local function copy(v)
    if type(v) ~= "table" then return v end
    local out = {}
    for k, x in pairs(v) do out[k] = copy(x) end
    return setmetatable(out, getmetatable(v))
end

--- p:follow(call, owner, deliver [, later]) -> true when a call with the same key is in flight for the same owner (a
--  batch; nil: anyone): the call then waits, and deliver(call, data, meta) or deliver(call, nil, err) hands it a
--  copy of that call's outcome (meta.coalesced = true, nothing sent of its own) when it ends. Else false: the call
--  leads its key (when no other does) and goes on to send. `later`: how many more requests of the owner's input
--  ask for this key after this one (xingtu.dedupe); while it is above zero the outcome is kept for them when it
--  ends (see remembered). `later` false: no other request of the owner's input asks for this key, so no call can
--  follow this one but one without an owner (inside nginx: a light thread's, see wait_for_leader); without a waiter
--  there is none, and the call goes on to send without leading its key (nothing to register, nothing to share).
function Pipeline:follow(call, owner, deliver, later)
    if later == false then
        if not self.waiter then return false end
        later = nil
    end
    local key = flight_key(call)
    local inflight = self.inflight
    local leader = inflight[key]
    local now = self.clock()
    -- A leader that never finished (its light thread killed, its code raised) frees its key after the whole call's
    -- length: a waiter never waits on it for longer.
    if leader and leader.flight_expires < now then leader = nil end
    if not leader then
        inflight[key] = call
        call.leads, call.flight_owner, call.flight_later = true, owner, later
        call.flight_expires = now + self.flight_ttl
        return false
    end
    if leader.flight_owner ~= owner and owner ~= nil then return false end
    if later ~= nil then leader.flight_later = later end
    local waiting = leader.flight_waiting
    if not waiting then
        waiting = {}
        leader.flight_waiting = waiting
    end
    waiting[#waiting + 1] = call
    call.deliver = deliver
    return true
end

--- p:remembered(call, owner, later) -> nil (go on) | "hit", data, meta | "fail", err: the outcome of an earlier
--  request of the owner's input with the call's key, kept because this call was still to come (see follow): a copy
--  with coalesced = true and attempts = 0, counted as coalesced; nothing is sent. `later` is how many requests with
--  the key come after this one: the outcome is dropped when it is 0. Called for every request of the input that has
--  duplicates, before the cache is asked, so that the count is right whatever answers the call.
function Pipeline:remembered(call, owner, later)
    local key = flight_key(call)
    local leader = self.inflight[key]
    if leader and leader.flight_owner == owner then leader.flight_later = later end
    local mine = self.kept[owner]
    local kept = mine and mine[key]
    if kept == nil then return nil end
    local data, meta = kept[1], kept[2]
    if later > 0 then
        data, meta = copy(data), copy(meta)
    else
        mine[key] = nil -- the last one takes the kept copy itself
    end
    meta.coalesced = true
    local counts = self.stats.counts
    counts.coalesced = counts.coalesced + 1
    if data == nil then return "fail", meta end -- failed() counts it and sets attempts, URL and message
    meta.attempts, meta.elapsed, meta.url = 0, self.clock() - call.started, call.shown_url
    return "hit", data, meta
end

--- p:unfollow(owner): every key led by `owner` is free again, and what was kept for its input is dropped (a batch
--  that was closed, or ended).
function Pipeline:unfollow(owner)
    local inflight = self.inflight
    for key, leader in pairs(inflight) do
        if leader and leader.flight_owner == owner then inflight[key] = nil end
    end
    self.kept[owner] = nil
end

-- A key's call ended. Set to nil, a key of a table with a steady number of others (a batch's 2 x concurrency) leaves
-- a dead node that only a rebuild of the table reclaims, and with a full table that rebuild came with nearly every
-- request (a new 1.5 KB node array, which makes glibc consolidate all the small chunks freed since the last). So
-- the key stays, false, and the table is swept only once many are (it grows by doubling in between).
local function release_key(self, key)
    local inflight, n = self.inflight, self.released + 1
    inflight[key] = false
    if n < 1024 then
        self.released = n
        return
    end
    self.released = 0
    for k, leader in pairs(inflight) do
        if not leader then inflight[k] = nil end
    end
end

-- Kept for later requests of the owner's input: an answer, or a failure the provider or the network gave (a
-- not_found is not bought twice); not a refusal of this side (a spend cap, a deadline or a lock wait before sending,
-- a skipped request), which is this call's circumstance, not the answer: a later duplicate meets it again on its own,
-- or is sent once it passed.
local REFUSALS = { budget_exceeded = true, budget_unavailable = true, cache_miss = true }
local function keep_for_later(self, owner, key, data, meta)
    if data == nil and ((meta.attempts or 0) == 0 or meta.skipped or REFUSALS[meta.kind]
        or (meta.kind == "timeout" and meta.billed == false)) then
        return
    end
    local mine = self.kept[owner]
    if mine == nil then
        mine = {}
        self.kept[owner] = mine
    end
    -- A copy: the leader's own data goes to its caller, who may change it.
    mine[key] = { copy(data), copy(meta) }
end

-- The leader's outcome, handed to every call that waited for it.
local function share(self, call, data, meta)
    call.leads = nil
    local key = call.key
    if self.inflight[key] ~= call then return end
    release_key(self, key)
    local later, owner = call.flight_later, call.flight_owner
    if later ~= nil and later > 0 and owner ~= nil then keep_for_later(self, owner, key, data, meta) end
    local waiting = call.flight_waiting
    if not waiting then return end
    call.flight_waiting = nil
    local stats, clock, deadline = self.stats, self.clock, self.deadline
    for k = 1, #waiting do
        local f = waiting[k]
        local now = clock()
        if f.gone then -- luacheck: ignore 542 (it stopped waiting, its own timeout: it has its outcome already)
        elseif deadline and now > f.started + deadline then
            -- This one's own deadline passed while it waited: its own timeout, not the leader's answer.
            local err = errors.new { kind = "timeout", billed = false, endpoint = f.endpoint, deadline_exceeded = true,
                coalesced = true, message = "deadline passed while waiting for the same request in flight" }
            stats:add("coalesced")
            f.deliver(f, self:failed(f, err))
        elseif data ~= nil then
            local m = copy(meta)
            m.coalesced, m.attempts, m.elapsed = true, 0, now - f.started
            stats:add("coalesced")
            f.deliver(f, copy(data), m)
        else
            local err = setmetatable(copy(meta), getmetatable(meta))
            err.coalesced = true
            stats:add("coalesced")
            stats:failure(err.kind)
            f.deliver(f, nil, err)
        end
    end
end

-- The lock's ttl: at least the whole call (every attempt at the full timeout, every retry wait at the longest
-- backoff, a margin for pacing and the answer's decoding), at most what the deadline allows (plus the margin), and
-- never less than the lock's own ttl.
local LOCK_MARGIN = 5
function _M.lock_ttl(ctx, least)
    local retries = ctx.policy and ctx.policy.retries or 0
    local backoff = ctx.policy and ctx.policy.cap or 0
    local whole = ctx.timeout * (retries + 1) + backoff * retries + LOCK_MARGIN
    if ctx.deadline then whole = min(whole, ctx.deadline + LOCK_MARGIN) end
    return max(whole, least or 0)
end

-- A store object's method, a raise taken as a failure: (ok, ...) -> the method's values, or nil, message.
local function ask(object, method, ...)
    local ok, a, b = pcall(object[method], object, ...)
    if not ok then return nil, a end
    return a, b
end

local function store_failed(self)
    self.stats:add("store_errors")
end

local function cached_answer(self, cache, call)
    local data, meta = cache:fetch(cache_key(self, call), call.endpoint)
    if data == nil and type(meta) ~= "table" then return nil, meta end
    if data == nil then data = self.null end
    mask_answer(self, meta)
    meta.url = call.shown_url
    meta.rate = self.bucket:current()
    self.stats:add("cache_hits")
    return data, meta
end

--- The cache's answer for a call, if it has one: nil (go on and send), "hit", data, meta, or "fail", err.
function Pipeline:from_cache(call)
    local cache = self.cache
    if not cache then return nil end
    local data, meta = cached_answer(self, cache, call)
    if data == nil then
        if not cache.offline then return nil end
        local why = meta == "refused" and cache.why_refused and cache:why_refused()
        return "fail", errors.new {
            kind = "cache_miss",
            billed = false,
            endpoint = call.endpoint,
            message = "offline and not in the cache: nothing sent" .. (why and " (" .. why .. ")" or ""),
        }
    end
    return "hit", data, meta
end

-- The call's lock, given back once its answer is kept or it failed. A release that fails leaves the lock to its ttl.
local function unlock(self, call)
    local handle = call.lock_handle
    if handle == nil then return end
    call.lock_handle = nil
    local ok = ask(self.lock, "release", handle)
    if not ok then store_failed(self) end
end

-- The lock step of before_attempt: nil (go on: held, or failed open) or "hold", seconds / "hit", data, meta /
-- "fail", err.
local function locked(self, call, now, left)
    if call.lock_handle ~= nil or call.lock_open then return nil end
    if call.lock_waited then
        local data, meta = cached_answer(self, self.cache, call)
        if data ~= nil then
            meta.attempts = 0
            meta.elapsed = self.clock() - call.started
            if call.leads then share(self, call, data, meta) end
            return "hit", data, meta
        end
    end
    local handle, retry_in = ask(self.lock, "acquire", cache_key(self, call), self.lock_ttl)
    if handle then
        call.lock_handle = handle
        -- Another process may have kept the answer and let go between this call's miss and its lock: read again
        -- under the lock, else that answer is bought a second time.
        local data, meta = cached_answer(self, self.cache, call)
        if data ~= nil then
            unlock(self, call)
            meta.attempts = 0
            meta.elapsed = self.clock() - call.started
            if call.leads then share(self, call, data, meta) end -- its duplicates wait for this outcome too
            return "hit", data, meta
        end
        return nil
    end
    if handle == nil then -- the store failed: send without the lock
        call.lock_open = true
        store_failed(self)
        return nil
    end
    local until_ = call.lock_waited
    if not until_ then
        until_ = now + self.lock_ttl
        call.lock_waited = until_
    end
    local wait = type(retry_in) == "number" and retry_in > 0 and retry_in or 0.05
    local cap = until_ - now
    if left and left < cap then cap = left end
    if cap <= 0 then
        return "fail", errors.new { kind = "timeout", billed = false, endpoint = call.endpoint,
            deadline_exceeded = left ~= nil and left <= until_ - now or nil,
            message = "another process held this answer's lock for longer than this call may wait: nothing sent" }
    end
    return "hold", min(wait, cap)
end

-- The shared pace, after the client's own bucket: nil (send) or seconds to wait.
local function paced(self)
    local wait, err = ask(self.pace, "take")
    if wait == nil or type(wait) ~= "number" then
        if err ~= nil or wait ~= nil then store_failed(self) end
        return nil
    end
    if wait > 0 then return wait end
    return nil
end

-- The shared budget, right before the attempt is sent: nil (send) or an error.
local function reserved(self, call)
    local budget = self.budget
    local ok, err = ask(budget, "reserve")
    if ok == true then return nil end
    if ok == false then
        if type(err) ~= "table" then err = { message = tostring(err) } end
        return errors.new {
            kind = "budget_exceeded",
            billed = false,
            endpoint = call.endpoint,
            message = self:mask(err.message or "the shared budget is spent: nothing sent"),
            previous = call.last_error,
        }
    end
    store_failed(self)
    if budget.fail_open then return nil end
    local why = type(err) == "table" and err.message or err
    return errors.new {
        kind = "budget_unavailable",
        billed = false,
        endpoint = call.endpoint,
        message = "the shared budget could not be asked (" .. self:mask(tostring(why or "no answer"))
            .. "): nothing sent",
        previous = call.last_error,
    }
end

-- Keeps a successful transport result in the cache: its raw text, else the body re-encoded.
local function keep(self, call, res)
    local cache = self.cache
    if not cache then return end
    local text = res.text
    if type(text) ~= "string" then
        if res.body == nil then return end
        local ok, encoded = pcall(self.encode, res.body)
        if not ok then return end
        text = encoded
    end
    -- A provider that echoes the request in a successful answer would put the token into the cache.
    cache:keep(cache_key(self, call), call.endpoint, secrets[self].mask_body(text), res.status)
end

-- The error of a call whose deadline comes before its next attempt could end: its last real failure when it had one.
local function deadline_error(call, why)
    local err = call.last_error or errors.new { kind = "timeout", billed = false, endpoint = call.endpoint,
        message = why }
    err.deadline_exceeded = true
    return err
end

--- What the call should do now: "send" plus the attempt's timeout (nil: the client's), "wait" plus seconds
--  (pacing), or "fail" plus an error (spend guard, deadline).
function Pipeline:before_attempt(call)
    local counts = self.stats.counts
    if self.max_calls and counts.sent >= self.max_calls then
        return "fail", errors.new {
            kind = "budget_exceeded",
            billed = false,
            endpoint = call.endpoint,
            message = format("max_calls (%d) spent: nothing sent", self.max_calls),
            previous = call.last_error,
        }
    end
    local now = self.clock()
    local left
    if self.deadline then
        left = call.started + self.deadline - now
        if left <= 0 then return "fail", deadline_error(call, "deadline passed: nothing sent") end
    end
    if self.lock then
        local action, a, b = locked(self, call, now, left)
        if action then return action, a, b end
    end
    local wait = self.bucket:take(now)
    if wait <= 0 and self.pace then wait = paced(self) or 0 end
    if wait > 0 then
        if left and wait > left then
            return "fail", deadline_error(call, "deadline would pass while waiting for the rate limit: nothing sent")
        end
        return "wait", wait
    end
    if self.budget then
        local refused = reserved(self, call)
        if refused then return "fail", refused end
    end
    counts.sent = counts.sent + 1
    call.attempts = call.attempts + 1
    call.sent_at = now -- adaptive pacing tells refusals of requests sent before its last decrease by it
    -- The deadline bounds the whole call: an attempt gets only what is left of it.
    call.capped = left ~= nil and left < self.timeout
    return "send", call.capped and left or nil
end

local function succeeded(self, call, res, data, meta)
    if data == nil then data = self.null end
    if self.cache then keep(self, call, res) end
    if call.lock_handle ~= nil then unlock(self, call) end
    self.policy:on_success()
    self.bucket:on_success()
    meta.url = call.shown_url
    meta.attempts = call.attempts
    meta.elapsed = self.clock() - call.started
    meta.rate = self.bucket:current()
    local counts = self.stats.counts
    counts.succeeded = counts.succeeded + 1
    if call.leads then share(self, call, data, meta) end
    return "done", data, meta
end

--- Classifies one transport result: "done", data, meta; or "retry", seconds; or "fail", err.
function Pipeline:after_attempt(call, res)
    local mask = secrets[self].mask
    local data, meta = classify(res, call.endpoint, mask)
    -- mask_answer, inline: before the error is kept as call.last_error (err.previous) or returned.
    meta.message, meta.request_id, meta.record_time = mask(meta.message), mask(meta.request_id),
        mask(meta.record_time)
    if getmetatable(meta) ~= Error then -- not errors.is_error
        local counts = self.stats.counts
        counts.billed = counts.billed + 1
        return succeeded(self, call, res, data, meta)
    end
    local err = meta
    if err.billed == true then
        self.stats:add("billed")
    elseif err.billed == "unknown" then
        self.stats:add("billed_unknown")
    end
    if err.kind == "rate_limited" then self.bucket:on_rate_limited(self.clock(), call.sent_at) end
    local wait = self.policy:decide(err, call.attempts, res.retry_after)
    if err.kind == "timeout" and call.capped then
        err.deadline_exceeded = true -- cut short by the deadline: nothing is left for another attempt
        wait = nil
    elseif wait and self.deadline and self.clock() + wait > call.started + self.deadline then
        err.deadline_exceeded = true
        wait = nil
    end
    if wait then
        call.last_error = err
        return "retry", wait
    end
    return "fail", err
end

--- The driver goes ahead with the retry after_attempt offered: counted as retried.
function Pipeline:retrying()
    self.stats:add("retried")
end

--- Finishes a failed call: attempts recorded, token masked, counted. Returns nil, err.
function Pipeline:failed(call, err)
    if call.lock_handle ~= nil then unlock(self, call) end
    err.attempts = call.attempts
    err.message = secrets[self].mask(err.message)
    err.url = call.shown_url
    self.stats:failure(err.kind)
    if call.leads then share(self, call, nil, err) end
    return nil, err
end

-- Inside nginx, a call for an answer another light thread of this worker has in flight waits for it.
local function wait_for_leader(self, call)
    local w = self.waiter()
    if not w then return nil end
    if not self:follow(call, nil, function(f, a, b)
        f.outcome = { a, b }
        w.wake()
    end) then return nil end
    local cap = _M.lock_ttl(self)
    if self.deadline then cap = min(cap, call.started + self.deadline - self.clock()) end
    if cap > 0 then w.wait(cap) end
    local outcome = call.outcome
    if outcome then
        call.outcome = nil
        return true, outcome[1], outcome[2]
    end
    call.gone = true
    self.stats:add("coalesced")
    return true, self:failed(call, errors.new { kind = "timeout", billed = false, endpoint = call.endpoint,
        deadline_exceeded = self.deadline and true or nil, coalesced = true,
        message = "gave up waiting for the same request in flight: nothing sent" })
end

--- One call, start to end, blocking (sleeping with the context's sleep for pacing and retries).
function Pipeline:perform(call)
    local cached, a, b = self:from_cache(call)
    if cached == "hit" then return a, b end
    if cached == "fail" then return self:failed(call, a) end
    if self.waiter then
        local waited, data, meta = wait_for_leader(self, call)
        if waited then return data, meta end
    end
    while true do
        local action, value, meta = self:before_attempt(call)
        if action == "fail" then
            return self:failed(call, value)
        elseif action == "hit" then
            return value, meta
        elseif action == "wait" or action == "hold" then
            self.sleep(value)
        else
            local res = self.transport:get(self:wire_url(call), value)
            local outcome, result, answer = self:after_attempt(call, res)
            if outcome == "done" then return result, answer end
            if outcome == "fail" then return self:failed(call, result) end
            self:retrying(call)
            self.sleep(result)
        end
    end
end

--- A multi engine (add/poll/pending/close, see csrc/multi.c) for `concurrency` transfers at once: the transport's
--  own multi(options) when it has one, else the context's `multi`.
function Pipeline:open_multi(concurrency)
    local options = { concurrency = concurrency }
    for k, v in pairs(self.transport_options) do options[k] = v end
    local t = self.transport
    local ok, own = pcall(function() return t.multi end) -- a userdata without __index raises when indexed
    if ok and type(own) == "function" then return t:multi(options) end
    return self.multi(options)
end

--- Nothing is sent after close; the transport's connections are closed. Idempotent.
function Pipeline:close()
    self.closed = true
    local t = self.transport
    if t and t.close then t:close() end
end

--- The stats of the pipeline as client:stats() reports them.
function Pipeline:snapshot()
    local out = self.stats:snapshot()
    out.retry_budget = self.policy.budget
    out.rate = self.bucket:current()
    return out
end

return _M
