-- README.md's endpoint table (between <!-- endpoints:begin --> and <!-- endpoints:end -->) is exactly what
-- .ci/endpoint-table renders from the catalogue.
local util = require "helpers.util"
local FIX = "run `lua5.4 .ci/endpoint-table --write` to regenerate it"

local table_tool = assert(loadfile(util.ROOT .. "/.ci/endpoint-table"))("--module")
local catalogue = require "xingtu.endpoints"

-- The first line where two texts differ, for a readable failure.
local function first_difference(a, b)
    local la, lb = {}, {}
    for line in (a .. "\n"):gmatch("(.-)\n") do la[#la + 1] = line end
    for line in (b .. "\n"):gmatch("(.-)\n") do lb[#lb + 1] = line end
    for i = 1, math.max(#la, #lb) do
        if la[i] ~= lb[i] then
            return ("line %d of the table:\n    README:   %s\n    expected: %s"):format(i, tostring(la[i]),
                tostring(lb[i]))
        end
    end
    return "no line differs"
end

describe("README.md", function()
    local readme = assert(util.read_file(util.ROOT .. "/README.md"))

    describe("endpoint table", function()
        it("sits between the two markers, each once", function()
            local region, err = table_tool.region(readme)
            assert(region, tostring(err) .. "; " .. FIX)
        end)

        it("is the rendering of the catalogue", function()
            local region = assert(table_tool.region(readme))
            local expected = table_tool.render()
            assert(region == expected,
                "README.md's endpoint table differs from lua/xingtu/endpoints.lua: " .. FIX .. "\n  "
                    .. first_difference(region, expected))
        end)

        it("has one row per endpoint, naming its method and path", function()
            local region = assert(table_tool.region(readme))
            local rows = 0
            for _ in region:gmatch("\n| `[a-z_]+`<br>") do rows = rows + 1 end
            assert.equal(#catalogue, rows)
            for _, ep in ipairs(catalogue) do
                assert(region:find("| `" .. ep.name .. "`<br>", 1, true), ep.name .. " has no row; " .. FIX)
                local shown = ep.path:gsub("^/api/douyin%-xingtu/gw/api", "")
                assert(region:find("<sub>`" .. shown .. "`</sub>", 1, true), ep.name .. ": path not shown")
            end
        end)
    end)

    describe(".ci/endpoint-table", function()
        it("renders every parameter with both names, * for required ones, defaults and allowed values", function()
            local text = table_tool.render()
            assert.matches("`o_author_id`\\%* %(`oAuthorId`%): numeric id", text)
            assert.matches("`start_date`\\%* %(`startDate`%): date `YYYY%-MM%-DD`", text)
            assert.matches("`platform`: `SHORT_VIDEO` %(default%), `LIVE_STREAMING`", text)
            assert.matches("`range`: `DAY_30`, `DAY_90`; the provider's default is `90`", text)
            assert.matches("`industry`: one of 38 industries %(see `xingtu.endpoints`%)", text)
            assert.matches("`gender`: `MALE` %(`1`, `男性`%), `FEMALE` %(`2`, `女性`%)", text)
            assert.matches("`page`: integer ≥ 1, default `1`", text)
            assert.matches("`only_assign` %(`onlyAssign`%): `true` or `false`, default `false`", text)
        end)

        it("replaces only the region between the markers", function()
            local text = "intro\n" .. table_tool.BEGIN .. "\nold\n" .. table_tool.END .. "\noutro\n"
            local out = table_tool.replace(text, "\nnew\n")
            assert.equal("intro\n" .. table_tool.BEGIN .. "\nnew\n" .. table_tool.END .. "\noutro\n", out)
            assert.equal("\nnew\n", table_tool.region(out))
        end)

        it("refuses a README without the markers or with them twice", function()
            assert.is_nil(table_tool.region("no markers here"))
            local twice = table_tool.BEGIN .. table_tool.END .. table_tool.BEGIN .. table_tool.END
            local ok, err = table_tool.replace(twice, "x")
            assert.is_nil(ok)
            assert.matches("more than once", err)
        end)
    end)
end)
