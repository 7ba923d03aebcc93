-- Every catalogue endpoint through the real client and transport against the sandbox: each one answers with data
-- when given its required parameters (as a method and through client:call), each parameter type reaches the sandbox
-- in a form it accepts, and every kind of bad argument raises an error naming the parameter before anything is sent.
local xingtu = require "xingtu"
local core = require "xingtu.core"
local catalogue = require "xingtu.endpoints"
local sandbox = require "helpers.sandbox"

local AUTHOR = "6976442543234760712"
local ITEM = "7301234567890123456"

-- A valid value for a required parameter, by type and API name.
local function sample(p)
    if p.type == "id" then return p.api == "itemId" and ITEM or AUTHOR end
    if p.type == "date" then return p.api == "startDate" and "2026-01-01" or "2026-01-31" end
    error("no sample value for required parameter " .. p.api .. " of type " .. p.type)
end

-- A valid value other than the default, for an optional parameter.
local function other_value(p)
    if p.type == "enum" then
        for _, v in ipairs(p.enum) do
            if v ~= p.default then return v end
        end
    elseif p.type == "integer" then
        return 2
    elseif p.type == "boolean" then
        return not p.default
    elseif p.type == "date" then
        return p.api == "startDate" and "2026-01-01" or "2026-01-31"
    elseif p.type == "string" then
        return p.api == "keyword" and "美妆" or "1000-2000"
    end
    return sample(p)
end

local function required_params(ep)
    local params = {}
    for _, p in ipairs(ep.params) do
        if p.required then params[p.name] = sample(p) end
    end
    return params
end

local function copy(t)
    local c = {}
    for k, v in pairs(t) do c[k] = v end
    return c
end

local function with(ep, key, value)
    local params = required_params(ep)
    params[key] = value
    return params
end

local function without(ep, key)
    local params = required_params(ep)
    params[key] = nil
    return params
end

local function has_both_dates(ep)
    local n = 0
    for _, p in ipairs(ep.params) do
        if p.api == "startDate" or p.api == "endDate" then n = n + 1 end
    end
    return n == 2
end

-- Every kind of bad argument that applies to `ep`: { what, params, words the message must contain }.
local function bad_cases(ep)
    local cases = {}
    local function case(what, params, ...) cases[#cases + 1] = { what = what, params = params, words = { ... } } end

    case("an unknown parameter", with(ep, "no_such_param", "1"), '"no_such_param"', "valid parameters")
    case("a misspelt API name", with(ep, ep.params[1].api:lower() .. "x", "1"), ep.params[1].api:lower() .. "x")
    case("a positional value", with(ep, 1, "x"), "unknown parameter 1")
    for _, p in ipairs(ep.params) do
        if p.required then case("no " .. p.name, without(ep, p.name), "missing required parameter " .. p.name) end
        if p.type == "id" then
            case(p.name .. " empty", with(ep, p.name, ""), p.name)
            case(p.name .. " not numeric", with(ep, p.name, "69764425432347607x2"), p.name)
            case(p.name .. " negative", with(ep, p.name, "-6976442543234760712"), p.name)
            case(p.name .. " a float", with(ep, p.name, 1.5), p.name)
            case(p.name .. " zero", with(ep, p.name, "0"), p.name, "positive")
            case(p.name .. " the integer 0", with(ep, p.name, 0), p.name, "positive")
            case(p.name .. " too long", with(ep, p.name, "123456789012345678901"), p.name)
            case(p.name .. " a table", with(ep, p.name, {}), p.name)
        elseif p.type == "enum" then
            local lower = p.enum[1]:lower()
            case(p.name .. " not a value", with(ep, p.name, "NOT_A_VALUE"), p.name, table.unpack(p.enum))
            -- Any case of a value is that value (sent in the provider's spelling); a misspelt one is refused.
            case(p.name .. " misspelt in lower case", with(ep, p.api, lower .. "_x"), p.name, table.unpack(p.enum))
            case(p.name .. " a number", with(ep, p.name, 7), p.name, p.enum[1])
            case(p.name .. " a boolean", with(ep, p.name, true), p.name, p.enum[1])
        elseif p.type == "integer" then
            case(p.name .. " letters", with(ep, p.name, "abc"), p.name, "integer")
            case(p.name .. " a float", with(ep, p.name, 1.5), p.name, "integer")
            case(p.name .. " a decimal string", with(ep, p.name, "2.5"), p.name, "integer")
            case(p.name .. " a boolean", with(ep, p.name, true), p.name, "integer")
            case(p.name .. " beyond 32 bits", with(ep, p.name, "2147483648"), p.name, "at most 2147483647")
            if p.min then
                case(p.name .. " below " .. p.min, with(ep, p.name, p.min - 1), p.name, "at least " .. p.min)
                case(p.name .. " negative", with(ep, p.name, -1), p.name, "at least " .. p.min)
            end
        elseif p.type == "boolean" then
            case(p.name .. " yes", with(ep, p.name, "yes"), p.name, "true or false")
            case(p.name .. " 1", with(ep, p.name, 1), p.name, "true or false")
            case(p.name .. " empty", with(ep, p.name, ""), p.name, "true or false")
        elseif p.type == "date" then
            case(p.name .. " with slashes", with(ep, p.name, "2026/01/05"), p.name)
            case(p.name .. " without leading zeros", with(ep, p.name, "2026-1-5"), p.name)
            case(p.name .. " a word", with(ep, p.name, "yesterday"), p.name)
            case(p.name .. " 2026-02-30", with(ep, p.name, "2026-02-30"), p.name)
            case(p.name .. " 2026-13-01", with(ep, p.name, "2026-13-01"), p.name)
            case(p.name .. " 2025-02-29", with(ep, p.name, "2025-02-29"), p.name)
            case(p.name .. " a number", with(ep, p.name, 20260105), p.name)
        elseif p.type == "string" then
            case(p.name .. " a table", with(ep, p.name, {}), p.name, "string")
            case(p.name .. " a boolean", with(ep, p.name, false), p.name, "string")
        end
    end
    if has_both_dates(ep) then
        local params = required_params(ep)
        params.start_date, params.end_date = "2026-02-01", "2026-01-31"
        case("start_date after end_date", params, "start_date", "end_date")
        params = copy(params)
        params.start_date, params.end_date = nil, nil
        params.startDate, params.endDate = "20260201", "20260131"
        case("startDate after endDate, as API names", params, "start_date", "end_date")
    end
    local first = ep.params[1]
    local twice = with(ep, first.name, first.required and sample(first) or other_value(first))
    twice[first.api] = twice[first.name]
    if first.name ~= first.api then case("a parameter under both names", twice, first.name, "twice") end
    case("a string instead of the table", "o_author_id=1", "expected a table of parameters")
    case("a number instead of the table", 42, "expected a table of parameters")
    case("true instead of the table", true, "expected a table of parameters")
    return cases
end

-- The sandbox's request counter, read in-process through the C core (no curl process per check).
local control = core.session { timeout = 10 }
local function sandbox_control(name)
    local res = control:get(sandbox.url .. "/__sandbox/" .. name)
    assert(res.status == 200 and res.body, "sandbox " .. name .. ": " .. tostring(res.error_message or res.json_error))
    return res.body
end
local function sandbox_requests() return sandbox_control("stats").requests end

local function arg_of(last, api)
    for _, kv in ipairs(last.args) do
        if kv.key == api then return kv.value end
    end
end

describe("every endpoint against the sandbox", function()
    local client

    setup(function()
        sandbox.start()
        client = xingtu.new { base_url = sandbox.url, token = sandbox.token, retries = 0 }
    end)

    teardown(function()
        if client then client:close() end
        control:close()
    end)

    it("covers every endpoint of the catalogue, each a method of the client", function()
        assert.equal(#catalogue, #xingtu.endpoint_names)
        for _, name in ipairs(xingtu.endpoint_names) do assert.is_function(client[name], name) end
    end)

    describe("with only the required parameters", function()
        for _, ep in ipairs(catalogue) do
            it(ep.name .. " answers with data, as a method and through client:call", function()
                local before = sandbox_requests()
                local data, meta = client[ep.name](client, required_params(ep))
                assert(data ~= nil, ep.name .. ": " .. tostring(meta))
                assert.is_table(data)
                assert.equal(0, meta.code)
                assert.equal(ep.path, sandbox_control("last").path)

                local again, meta2 = client:call(ep.name, required_params(ep))
                assert(again ~= nil, ep.name .. " through call: " .. tostring(meta2))
                assert.is_table(again)
                assert.same(data, again) -- the sandbox is deterministic
                assert.equal(before + 2, sandbox_requests())
            end)
        end
    end)

    describe("JSON out", function()
        it("xingtu.json.encode writes every endpoint's data back byte for byte, empty pages too", function()
            if not math.type then return pending("LuaJIT: ids beyond 2^53 decode as strings") end
            local validate = require "xingtu.validate"
            local session = core.session { keep_text = true }
            local checked = 0
            for _, ep in ipairs(catalogue) do
                local variants = { required_params(ep) }
                for _, p in ipairs(ep.params) do
                    if p.api == "page" then variants[2] = with(ep, p.name, 999) end -- past the last page: []
                end
                for _, params in ipairs(variants) do
                    local url = client:url_for(ep.path, validate.query(ep, params, 1))
                    local r = session:get(url)
                    assert.equal(0, r.body.code, ep.name)
                    -- The sandbox writes `data` compact, keys sorted: what sort_keys writes.
                    local text = r.text:match('^{"code":0,"message":"success","data":(.*),"recordTime":')
                    assert(text, ep.name .. ": unexpected envelope " .. r.text:sub(1, 80))
                    assert.equal(text, xingtu.json.encode(r.body.data, { sort_keys = true }), ep.name)
                    checked = checked + 1
                end
            end
            session:close()
            assert.is_true(checked > #catalogue, checked .. " bodies")
        end)
    end)

    describe("with every parameter given a valid value", function()
        for _, ep in ipairs(catalogue) do
            it(ep.name .. " is accepted, with every parameter sent", function()
                local params = {}
                for _, p in ipairs(ep.params) do
                    params[p.name] = p.required and sample(p) or other_value(p)
                end
                local data, meta = client[ep.name](client, params)
                assert(data ~= nil, ep.name .. ": " .. tostring(meta))
                assert.is_table(data)
                local last = sandbox_control("last")
                assert.equal(#ep.params, #last.args - 1) -- and the token
                for _, p in ipairs(ep.params) do
                    assert.is_not_nil(arg_of(last, p.api), ep.name .. " did not send " .. p.api)
                end
            end)
        end
    end)

    describe("enum values given as the provider's numeric id or Chinese label", function()
        local cases = {
            { "industry", "1901" }, { "industry", "3C及电器" }, { "industry", 1901 }, { "industry", "0" },
            { "industry", "不限" }, { "industry", "ELECTRONICS_AND_APPLIANCES" },
            { "author_list", "7540478044453486642" }, { "author_list", "短直联动娱播达人" },
            { "author_list", "BEAUTY_QUALITY_CREATORS" },
            { "gender", "1" }, { "gender", "男性" }, { "gender", 2 }, { "gender", "女性" },
            { "marketing_target", "2" }, { "marketing_target", "破圈种草" },
        }
        for _, c in ipairs(cases) do
            local name, value = c[1], c[2]
            it(("search accepts %s = %s (%s) and the sandbox does too"):format(name, tostring(value), type(value)), function()
                local before = sandbox_requests()
                local data, meta = client:search { [name] = value }
                assert(data ~= nil, tostring(meta))
                assert.is_table(data)
                assert.equal(before + 1, sandbox_requests())
                local api = name:gsub("_(%l)", string.upper)
                assert.equal(tostring(value), arg_of(sandbox_control("last"), api))
            end)
        end

        it("are not accepted where the provider does not document them (industry_id, industry_tag)", function()
            local before = sandbox_requests()
            assert.has_error(function()
                client:convert_resources { o_author_id = AUTHOR, industry_id = "1901" }
            end)
            assert.has_error(function() client:link_info { o_author_id = AUTHOR, industry_tag = "3C及电器" } end)
            assert.equal(before, sandbox_requests())
        end)
    end)

    describe("with a bad argument", function()
        for _, ep in ipairs(catalogue) do
            for _, c in ipairs(bad_cases(ep)) do
                it(ep.name .. ": " .. c.what .. " raises, naming it, and nothing is sent", function()
                    local before = sandbox_requests()
                    local sent_before = client:stats().sent
                    for _, how in ipairs { "method", "call" } do
                        local ok, err = pcall(function()
                            local data
                            if how == "method" then
                                data = client[ep.name](client, c.params)
                            else
                                data = client:call(ep.name, c.params)
                            end
                            return data -- not a tail call: the error must point at the line above
                        end)
                        assert(not ok, ("%s (%s) did not raise for %s"):format(ep.name, how, c.what))
                        assert.is_string(err)
                        -- raised at the caller's line, prefixed with the method
                        assert.matches("endpoints_sandbox_spec%.lua:%d+: xingtu%." .. ep.name .. ": ", err)
                        for _, word in ipairs(c.words) do
                            assert(err:find(word, 1, true), ("%s (%s): message %q does not name %q"):format(
                                ep.name, how, err, word))
                        end
                    end
                    assert.equal(sent_before, client:stats().sent)
                    assert.equal(before, sandbox_requests())
                end)
            end
        end
    end)
end)
