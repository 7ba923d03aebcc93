-- Runs inside nginx for spec/nginx_spec.lua: GET /case/<name>?base=<provider url> runs one scenario of the nginx
-- transport (lua/xingtu/transport/ngx.lua) and answers its observations as JSON. The token comes from the
-- environment (env JUSTONEAPI_TOKEN), as in the example.

-- luacheck: globals ngx

local xingtu = require "xingtu"
local ngx_transport = require "xingtu.transport.ngx"

local _M = {}

local AUTHOR = "6976442543234760712"

local function now()
    ngx.update_time()
    return ngx.now()
end

local function client(opts)
    opts.base_url = opts.base_url or ngx.var.arg_base
    return xingtu.new(opts)
end

local function err_fields(err)
    if not err then return nil end
    return { kind = err.kind, billed = err.billed, retryable = err.retryable, url = err.url, message = err.message,
        http_status = err.http_status, attempts = err.attempts }
end

local cases = {}

function cases.defaults()
    local c = client {}
    local plain = client { transport = "curl" }
    return {
        ngx_transport = getmetatable(c.pipeline.transport) == ngx_transport.Transport,
        curl_transport = type(plain.pipeline.transport) == "userdata",
        blocking_sleep = c.pipeline.sleep == require("xingtu.core").sleep,
    }
end

function cases.result()
    local c = client {}
    local url = c:url_for("/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1", { { "oAuthorId", AUTHOR } })
    local t = c.pipeline.transport
    local r = t:get(url)
    local r2 = t:get(url)
    return {
        status = r.status, code = r.body and r.body.code, sent = r.sent, size = r.size, error = r.error,
        content_type = r.content_type, request_id = r.request_id, elapsed = r.elapsed, connects = r.connects,
        second_connects = r2.connects, stats = t:stats(), keys_have_url = r.url ~= nil,
    }
end

function cases.call()
    local c = client {}
    local data, meta = c:touch_distribution { o_author_id = AUTHOR }
    return { ok = data ~= nil, attempts = meta.attempts, url = meta.url, err = err_fields(not data and meta) }
end

function cases.timeout()
    local c = client { timeout = 0.3, retries = 0 }
    local started = now()
    local data, err = c:touch_distribution { o_author_id = AUTHOR }
    return { ok = data ~= nil, err = err_fields(err), wall = now() - started }
end

function cases.refused()
    local c = client { base_url = "http://127.0.0.1:1", retries = 0 }
    local data, err = c:touch_distribution { o_author_id = AUTHOR }
    return { ok = data ~= nil, err = err_fields(err) }
end

function cases.too_large()
    local c = client { max_body = 100, retries = 0 }
    local data, err = c:touch_distribution { o_author_id = AUTHOR }
    return { ok = data ~= nil, err = err_fields(err) }
end

function cases.retry()
    local c = client { backoff_base = 0.05 }
    local data, meta = c:touch_distribution { o_author_id = AUTHOR }
    return { ok = data ~= nil, attempts = meta.attempts, err = err_fields(not data and meta) }
end

-- A client's multi for `concurrency` transfers with n touch_distribution requests added, tagged 1..n.
local function multi_with(n, concurrency)
    local c = client {}
    local m = c.pipeline:open_multi(concurrency)
    local path = "/api/douyin-xingtu/gw/api/data_sp/author_touch_distribution/v1"
    for i = 1, n do
        m:add((c:url_for(path, { { "oAuthorId", "69764425432347600" .. i } })), i)
    end
    return m
end

-- The multi directly: 6 transfers, at most 3 at once.
function cases.multi()
    local m = multi_with(6, 3)
    local started, tags, statuses, polls = now(), {}, {}, 0
    local pending_before = m:pending()
    while m:pending() > 0 do
        polls = polls + 1
        for _, r in ipairs(m:poll()) do
            tags[#tags + 1] = r.tag
            statuses[#statuses + 1] = r.status
        end
    end
    local empty = m:poll(0)
    m:close()
    table.sort(tags)
    return { wall = now() - started, tags = tags, statuses = statuses, pending_before = pending_before,
        empty = #empty, closed_raises = not pcall(m.pending, m) }
end

-- The multi's poll(timeout, at_most): 4 transfers finish in the background, then come out one per poll.
function cases.multi_at_most()
    local m = multi_with(4, 4)
    local nothing = #m:poll(0, 0)
    ngx.sleep(0.5) -- the light threads run meanwhile
    local sizes, tags = {}, {}
    for k = 1, 4 do
        local rs = m:poll(0, 1)
        sizes[k] = #rs
        if rs[1] then tags[#tags + 1] = rs[1].tag end
    end
    local pending = m:pending()
    local bad = not pcall(m.poll, m, 0, -1)
    m:close()
    table.sort(tags)
    return { nothing = nothing, sizes = sizes, tags = tags, pending = pending, bad_raises = bad }
end

-- client:batch inside nginx, through the multi above.
function cases.batch()
    local c = client {}
    local requests = {}
    for i = 1, 8 do
        requests[i] = { "touch_distribution", { o_author_id = "69764425432347700" .. i } }
    end
    local started = now()
    local results = c:batch(requests, { concurrency = 4 })
    local ok = 0
    for _, r in ipairs(results) do
        if r.data then ok = ok + 1 end
    end
    return { ok = ok, wall = now() - started }
end

-- One case of spec/helpers/result_cases.lua through the nginx transport: ?name=<case>&base=<sandbox>&refused=<port>.
-- Answers the problems found (none: the contract holds) and what the result said.
function cases.contract()
    local result_cases = require "helpers.result_cases"
    local case = assert(result_cases.by_name[ngx.var.arg_name], "no such contract case")
    local ctx = { base = ngx.var.arg_base, token = os.getenv("JUSTONEAPI_TOKEN"), refused = ngx.var.arg_refused,
        own = "http://127.0.0.1:" .. ngx.var.server_port }
    local t = ngx_transport.new(require("xingtu.core"), case.opts)
    local r = t:get(case.url(ctx))
    return { problems = result_cases.problems(case, r, false), error = r.error, status = r.status }
end

function _M.run()
    local name = ngx.var.uri:match("^/case/([%w_]+)$")
    local case = name and cases[name]
    ngx.header["Content-Type"] = "application/json"
    if not case then
        ngx.status = 404
        ngx.say('{"error":"no such case"}')
        return
    end
    local ok, result = pcall(case)
    if not ok then
        ngx.status = 500
        result = { error = tostring(result) }
    end
    ngx.say(xingtu.json.encode(result))
end

return _M
