-- Did-you-mean for names a user types (commands, methods): the closest known names by edit distance (Damerau:
-- a swap of two neighbours is one edit, so "serach" finds "search"), at most a third of the name's length away.

local _M = {}

local min, floor, concat, ipairs = math.min, math.floor, table.concat, ipairs

--- Edit distance between a and b (bytes; names are ASCII), adjacent transpositions counting one.
function _M.distance(a, b)
    a, b = a:lower(), b:lower()
    local la, lb = #a, #b
    local d = {}
    for i = 0, la do d[i] = { [0] = i } end
    for j = 0, lb do d[0][j] = j end
    for i = 1, la do
        for j = 1, lb do
            local cost = a:byte(i) == b:byte(j) and 0 or 1
            local v = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
                v = min(v, d[i - 2][j - 2] + 1)
            end
            d[i][j] = v
        end
    end
    return d[la][lb]
end

--- The known names closest to `name` (best first, at most 3), or an empty list.
function _M.closest(name, known)
    local limit = floor(#name / 3) + 1
    local found, seen = {}, {}
    for _, k in ipairs(known) do
        local dist = not seen[k] and _M.distance(name, k)
        seen[k] = true
        if dist and (dist <= limit or (#name >= 4 and k:find(name:lower(), 1, true))) then
            found[#found + 1] = { name = k, d = dist } -- a name both a command and a method comes once
        end
    end
    table.sort(found, function(x, y) if x.d ~= y.d then return x.d < y.d end return x.name < y.name end)
    local out = {}
    for i = 1, min(3, #found) do out[i] = found[i].name end
    return out
end

--- One line: "unknown <what> NAME; did you mean X?" (or the list of names to run `xingtu endpoints` for).
function _M.unknown(what, name, known)
    local near = _M.closest(name, known)
    if #near == 0 then return "unknown " .. what .. " " .. name .. " (xingtu endpoints lists the methods)" end
    return "unknown " .. what .. " " .. name .. "; did you mean " .. concat(near, " or ") .. "?"
end

return _M
