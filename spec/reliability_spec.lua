-- Retries, backoff, the retry budget, pacing and the spend guard, with an injected clock, sleep and random source.
local xingtu = require "xingtu"
local retry = require "xingtu.retry"
local fake = require "helpers.fake"

local AUTHOR = "6976442543234760712"

local function client_with(answers, opts)
    local t = fake.transport(answers)
    local clock = fake.clock()
    opts = opts or {}
    opts.token = "tok"
    opts.transport = t
    opts.clock = clock.now
    opts.sleep = clock.sleep
    opts.random = opts.random or function() return 1 end
    return xingtu.new(opts), t, clock
end

describe("xingtu reliability", function()
    describe("retries", function()
        it("retry collection failures until success", function()
            local c, t = client_with({ fake.code(301), fake.code(301), fake.ok({ fine = true }) })
            local data, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_true(data.fine)
            assert.equal(3, meta.attempts)
            assert.equal(3, t:count())
        end)

        it("give up on rate limits after retries + 1 attempts", function()
            local c, t = client_with({ fake.code(302) }, { retries = 3 })
            local data, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("rate_limited", err.kind)
            assert.equal(4, err.attempts)
            assert.equal(4, t:count())
        end)

        for _, code in ipairs { 100, 201, 303, 400, 600, 601, 602, 777 } do
            it("never retry business code " .. code, function()
                local c, t = client_with({ fake.code(code) })
                local _, err = c:touch_distribution { o_author_id = AUTHOR }
                assert.equal(1, t:count())
                assert.equal(1, err.attempts)
            end)
        end

        it("retry a provider 500 carrying its envelope (not billed)", function()
            local c, t = client_with({ fake.code(500, 500), fake.ok({}) })
            local data, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_table(data)
            assert.equal(2, meta.attempts)
            assert.equal(2, t:count())
        end)

        it("do not retry failures of unknown billing unless retry_unknown", function()
            local c, t = client_with({ fake.http(502), fake.ok({}) })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("server_error", err.kind)
            assert.equal("unknown", err.billed)
            assert.equal(1, t:count())

            local c2, t2 = client_with({ fake.http(502), fake.ok({}) }, { retry_unknown = true })
            assert.is_table((c2:touch_distribution { o_author_id = AUTHOR }))
            assert.equal(2, t2:count())
        end)

        it("retry network failures that happened before sending", function()
            local c, t = client_with({ fake.transport_error("connect", false), fake.ok({}) })
            local _, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(2, meta.attempts)
            assert.equal(2, t:count())
        end)

        it("do not retry a timeout after sending unless retry_unknown", function()
            local c, t = client_with({ fake.transport_error("timeout", true), fake.ok({}) })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("timeout", err.kind)
            assert.equal(1, t:count())
        end)

        it("wait with exponential backoff and full jitter", function()
            local c, _, clock = client_with({ fake.code(301) }, { retries = 5, backoff_base = 0.5, backoff_max = 3 })
            c:touch_distribution { o_author_id = AUTHOR }
            -- random() == 1 gives the ceiling of each draw: min(3, 0.5 * 2^(n-1)).
            assert.same({ 0.5, 1, 2, 3, 3 }, clock.sleeps)
        end)

        it("keep every backoff within [0, min(max, base * 2^(n-1))] over 10,000 draws", function()
            local seed = 42
            local function lcg() -- deterministic uniform [0, 1)
                seed = (seed * 1103515245 + 12345) % 2147483648
                return seed / 2147483648
            end
            local policy = retry.new { retries = 3, backoff_base = 0.5, backoff_max = 20, random = lcg }
            local lowest, highest = {}, {}
            for i = 1, 10000 do
                local n = (i % 8) + 1
                local wait = policy:backoff(n)
                local ceiling = math.min(20, 0.5 * 2 ^ (n - 1))
                assert.is_true(wait >= 0 and wait <= ceiling)
                lowest[n] = math.min(lowest[n] or math.huge, wait / ceiling)
                highest[n] = math.max(highest[n] or 0, wait / ceiling)
            end
            for n = 1, 8 do -- the draws cover the whole interval, not a corner of it
                assert.is_true(lowest[n] < 0.05 and highest[n] > 0.95)
            end
        end)

        it("wait at least Retry-After seconds on 429", function()
            local c, _, clock = client_with({ fake.http(429, "", { retry_after = "7" }), fake.ok({}) },
                { random = function() return 0 end })
            local _, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(2, meta.attempts)
            assert.same({ 7 }, clock.sleeps)
        end)

        it("understand Retry-After as an HTTP date", function()
            local now = os.time()
            local date = os.date("!%a, %d %b %Y %H:%M:%S GMT", now + 5)
            local wait = retry.parse_retry_after(date, now)
            assert.is_true(wait >= 4 and wait <= 6)
            assert.equal(12, retry.parse_retry_after(" 12 "))
            assert.is_nil(retry.parse_retry_after("soon"))
        end)

        it("read an absurd Retry-After as a finite wait of at most a year, so it encodes as JSON", function()
            assert.equal(retry.MAX_RETRY_AFTER, retry.parse_retry_after(string.rep("9", 400)))
            assert.equal(retry.MAX_RETRY_AFTER, retry.parse_retry_after("99999999999"))
            local c = client_with({ fake.http(429, "", { retry_after = string.rep("9", 400) }) })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("rate_limited", err.kind)
            assert.equal(retry.MAX_RETRY_AFTER, err.retry_after)
            assert.is_string(require("xingtu").json.encode { retry_after = err.retry_after })
        end)

        it("fail at once when Retry-After exceeds backoff_max", function()
            local c, t = client_with({ fake.http(503, "", { retry_after = "3600" }) }, { retry_unknown = true })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(1, t:count())
            assert.equal(3600, err.retry_after)
        end)

        it("report the server's Retry-After as err.retry_after also when the call is not retried", function()
            local c = client_with({ fake.http(429, "", { retry_after = "120" }) }, { retries = 0 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(120, err.retry_after)
            c = client_with({ fake.http(429, "", { retry_after = "5" }) }, { retries = 1 })
            _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(2, err.attempts)
            assert.equal(5, err.retry_after) -- the last attempt's, though no attempt follows
            c = client_with({ fake.code(302) }, { retries = 0 })
            _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(err.retry_after)
        end)

        it("read a Retry-After date against the injected wall clock", function()
            local epoch = 1800000000
            local date = os.date("!%a, %d %b %Y %H:%M:%S GMT", epoch + 9)
            local c, _, clock = client_with({ fake.http(503, "", { retry_after = date }), fake.ok({}) },
                { retry_unknown = true, random = function() return 0 end, wall_clock = function() return epoch end })
            local _, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(2, meta.attempts)
            assert.same({ 9 }, clock.sleeps)
        end)

        it("start no attempt whose wait would end past the deadline", function()
            local c, t = client_with({ fake.code(301) }, { deadline = 2.5, retries = 10 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            -- waits 0.5 and 1 fit in 2.5 s; the next (2) would end at 3.5.
            assert.equal(3, t:count())
            assert.is_true(err.deadline_exceeded)
        end)

        it("stop retrying when the retry budget is spent: 100 retries in 200 consecutive 302s", function()
            local c, t = client_with({ fake.code(302) }, { retries = 1, random = function() return 0 end })
            local budget_empty = 0
            for _ = 1, 200 do
                local _, err = c:touch_distribution { o_author_id = AUTHOR }
                if err.retry_budget_empty then budget_empty = budget_empty + 1 end
            end
            assert.equal(100, c:stats().retried)
            assert.equal(300, t:count())
            assert.equal(100, budget_empty)
        end)

        it("refill the retry budget slowly on success", function()
            local c = client_with({ fake.code(302), fake.ok({}) }, { random = function() return 0 end })
            c:touch_distribution { o_author_id = AUTHOR }
            assert.equal(500 - 5 + 1, c:stats().retry_budget)
        end)
    end)

    describe("pacing", function()
        it("keeps to rate requests per second", function()
            local c, t, clock = client_with({ fake.ok({}) }, { rate = 5 })
            local start = clock.now()
            for _ = 1, 20 do c:touch_distribution { o_author_id = AUTHOR } end
            assert.equal(20, t:count())
            assert.is_true(clock.now() - start >= 3.8 - 1e-9)
        end)

        it("lets a burst through at once", function()
            local c, _, clock = client_with({ fake.ok({}) }, { rate = 1, burst = 5 })
            local start = clock.now()
            for _ = 1, 5 do c:touch_distribution { o_author_id = AUTHOR } end
            assert.equal(start, clock.now())
        end)

        it("refuses a burst below one request", function()
            assert.has_error(function() client_with({}, { rate = 10, burst = 0.5 }) end,
                "xingtu.new: option burst must be a number of requests from 1 to 100000, got 0.5")
        end)

        it("lowers an adaptive pace once per overshoot, not once per answer that was already on its way", function()
            local ratelimit = require "xingtu.ratelimit"
            local b = ratelimit.new({ rate = 20, adaptive = true }, 0)
            for _ = 1, 16 do b:on_rate_limited(0.1, 0) end -- 16 requests sent together, all refused
            assert.equal(10, b:current())
            b:on_rate_limited(0.3, 0.2) -- one sent after the decrease: a new overshoot
            assert.equal(5, b:current())
        end)

        it("slows down on rate limits and speeds up again when adaptive", function()
            local answers = { fake.code(302), fake.ok({}) }
            local c = client_with(answers, { rate = 10, adaptive = true, random = function() return 0 end })
            local _, meta = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_true(meta.rate < 10)
            local before = meta.rate
            for _ = 1, 50 do _, meta = c:touch_distribution { o_author_id = AUTHOR } end
            assert.is_true(meta.rate > before)
            assert.is_true(meta.rate <= 10)
        end)
    end)

    describe("spend guard", function()
        it("fails with budget_exceeded once max_calls requests were sent, sending nothing more", function()
            local c, t = client_with({ fake.ok({}) }, { max_calls = 3 })
            for _ = 1, 3 do assert.is_table((c:touch_distribution { o_author_id = AUTHOR })) end
            local data, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.is_nil(data)
            assert.equal("budget_exceeded", err.kind)
            assert.is_false(err.billed)
            assert.equal(3, t:count())
        end)

        it("counts retries against max_calls", function()
            local c, t = client_with({ fake.code(301) }, { max_calls = 2, retries = 5 })
            local _, err = c:touch_distribution { o_author_id = AUTHOR }
            assert.equal("budget_exceeded", err.kind)
            assert.equal("collection_failed", err.previous.kind)
            assert.equal(2, t:count())
        end)

        it("reports what was sent, succeeded, failed and retried", function()
            local c = client_with({ fake.code(301), fake.ok({}), fake.code(601) })
            c:touch_distribution { o_author_id = AUTHOR }
            c:touch_distribution { o_author_id = AUTHOR }
            local s = c:stats()
            assert.equal(3, s.sent)
            assert.equal(1, s.succeeded)
            assert.equal(1, s.failed)
            assert.equal(1, s.retried)
            assert.same({ insufficient_balance = 1 }, s.failed_by_kind)
        end)

        it("reports billed answers apart from those whose billing is unknown, one per attempt", function()
            local c = client_with({ fake.code(301), fake.ok({}), fake.code(201), fake.transport_error("timeout", true),
                fake.http(502, "<html>bad gateway</html>"), fake.code(601) }, { retry_unknown = true })
            c:touch_distribution { o_author_id = AUTHOR }     -- 301 (not billed), then a success (billed)
            c:touch_distribution { o_author_id = AUTHOR }     -- not_found: billed
            c:touch_distribution { o_author_id = AUTHOR }     -- a timeout, a 502 (both unknown), then 601 (not billed)
            local s = c:stats()
            assert.equal(6, s.sent)
            assert.equal(2, s.billed)
            assert.equal(2, s.billed_unknown)
            assert.equal(0, s.cache_hits)
            assert.equal(0, s.coalesced)
        end)

        it("reports answers from the cache as cache hits, not as sent, billed or succeeded", function()
            local dir = os.tmpname()
            os.remove(dir)
            local c, t = client_with({ fake.ok({ fine = true }) }, { cache = dir })
            assert.is_table(c:touch_distribution { o_author_id = AUTHOR })
            assert.is_table(c:touch_distribution { o_author_id = AUTHOR })
            local s = c:stats()
            assert.equal(1, t:count())
            assert.same({ 1, 1, 1, 1 }, { s.sent, s.billed, s.cache_hits, s.succeeded })
            os.execute("rm -rf '" .. dir .. "'")
        end)
    end)
end)
