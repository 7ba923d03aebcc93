-- Hiding a secret (the API token) in text that came from somewhere else: a provider's error page or envelope, a
-- header, a log line.
--
--   local hide = require("xingtu.secret").masker(token)
--   hide("denied: GET /x?token=ab%2Bcd...")   --> "denied: GET /x?token=***"
--
-- The token travels in the query string, so a server that echoes the URL echoes it, and not necessarily as it was
-- sent: percent-encoded with upper- or lower-case hex, partly encoded, `+` for a space, inside JSON (\", \u00e9) or
-- HTML (&amp;), even encoded twice; and cut off wherever the server, a WAF or a size cap cut the text. So the masker
-- does not look for the token as a whole. It reads the text in several decoded views (as it is; with every escape
-- above decoded, `+` kept or read as a space; decoded twice), and hides every run of bytes in which some 6 bytes in a
-- row equal 6 bytes in a row of the token, in any view. A cut-off prefix, a suffix or a middle part of 6 bytes or
-- more is hidden as surely as the whole token; a token shorter than 6 bytes is hidden where it appears whole.
-- A hidden run becomes "***", widened to whole UTF-8 characters and whole escapes, so valid UTF-8 stays valid.
--
-- The masker is a closure: the token lives only in its upvalues, out of reach of anything that walks tables. Pure
-- Lua without 5.4-only syntax: it also runs in nginx (LuaJIT), where the sandbox uses it for its logs.

local _M = { _VERSION = "0.1.0", MASK = "***", GRAM = 6 }

local byte, char, sub, find, gsub = string.byte, string.char, string.sub, string.find, string.gsub
local concat, sort = table.concat, table.sort
local floor, tonumber, type, ipairs, error = math.floor, tonumber, type, ipairs, error

local MASK, GRAM = _M.MASK, _M.GRAM

-- A text's byte that may start an escape: the views other than the text itself are built only when one is in it.
local ESCAPE_START = "[%%+\\&]"

-- UTF-8 bytes of a code point (no checks: a decoded view only needs to equal the token's bytes where the token is).
local function utf8_char(cp)
    if cp < 0x80 then return char(cp) end
    if cp < 0x800 then return char(0xC0 + floor(cp / 0x40), 0x80 + cp % 0x40) end
    if cp < 0x10000 then
        return char(0xE0 + floor(cp / 0x1000), 0x80 + floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
    end
    if cp > 0x10FFFF then return "" end
    return char(0xF0 + floor(cp / 0x40000), 0x80 + floor(cp / 0x1000) % 0x40, 0x80 + floor(cp / 0x40) % 0x40,
        0x80 + cp % 0x40)
end

local JSON_SIMPLE = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'", nbsp = "\194\160" }

-- The escape that starts at s[i], if any: its decoded bytes and the position of its last byte.
local function escape_at(s, i, plus)
    local c = byte(s, i)
    if c == 37 then -- %XX
        local hex = sub(s, i + 1, i + 2)
        if find(hex, "^%x%x$") then return char(tonumber(hex, 16)), i + 2 end
    elseif c == 43 then -- + (a space in a form-encoded query)
        if plus then return " ", i end
    elseif c == 92 then -- \" \\ \/ \b \f \n \r \t \uXXXX (\uD83D\uDE00 as one), \xXX
        local e = sub(s, i + 1, i + 1)
        if JSON_SIMPLE[e] then return JSON_SIMPLE[e], i + 1 end
        if e == "u" then
            local hex = sub(s, i + 2, i + 5)
            if find(hex, "^%x%x%x%x$") then
                local cp = tonumber(hex, 16)
                if cp >= 0xD800 and cp < 0xDC00 then
                    local low = sub(s, i + 6, i + 11)
                    local lo = find(low, "^\\u[dD][c-fC-F]%x%x$") and tonumber(sub(low, 3), 16)
                    if lo then return utf8_char(0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)), i + 11 end
                end
                return utf8_char(cp), i + 5
            end
        elseif e == "x" then
            local hex = sub(s, i + 2, i + 3)
            if find(hex, "^%x%x$") then return char(tonumber(hex, 16)), i + 3 end
        end
    elseif c == 38 then -- &amp; &#38; &#x26;
        local name, stop = s:match("^&(#?[%w]+);()", i)
        if name then
            local cp
            if sub(name, 1, 2) == "#x" or sub(name, 1, 2) == "#X" then
                cp = tonumber(sub(name, 3), 16)
            elseif sub(name, 1, 1) == "#" then
                cp = tonumber(sub(name, 2), 10)
            else
                local text = ENTITIES[name:lower()]
                if text then return text, stop - 1 end
            end
            if cp then return utf8_char(cp), stop - 1 end
        end
    end
    return nil
end

-- A decoded view of `s`: the text, and its segments, in parallel arrays: segment k starts at byte at[k] of the view
-- and came from bytes from[k] .. to[k] of `s`, one for one when literal[k], else as one escape. Literal runs are
-- copied whole, so a view costs in proportion to the escapes in the text, not to its length.
local function decode(s, plus)
    local out, at, from, to, literal = {}, {}, {}, {}, {}
    local n, vlen, i, run = 0, 0, 1, 1
    local function segment(text, a, b, lit)
        if text == "" then return end
        n = n + 1
        out[n], at[n], from[n], to[n], literal[n] = text, vlen + 1, a, b, lit
        vlen = vlen + #text
    end
    while true do
        local e = find(s, ESCAPE_START, i)
        if not e then break end
        local text, stop = escape_at(s, e, plus)
        if text then
            segment(sub(s, run, e - 1), run, e - 1, true)
            segment(text, e, stop, false)
            run = stop + 1
        end
        i = (stop or e) + 1
    end
    segment(sub(s, run), run, #s, true)
    return concat(out), { at = at, from = from, to = to, literal = literal, n = n }
end

-- The bytes of the text a view's byte `i` came from (first, last).
local function origin(segs, i)
    local lo, hi = 1, segs.n
    while lo < hi do
        local mid = floor((lo + hi + 1) / 2)
        if segs.at[mid] <= i then lo = mid else hi = mid - 1 end
    end
    if segs.literal[lo] then
        local p = segs.from[lo] + (i - segs.at[lo])
        return p, p
    end
    return segs.from[lo], segs.to[lo]
end

-- Ranges of the view `v` (its own positions) where 6 bytes of the token stand in a row (or the whole token, when
-- it is shorter than that). Most texts hold none, and that is found out in C: every 6 bytes of the token hold one of
-- its 4-byte pieces at 1, 4, 7, ... (a short token: one plain find each, and only around what they find is looked at
-- byte by byte), and every 6 bytes of a view hold one of its 3-byte chunks at 1, 4, 7, ... (a long token: one pass of
-- gsub over the view says whether any chunk is a piece of the token).
local function scan(v, m, ranges)
    local grams = m.grams
    if not grams then
        local i, j = find(v, m.secret, 1, true)
        while i do
            ranges[#ranges + 1] = { i, j }
            i, j = find(v, m.secret, j + 1, true)
        end
        return
    end
    local len = #v
    if len < GRAM then return end
    local samples = m.samples
    if samples then
        for k = 1, #samples do
            local piece = samples[k]
            local p = find(v, piece, 1, true)
            while p do
                for i = p - 2, p do
                    if i >= 1 and i + GRAM - 1 <= len and grams[sub(v, i, i + GRAM - 1)] then
                        ranges[#ranges + 1] = { i, i + GRAM - 1 }
                    end
                end
                p = find(v, piece, p + 1, true)
            end
        end
        return
    end
    if #gsub(v, "...", m.chunks) == len then return end
    for i = 1, len - GRAM + 1 do
        if grams[sub(v, i, i + GRAM - 1)] then ranges[#ranges + 1] = { i, i + GRAM - 1 } end
    end
end

-- Ranges of a view mapped back through the segments of the decodes that made it, last decode first.
local function map_back(ranges, chain, out)
    for _, r in ipairs(ranges) do
        local a, b = r[1], r[2]
        for k = #chain, 1, -1 do
            a = origin(chain[k], a)
            local _
            _, b = origin(chain[k], b)
        end
        out[#out + 1] = { a, b }
    end
end

local function is_continuation(s, i)
    local c = byte(s, i)
    return c ~= nil and c >= 0x80 and c < 0xC0
end

-- `s` with every range replaced by the mask: ranges merged where they touch, widened to whole UTF-8 characters.
local function apply(s, ranges)
    sort(ranges, function(x, y) return x[1] < y[1] end)
    local out, at = {}, 1
    local k = 1
    while k <= #ranges do
        local a, b = ranges[k][1], ranges[k][2]
        k = k + 1
        while k <= #ranges and ranges[k][1] <= b + 1 do
            if ranges[k][2] > b then b = ranges[k][2] end
            k = k + 1
        end
        while a > at and is_continuation(s, a) do a = a - 1 end
        while is_continuation(s, b + 1) do b = b + 1 end
        if a >= at then
            out[#out + 1] = sub(s, at, a - 1)
            out[#out + 1] = MASK
        end
        if b + 1 > at then at = b + 1 end
    end
    out[#out + 1] = sub(s, at)
    return concat(out)
end

local MEMO_LIMIT, MEMO_TEXT = 256, 256
local SAMPLED = 64 -- tokens up to this length are looked for by their 4-byte pieces

--- masker(secret, opts) -> function(text) -> text with the secret hidden (see the header); non-strings come back as
--  they are. opts.whole: hide the secret only where it appears whole (in any view), for text that is data and was not
--  cut, such as a body kept in the cache: 6 bytes of a low-entropy token ("sandbox" in "sandbox-token") may well be
--  6 bytes of the data too.
function _M.masker(secret, opts)
    if type(secret) ~= "string" or secret == "" then error("xingtu.secret.masker: the secret must be a string", 2) end
    local m = { secret = secret }
    if #secret >= GRAM and not (opts and opts.whole) then
        m.grams = {}
        for i = 1, #secret - GRAM + 1 do m.grams[sub(secret, i, i + GRAM - 1)] = true end
        if #secret <= SAMPLED then
            m.samples = {}
            for i = 1, #secret - 3, 3 do m.samples[#m.samples + 1] = sub(secret, i, i + 3) end
        else
            m.chunks = {}
            for i = 1, #secret - 2 do m.chunks[sub(secret, i, i + 2)] = "" end
        end
    end
    local space = find(secret, " ", 1, true) ~= nil
    local pluses = space and { false, true } or { false }
    -- Plain finds (memchr) for what may start an escape: a pattern's character class costs more on short texts.
    local starts = space and { "%", "\\", "&", "+" } or { "%", "\\", "&" }
    local function escaped(text)
        for k = 1, #starts do
            if find(text, starts[k], 1, true) then return true end
        end
        return false
    end
    local shortest = m.grams and GRAM or #secret
    -- Answers repeat their short strings ("success", a record time): each is looked at once.
    local memo, memo_n = {}, 0

    local function hide(text)
        local ranges = {}
        scan(text, m, ranges)
        if escaped(text) then
            for _, plus in ipairs(pluses) do
                local v, segs = decode(text, plus)
                local found = {}
                scan(v, m, found)
                map_back(found, { segs }, ranges)
                if escaped(v) then -- encoded twice
                    local v2, segs2 = decode(v, plus)
                    found = {}
                    scan(v2, m, found)
                    map_back(found, { segs, segs2 }, ranges)
                end
            end
        end
        if #ranges == 0 then return text end
        return apply(text, ranges)
    end

    return function(text)
        if type(text) ~= "string" or #text < shortest then return text end
        local known = memo[text]
        if known then return known end
        local out = hide(text)
        if #text <= MEMO_TEXT then
            if memo_n >= MEMO_LIMIT then memo, memo_n = {}, 0 end
            memo[text], memo_n = out, memo_n + 1
        end
        return out
    end
end

--- The longest prefix of `s` of at most `max` bytes that ends on a UTF-8 character boundary and with no partial
--  character at its end (a text cut anywhere, by a size cap or by this cut, loses the broken character).
function _M.cut(s, max)
    if #s > max then s = sub(s, 1, max) end
    local len = #s
    local i = len
    while i > 0 and is_continuation(s, i) and len - i < 3 do i = i - 1 end
    if i == 0 then return s end
    local c = byte(s, i)
    local need = c < 0x80 and 1 or c >= 0xF0 and 4 or c >= 0xE0 and 3 or c >= 0xC0 and 2 or 1
    if len - i + 1 < need then return sub(s, 1, i - 1) end
    return s
end

return _M
