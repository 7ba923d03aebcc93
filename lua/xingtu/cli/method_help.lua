-- What a method takes, as text for people: `xingtu <method> --help` (its epilog) and `xingtu endpoints <method>`.
-- One block per parameter: the flag-style name, the provider's name, the type, required or the provider's default,
-- and for an enum its names, then the numeric ids with their Chinese labels the provider accepts as well.
-- Lines stay within 100 columns.

local output = require "xingtu.cli.output"

local _M = {}

local format, concat, ipairs, tostring = string.format, table.concat, ipairs, tostring

local WIDTH = 100

-- Words joined with ", " and wrapped at WIDTH, each line after the first indented by `indent`.
local function wrap(words, indent, first_used)
    local lines, line, used = {}, {}, first_used
    for i, w in ipairs(words) do
        local piece = w .. (i < #words and "," or "")
        local pw = output.width(piece) + 1
        if used + pw > WIDTH and #line > 0 then
            lines[#lines + 1] = concat(line, " ")
            line, used = {}, indent
        end
        line[#line + 1] = piece
        used = used + pw
    end
    if #line > 0 then lines[#lines + 1] = concat(line, " ") end
    return concat(lines, "\n" .. (" "):rep(indent))
end

-- The ids and labels the provider accepts besides the names: the catalogue lists them as id, label, id, label ...
-- (in the provider's order, which is not the names' order), shown as "id label" pairs.
local function also_of(p)
    local words, a = {}, p.also
    local pairs_of = #a % 2 == 0
    for i = 1, #a, 2 do
        if not (a[i]:match("^%d+$") and not a[i + 1]:match("^%d+$")) then pairs_of = false end
    end
    if not pairs_of then return a end
    for i = 1, #a, 2 do words[#words + 1] = a[i] .. " " .. a[i + 1] end
    return words
end

local function type_of(p)
    if p.type == "integer" and p.min then return format("integer >= %s", tostring(p.min)) end
    if p.type == "date" and p.format then return "date " .. p.format end
    if p.type == "id" then return "id (digits)" end
    return p.type
end

--- The parameter blocks of endpoint `ep` (a catalogue entry), one string ending in a newline.
function _M.parameters(ep)
    if #ep.params == 0 then return "  (no parameters)\n" end
    local out = {}
    for _, p in ipairs(ep.params) do
        local head = format("  %s", p.name)
        if p.api ~= p.name then head = head .. format(" (sent as %s)", p.api) end
        local facts = { type_of(p) }
        if p.required then facts[#facts + 1] = "required" end
        if p.default ~= nil then
            facts[#facts + 1] = "default " .. (p.default == "" and '""' or tostring(p.default))
        end
        out[#out + 1] = head .. ": " .. concat(facts, ", ")
        if p.type == "enum" then
            out[#out + 1] = "      values: " .. wrap(p.enum, 14, 14)
            if p.also then out[#out + 1] = "      also:   " .. wrap(also_of(p), 14, 14) end
        end
    end
    return concat(out, "\n") .. "\n"
end

--- `xingtu endpoints <method>`: the method, its path and description, its parameters.
function _M.describe(ep)
    return format("%s: %s\n  path %s\n\nParameters (enum values are matched ignoring case):\n%s", ep.name,
        ep.description, ep.path, _M.parameters(ep))
end

--- The epilog of `xingtu <method> --help`.
function _M.epilog(ep)
    return "Parameters (give them with --param name=value; --platform and --range fill platform and range or"
        .. " period):\n" .. _M.parameters(ep)
end

return _M
