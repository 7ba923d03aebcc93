-- Hiding a secret (the API token) in text that came from somewhere else: a provider's error page or envelope, a
-- header, a log line.
--
--   local hide = require("xingtu.secret").masker(token)
--   hide("denied: GET /x?token=ab%2Bcd...")   --> "denied: GET /x?token=***"
--
-- The token travels in the query string, so a server that echoes the URL echoes it, and not necessarily as it was
-- sent: percent-encoded with upper- or lower-case hex, partly encoded, `+` for a space, inside JSON (\", \u00e9) or
-- HTML (&amp;), even encoded twice; and cut off wherever the server, a WAF or a size cap cut the text. So the masker
-- does not look for the token as a whole. It reads the text in several views (as it is; percent-decoded, with `+`
-- as itself or as a space; JSON-unescaped; HTML-unescaped; each of those decoded again by each), and hides every
-- run of bytes in which some 6 bytes in a row equal 6 bytes in a row of the token, in any view. A cut-off prefix, a
-- suffix or a middle part of 6 bytes or more is hidden as surely as the whole token; where the caller says a text
-- was cut, its last 3 to 5 bytes go too when the token starts with them; a token shorter than 6 bytes is hidden
-- where it appears whole. A hidden run becomes "***", widened to whole UTF-8 characters and whole escapes, so valid
-- UTF-8 stays valid.
--
-- The masker is a closure: the token lives only in its upvalues, out of reach of anything that walks tables. Pure
-- Lua without 5.4-only syntax: it also runs in nginx (LuaJIT), where the sandbox uses it for its logs.

-- The version is the C core's; the sandbox loads this module in nginx without the core, and then it has none.
local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil, MASK = "***", GRAM = 6 }

local byte, char, sub, find, gsub = string.byte, string.char, string.sub, string.find, string.gsub
local concat, sort = table.concat, table.sort
local floor, tonumber, type, ipairs, error = math.floor, tonumber, type, ipairs, error

local MASK, GRAM = _M.MASK, _M.GRAM

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

-- The escapes of each kind of view: the byte that starts one, and the escape that starts at s[i] if any (its
-- decoded bytes and the position of its last byte). Each kind is decoded on its own, and then each again on the
-- result: one decoder for all of them would read "%41" in a JSON-escaped token as an escape of its own.
local function percent_at(s, i)
    local hex = sub(s, i + 1, i + 2)
    if find(hex, "^%x%x$") then return char(tonumber(hex, 16)), i + 2 end
    return nil
end

local function form_at(s, i) -- a form-encoded query: + is a space
    if byte(s, i) == 43 then return " ", i end
    return percent_at(s, i)
end

local function json_at(s, i) -- \" \\ \/ \b \f \n \r \t \uXXXX (a surrogate pair as one), and \xXX
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
    return nil
end

local function html_at(s, i) -- &amp; &#38; &#x26;
    local name, stop = s:match("^&(#?[%w]+);()", i)
    if not name then return nil end
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
    return nil
end

-- kind = { starts = plain bytes that may start an escape, pattern = the same as a class, at = the escape reader }
local PERCENT = { starts = { "%" }, pattern = "%%", at = percent_at }
local FORM = { starts = { "%", "+" }, pattern = "[%%+]", at = form_at }
local JSON = { starts = { "\\" }, pattern = "\\", at = json_at }
local HTML = { starts = { "&" }, pattern = "&", at = html_at }

local function has_escape(text, kind)
    for k = 1, #kind.starts do
        if find(text, kind.starts[k], 1, true) then return true end
    end
    return false
end

-- A decoded view of `s`: the text, and its segments, in parallel arrays: segment k starts at byte at[k] of the view
-- and came from bytes from[k] .. to[k] of `s`, one for one when literal[k], else as one escape. Literal runs are
-- copied whole, so a view costs in proportion to the escapes in the text, not to its length.
local function decode(s, kind)
    local out, at, from, to, literal = {}, {}, {}, {}, {}
    local pattern, escape_at = kind.pattern, kind.at
    local n, vlen, i, run = 0, 0, 1, 1
    local function segment(text, a, b, lit)
        if text == "" then return end
        n = n + 1
        out[n], at[n], from[n], to[n], literal[n] = text, vlen + 1, a, b, lit
        vlen = vlen + #text
    end
    while true do
        local e = find(s, pattern, i)
        if not e then break end
        local text, stop = escape_at(s, e)
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

-- Adds the range a..b, merged into the last one when they overlap or touch (a run of matching windows is one range:
-- a 10 KB token echoed whole makes one, not ten thousand).
local function add(ranges, a, b)
    local last = ranges[#ranges]
    if last and a >= last[1] and a <= last[2] + 1 then
        if b > last[2] then last[2] = b end
    else
        ranges[#ranges + 1] = { a, b }
    end
end

-- Ranges of the view `v` (its own positions) where 6 bytes of the token stand in a row (or the whole token, when
-- it is shorter than that). Most texts hold none, and that is found out in C: every 6 bytes of the token hold one of
-- its 4-byte pieces at 1, 4, 7, ... (a short token: one plain find each, and only around what they find is looked at
-- byte by byte), and every 6 bytes of a view hold one of its 3-byte chunks at 1, 4, 7, ... (a long token: one pass of
-- gsub over the view says whether any chunk is a piece of the token). A long token's windows are then looked at one
-- by one, but not inside a whole echo of it (a plain find), and in a decoded view (`segs`) only around what was
-- decoded: a run of 6 bytes that no escape touches was in the text it came from already.
local function scan(v, m, ranges, segs)
    local grams = m.grams
    if not grams then
        local i, j = find(v, m.secret, 1, true)
        while i do
            add(ranges, i, j)
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
                        add(ranges, i, i + GRAM - 1)
                    end
                end
                p = find(v, piece, p + 1, true)
            end
        end
        return
    end
    if #gsub(v, "...", m.chunks) == len then return end
    -- Window starts to look at: everything, or what touches a decoded escape; minus the inside of whole echoes.
    local spans = {}
    if segs then
        for k = 1, segs.n do
            if not segs.literal[k] then
                add(spans, segs.at[k] - GRAM + 1, k < segs.n and segs.at[k + 1] - 1 or len)
            end
        end
    else
        spans[1] = { 1, len }
    end
    local whole = {}
    local i, j = find(v, m.secret, 1, true)
    while i do
        add(ranges, i, j)
        whole[#whole + 1] = { i + 1, j - GRAM + 1 } -- windows starting here lie inside the echo
        i, j = find(v, m.secret, j + 1, true)
    end
    local w, last = 1, len - GRAM + 1
    for _, span in ipairs(spans) do
        local a, b = span[1] < 1 and 1 or span[1], span[2] > last and last or span[2]
        while a <= b do
            while whole[w] and whole[w][2] < a do w = w + 1 end
            local skip = whole[w]
            local stop = b
            if skip and skip[1] <= b then stop = skip[1] - 1 end
            for x = a, stop do
                if grams[sub(v, x, x + GRAM - 1)] then add(ranges, x, x + GRAM - 1) end
            end
            if skip and skip[1] <= b then a = skip[2] + 1 else a = b + 1 end
        end
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
        add(out, a, b)
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
local TAIL = 3     -- at a cut, the token's first 3 bytes or more are hidden too

-- What a masker looks for in `secret`: m.secret, and unless only whole tokens are hidden, its 6-byte pieces
-- (m.grams) with either its 4-byte samples (short tokens) or its 3-byte chunks (long ones), for scan.
local function pieces(secret, whole)
    local m = { secret = secret }
    if #secret >= GRAM and not whole then
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
    return m
end

-- A view ending with the token's first 3 to 5 bytes (`tails`, longest first; then at most the start of an escape
-- the cut broke): the range from there to its end.
local function tail(v, ranges, tails)
    local len = #v
    for _, t in ipairs(tails) do
        for e = len, math.max(#t, len - 11), -1 do
            if sub(v, e - #t + 1, e) == t then
                local rest = sub(v, e + 1)
                if rest == "" or find(rest, "^[%%\\&][%w#]*$") then
                    add(ranges, e - #t + 1, len)
                    return
                end
            end
        end
    end
end

local function look(v, ranges, cut, segs, ctx)
    scan(v, ctx.m, ranges, segs)
    if cut and not ctx.whole then tail(v, ranges, ctx.tails) end
end

-- `text` with the secret hidden in every view: the text, each kind decoded, and each kind decoded again on each of
-- those. ctx: { m = pieces, kinds, tails, whole }.
local function hide(text, cut, ctx)
    local ranges = {}
    look(text, ranges, cut, nil, ctx)
    for _, k1 in ipairs(ctx.kinds) do
        if has_escape(text, k1) then
            local v, segs = decode(text, k1)
            local found = {}
            look(v, found, cut, segs, ctx)
            map_back(found, { segs }, ranges)
            for _, k2 in ipairs(ctx.kinds) do
                if has_escape(v, k2) then
                    local v2, segs2 = decode(v, k2)
                    found = {}
                    look(v2, found, cut, segs2, ctx)
                    map_back(found, { segs, segs2 }, ranges)
                end
            end
        end
    end
    if #ranges == 0 then return text end
    return apply(text, ranges)
end

--- masker(secret, opts) -> function(text, cut) -> text with the secret hidden (see the header); non-strings come back
--  as they are. `cut`: the text may end where something was cut (a size cap, a dropped connection), so the token's
--  first 3 to 5 bytes are hidden there too: what follows in a message ("... [billed") could otherwise complete them.
--  opts.whole: hide the secret only where it appears whole (in any view), for text that is data and was not cut,
--  such as a body kept in the cache: 6 bytes of a low-entropy token ("sandbox" in "sandbox-token") may well be
--  6 bytes of the data too.
function _M.masker(secret, opts)
    if type(secret) ~= "string" or secret == "" then error("xingtu.secret.masker: the secret must be a string", 2) end
    local whole = opts and opts.whole
    local ctx = { m = pieces(secret, whole), whole = whole, tails = {} }
    -- The kinds of view: + for a space only matters for a token with a space.
    ctx.kinds = { PERCENT, JSON, HTML }
    if find(secret, " ", 1, true) then ctx.kinds[#ctx.kinds + 1] = FORM end
    -- The token's first 3, 4, 5 bytes: hidden at a cut (see tail).
    for k = math.min(GRAM - 1, #secret - 1), TAIL, -1 do ctx.tails[#ctx.tails + 1] = sub(secret, 1, k) end
    local shortest = ctx.m.grams and GRAM or #secret
    -- Answers repeat their short strings ("success", a record time): each is looked at once.
    local memo, memo_n = {}, 0
    return function(text, cut)
        if type(text) ~= "string" or #text < TAIL then return text end
        if cut then return hide(text, true, ctx) end
        if #text < shortest then return text end
        local known = memo[text]
        if known then return known end
        local out = hide(text, false, ctx)
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
