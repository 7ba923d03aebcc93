-- The pipeline's side of the shared stores (a lock per answer, a shared pace, a shared budget): what a caller sees
-- when another process holds the answer's lock, when the pace says wait, when the budget is spent or its store is
-- down. The stores are in-process stand-ins (spec/helpers/stores.lua); the nginx and Redis ones have specs of
-- their own.

local xingtu = require "xingtu"
local fake = require "helpers.fake"
local stores = require "helpers.stores"
local util = require "helpers.util"

local AUTHOR = "6976442543234760712"
local PARAMS = { o_author_id = AUTHOR }

local function tmpdir()
    local p = assert(io.popen("mktemp -d /tmp/xingtu-stores-spec.XXXXXX"))
    local dir = p:read("l")
    p:close()
    return dir
end

describe("shared stores", function()
    local dir, clock
    before_each(function()
        dir = tmpdir()
        clock = fake.clock()
    end)
    after_each(function() util.run("rm -rf " .. util.quote(dir)) end)

    local function client(t, opts)
        local o = { token = "secret-token-123456", transport = t, clock = clock.now, sleep = clock.sleep,
            cache = dir, backoff_base = 0 }
        for k, v in pairs(opts or {}) do o[k] = v end
        return xingtu.new(o)
    end

    describe("lock", function()
        it("is taken after a cache miss under the cache's key, for longer than the whole call, and released", function()
            local lock = stores.lock(clock.now)
            local t = fake.transport { fake.ok({ a = 1 }) }
            local c = client(t, { lock = lock, timeout = 10, retries = 3, backoff_max = 20 })
            local data = assert(c:touch_distribution(PARAMS))
            assert.equal(1, data.a)
            assert.equal(1, #lock.asked)
            assert.matches("^touch_distribution%?.*oAuthorId=" .. AUTHOR .. ".* account=", lock.asked[1].key)
            assert.is_nil(lock.asked[1].key:find("secret", 1, true))
            -- 4 attempts of 10 s and 3 waits of at most 20 s: the lock outlives the slowest possible call
            assert.is_true(lock.asked[1].ttl >= 4 * 10 + 3 * 20)
            assert.same({ lock.asked[1].key }, lock.released)
            -- a second call is a cache hit: the lock is not asked again
            assert(c:touch_distribution(PARAMS))
            assert.equal(1, #lock.asked)
            assert.equal(1, t:count())
        end)

        it("never passes a ttl shorter than the lock's own", function()
            local lock = stores.lock(clock.now)
            lock.ttl = 9999
            local c = client(fake.transport { fake.ok({}) }, { lock = lock })
            assert(c:touch_distribution(PARAMS))
            assert.equal(9999, lock.asked[1].ttl)
        end)

        it("keeps the lock over retries and releases it when the call fails", function()
            local lock = stores.lock(clock.now)
            local t = fake.transport { fake.code(301), fake.code(301), fake.code(201) }
            local c = client(t, { lock = lock, retries = 3 })
            local data, err = c:touch_distribution(PARAMS)
            assert.is_nil(data)
            assert.equal("not_found", err.kind)
            assert.equal(1, #lock.asked)
            assert.equal(1, #lock.released)
            assert.equal(3, t:count())
        end)

        it("lets a waiter take the answer its holder kept, sending nothing itself", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere = true
            local other = fake.transport { fake.ok({ from = "other" }) }
            local mine = fake.transport { fake.ok({ from = "mine" }) }
            local sleeps = 0
            local c = client(mine, { lock = lock, sleep = function(s)
                sleeps = sleeps + 1
                clock.sleep(s)
                if sleeps == 2 then -- the other process's call ends: answer kept, lock released
                    lock:free(lock.asked[1].key)
                    assert(client(other, { lock = lock }):touch_distribution(PARAMS))
                end
            end })
            local data, meta = assert(c:touch_distribution(PARAMS))
            assert.equal("other", data.from)
            assert.is_true(meta.cached)
            assert.equal(0, mine:count())
            assert.equal(1, other:count())
            local s = c:stats()
            assert.equal(0, s.sent)
            assert.equal(1, s.cache_hits)
        end)

        it("hands the answer a waiter found in the cache to the same requests of its batch", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere = true
            local other = fake.transport { fake.ok({ from = "other" }) }
            local mine = fake.transport { fake.ok({ from = "mine" }) }
            local c = client(mine, { lock = lock, sleep = function(s)
                clock.sleep(s)
                if lock.held[lock.asked[1].key].owner == -1 then
                    lock:free(lock.asked[1].key)
                    assert(client(other, { lock = lock }):touch_distribution(PARAMS))
                end
            end })
            local results = c:batch { { "touch_distribution", PARAMS }, { "touch_distribution", PARAMS } }
            assert.equal("other", results[1].data.from)
            assert.equal("other", results[2].data.from)
            assert.is_true(results[2].meta.coalesced)
            assert.equal(0, mine:count())
        end)

        it("sends itself once the holder let go without an answer", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere = true
            local mine = fake.transport { fake.ok({ from = "mine" }) }
            local c = client(mine, { lock = lock, sleep = function(s)
                clock.sleep(s)
                lock:free(lock.asked[1].key) -- the holder failed: nothing kept
            end })
            local data = assert(c:touch_distribution(PARAMS))
            assert.equal("mine", data.from)
            assert.equal(1, mine:count())
        end)

        it("gives a waiter its own timeout at its deadline, nothing sent", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere = true
            local mine = fake.transport { fake.ok({}) }
            local c = client(mine, { lock = lock, deadline = 2 })
            local data, err = c:touch_distribution(PARAMS)
            assert.is_nil(data)
            assert.equal("timeout", err.kind)
            assert.is_false(err.billed)
            assert.equal(0, mine:count())
            assert.is_true(clock.now() - 1000 <= 2.001)
        end)

        it("gives up waiting once the lock's ttl has passed even without a deadline", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere, lock.elsewhere_ttl = true, 1e6 -- a store that keeps a lock past its ttl
            local mine = fake.transport { fake.ok({}) }
            local c = client(mine, { lock = lock, timeout = 1, retries = 0 })
            local _, err = c:touch_distribution(PARAMS)
            assert.equal("timeout", err.kind)
            assert.equal(0, mine:count())
        end)

        it("fails open when the lock's store fails or raises: the call is sent and counted", function()
            for _, how in ipairs { "down", "raises" } do
                local lock = stores.lock(clock.now)
                lock[how] = true
                local t = fake.transport { fake.ok({}) }
                local c = client(t, { lock = lock })
                assert(c:touch_distribution({ o_author_id = how == "down" and "1" or "2" }))
                assert.equal(1, t:count())
                assert.equal(1, c:stats().store_errors)
            end
        end)

        it("holds one waiting request of a batch while the others are sent", function()
            local lock = stores.lock(clock.now)
            lock.first_elsewhere = true
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { lock = lock, sleep = function(s)
                clock.sleep(s)
                if clock.now() > 1001 then lock:free(lock.asked[1].key) end
            end })
            local results = c:batch({
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "3" } },
            }, { concurrency = 1 })
            for i = 1, 3 do assert.is_truthy(results[i].data, i) end
            assert.equal(3, t:count())
            -- the first sent is the second request: the first waited for the lock
            assert.matches("oAuthorId=2", t.urls[1])
        end)

        it("needs a cache, and an object with acquire and release", function()
            assert.has_error(function()
                xingtu.new { token = "t", transport = fake.transport {}, lock = stores.lock() }
            end, "xingtu.new: option lock needs a cache (cache = true, a directory, a cache object or"
                .. " { shared_dict = \"name\" }): the lock's waiters read the holder's answer there")
            local ok, err = pcall(xingtu.new, { token = "t", transport = fake.transport {}, cache = dir, lock = {} })
            assert.is_false(ok)
            assert.matches("option lock must be a lock object with acquire%(key, ttl%) and release%(handle%)", err)
        end)
    end)

    describe("pace", function()
        it("waits as long as the shared pace says, then sends", function()
            local pace = stores.pace { 0.5, 0.25 }
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { pace = pace, cache = false })
            assert(c:touch_distribution(PARAMS))
            assert.same({ 0.5, 0.25 }, clock.sleeps)
            assert.equal(3, pace.taken)
            assert.equal(1, t:count())
        end)

        it("fails open to the client's own bucket when its store is down", function()
            local pace = stores.pace {}
            pace.down = true
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { pace = pace, cache = false })
            assert(c:touch_distribution(PARAMS))
            assert.equal(1, t:count())
            assert.equal(1, c:stats().store_errors)
        end)

        it("gives up at the deadline rather than wait past it", function()
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { pace = stores.pace { 60 }, cache = false, deadline = 5 })
            local _, err = c:touch_distribution(PARAMS)
            assert.equal("timeout", err.kind)
            assert.is_true(err.deadline_exceeded)
            assert.equal(0, t:count())
        end)
    end)

    describe("budget", function()
        it("is reserved once per attempt, retries included", function()
            local budget = stores.budget(10)
            local t = fake.transport { fake.code(301), fake.ok({}) }
            local c = client(t, { budget = budget, cache = false })
            assert(c:touch_distribution(PARAMS))
            assert.equal(2, budget.reserved)
            assert.equal(2, t:count())
        end)

        it("refuses with budget_exceeded, not billed and nothing sent, once the shared cap is spent", function()
            local budget = stores.budget(1)
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { budget = budget, cache = false })
            assert(c:touch_distribution(PARAMS))
            local data, err = c:touch_distribution({ o_author_id = "2" })
            assert.is_nil(data)
            assert.equal("budget_exceeded", err.kind)
            assert.is_false(err.billed)
            assert.matches("shared budget of 1 spent", err.message)
            assert.equal(1, t:count())
        end)

        it("fails closed with budget_unavailable when its store is down or raises", function()
            for _, how in ipairs { "down", "raises" } do
                local budget = stores.budget(10)
                budget[how] = true
                local t = fake.transport { fake.ok({}) }
                local c = client(t, { budget = budget, cache = false })
                local data, err = c:touch_distribution(PARAMS)
                assert.is_nil(data)
                assert.equal("budget_unavailable", err.kind)
                assert.is_false(err.billed)
                assert.equal(0, t:count())
                assert.equal(1, c:stats().store_errors)
                assert.equal(1, c:stats().failed_by_kind.budget_unavailable)
            end
        end)

        it("sends anyway when the budget was made to fail open", function()
            local budget = stores.budget(10, true)
            budget.down = true
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { budget = budget, cache = false })
            assert(c:touch_distribution(PARAMS))
            assert.equal(1, t:count())
            assert.equal(1, c:stats().store_errors)
        end)

        it("fails the rest of a batch once spent, each with its own outcome", function()
            local t = fake.transport { fake.ok({}) }
            local c = client(t, { budget = stores.budget(2), cache = false })
            local reqs = {}
            for i = 1, 5 do reqs[i] = { "touch_distribution", { o_author_id = tostring(i) } } end
            local results = c:batch(reqs)
            local ok, refused = 0, 0
            for i = 1, 5 do
                if results[i].data then ok = ok + 1 elseif results[i].err.kind == "budget_exceeded" then
                    refused = refused + 1 end
            end
            assert.equal(2, ok)
            assert.equal(3, refused)
            assert.equal(2, t:count())
        end)
    end)
end)
