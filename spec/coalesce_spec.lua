-- Coalescing in one process: requests for the same answer that overlap in time send one request, and every caller
-- gets its own copy of the outcome (meta.coalesced = true on those that sent nothing).

local xingtu = require "xingtu"
local fake = require "helpers.fake"
local sandbox = require "helpers.sandbox"

local AUTHOR = "6976442543234760712"

local function same(n, params)
    local reqs = {}
    for i = 1, n do reqs[i] = { "touch_distribution", params or { o_author_id = AUTHOR } } end
    return reqs
end

describe("coalescing", function()
    describe("in a batch", function()
        it("sends one request for ten identical ones, and every caller owns its copy", function()
            local t = fake.transport { fake.ok({ list = { 1, 2, 3 } }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch(same(10))
            assert.equal(1, t:count())
            local senders = 0
            for i = 1, 10 do
                local r = results[i]
                assert.same({ 1, 2, 3 }, r.data.list)
                if r.meta.coalesced then
                    assert.equal(0, r.meta.attempts)
                    assert.are_not.equal(results[1].data, r.data)
                    assert.are_not.equal(results[1].data.list, r.data.list)
                else
                    senders = senders + 1
                end
            end
            assert.equal(1, senders)
            results[2].data.list[1] = "changed"
            assert.equal(1, results[3].data.list[1])
            local s = c:stats()
            assert.equal(1, s.sent)
            assert.equal(9, s.coalesced)
            assert.equal(1, s.billed)
        end)

        it("keeps coalescing over 3,000 distinct requests, with the table of finished keys bounded", function()
            local t = fake.transport { fake.ok({ fine = true }) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local reqs = {}
            for i = 1, 3000 do
                local params = { o_author_id = tostring(1000000 + i) }
                reqs[2 * i - 1] = { "touch_distribution", params }
                reqs[2 * i] = { "touch_distribution", params }
            end
            local results = c:batch(reqs, { concurrency = 8 })
            assert.equal(3000, t:count())
            for i = 1, 6000 do assert.is_true(results[i].data.fine) end
            local s = c:stats()
            assert.equal(3000, s.sent)
            assert.equal(3000, s.coalesced)
            local keys = 0
            for _, group in pairs(c.pipeline.inflight) do
                assert.is_false(group) -- nothing in flight once the batch ended
                keys = keys + 1
            end
            assert.is_true(keys <= 1024, keys .. " finished keys kept")
            -- a key released before leads again, and its duplicates follow it
            local again = c:batch(same(3, { o_author_id = "1000001" }))
            assert.equal(3001, t:count())
            assert.equal(3002, c:stats().coalesced)
            for i = 1, 3 do assert.is_true(again[i].data.fine) end
        end)

        it("treats a default given explicitly and one left out as the same answer", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch {
                { "touch_distribution", { o_author_id = AUTHOR } },
                { "touch_distribution", { oAuthorId = AUTHOR } },
            }
            assert.equal(1, t:count())
            assert.is_true(results[2].meta.coalesced)
        end)

        it("sends requests that differ in a parameter apart", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            c:batch {
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "1" } },
            }
            assert.equal(2, t:count())
            assert.equal(1, c:stats().coalesced)
        end)

        it("shares a failure: a not_found is bought once", function()
            local t = fake.transport { fake.code(201) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local results = c:batch(same(5))
            assert.equal(1, t:count())
            for i = 1, 5 do assert.equal("not_found", results[i].err.kind) end
            local coalesced = 0
            for i = 1, 5 do if results[i].err.coalesced then coalesced = coalesced + 1 end end
            assert.equal(4, coalesced)
            local s = c:stats()
            assert.equal(5, s.failed)
            assert.equal(5, s.failed_by_kind.not_found)
            assert.equal(1, s.billed)
        end)

        it("gives a waiter whose own deadline passed its own timeout", function()
            local clock = fake.clock()
            local t = fake.transport { function()
                clock.advance(3)
                return fake.ok({})
            end }
            local c = xingtu.new { token = "secret-token-123456", transport = t, clock = clock.now,
                sleep = clock.sleep, deadline = 5 }
            -- All four are taken in at once, the first goes alone (slow start); the third then leads the fourth
            -- from 3 s later than the fourth's own clock started, and answers after its deadline.
            local results = c:batch({
                { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "3" } },
                { "touch_distribution", { o_author_id = "2" } },
                { "touch_distribution", { o_author_id = "2" } },
            }, { concurrency = 2 })
            assert.equal(3, t:count())
            for i = 1, 3 do assert.is_truthy(results[i].data, i) end
            assert.equal("timeout", results[4].err.kind)
            assert.is_true(results[4].err.coalesced)
            assert.is_true(results[4].err.deadline_exceeded)
            assert.is_false(results[4].err.billed)
        end)

        it("frees the keys of a batch left by a break: the next batch coalesces them again", function()
            local t = fake.transport { fake.ok({}) }
            local c = xingtu.new { token = "secret-token-123456", transport = t }
            local seen = 0
            -- the first goes alone (slow start): at the break the second leads a key it never sent
            for _ in c:each({ { "touch_distribution", { o_author_id = "1" } },
                { "touch_distribution", { o_author_id = "2" } }, { "touch_distribution", { o_author_id = "2" } } },
                { concurrency = 1 }) do
                seen = seen + 1
                if seen == 1 then break end
            end
            assert.equal(1, t:count())
            local results = c:batch(same(3, { o_author_id = "2" }))
            assert.equal(2, t:count())
            assert.is_true(results[3].meta.coalesced)
        end)
    end)

    describe("against the sandbox", function()
        setup(function() sandbox.start() end)
        before_each(function() sandbox.reset() end)

        it("buys ten identical touch_distribution requests of a cached batch once", function()
            local dir = os.tmpname()
            os.remove(dir)
            local c = xingtu.new { token = sandbox.token, base_url = sandbox.url, cache = dir }
            local results = c:batch(same(10))
            for i = 1, 10 do assert.is_truthy(results[i].data, i) end
            assert.equal(1, sandbox.stats().requests)
            -- and once it is kept, the cache answers the next ones
            assert(c:touch_distribution { o_author_id = AUTHOR })
            assert.equal(1, sandbox.stats().requests)
            os.execute("rm -rf '" .. dir .. "'")
        end)
    end)
end)
