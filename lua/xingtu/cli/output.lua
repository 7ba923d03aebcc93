-- Output for the command line: display width (East Asian wide characters count two columns), aligned tables,
-- CSV (RFC 4180), exact JSON, and the conversion of an answer's `data` into rows.

local query = require "xingtu.query"
local touch = require "xingtu.touch"
local ranges = require "xingtu.ranges"
local pages = require "xingtu.pages"

local _M = {}

local type, pairs, ipairs, tostring, format = type, pairs, ipairs, tostring, string.format
local concat, sort = table.concat, table.sort
local utf8_codes = utf8.codes

---------------------------------------------------------------------------------------------------------------------
-- Display width.

-- Wide (W) and fullwidth (F) ranges of Unicode's East Asian Width, as [first, last] pairs, sorted.
local WIDE = {
    { 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 },
    { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x267F, 0x267F },
    { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 }, { 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
    { 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
    { 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B }, { 0x2728, 0x2728 },
    { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
    { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 },
    { 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
    { 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F },
    { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 }, { 0x17000, 0x18CFF }, { 0x1B000, 0x1B2FF },
    { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 },
    { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA },
    { 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 },
    { 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A },
    { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC },
    { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 }, { 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB },
    { 0x1F90C, 0x1F93A }, { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD },
    { 0x30000, 0x3FFFD },
}

-- Zero-width: combining marks, zero-width space/joiners, variation selectors.
local ZERO = {
    { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A }, { 0x064B, 0x065F },
    { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F },
    { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
}

local function in_ranges(list, c)
    local lo, hi = 1, #list
    while lo <= hi do
        local mid = (lo + hi) // 2
        local r = list[mid]
        if c < r[1] then
            hi = mid - 1
        elseif c > r[2] then
            lo = mid + 1
        else
            return true
        end
    end
    return false
end

--- Columns a code point takes in a terminal: 0, 1 or 2.
function _M.char_width(c)
    if c < 0x20 or (c >= 0x7F and c < 0xA0) then return 0 end
    if c < 0x300 then return 1 end
    if in_ranges(ZERO, c) then return 0 end
    if in_ranges(WIDE, c) then return 2 end
    return 1
end

-- Columns of a string of code points, emoji sequences (common in creators' nicknames) taken as one glyph each: a
-- skin tone modifies the emoji before it, a zero-width joiner glues the next emoji to the one before, and the emoji
-- variation selector (U+FE0F) shows a narrow symbol (☀) as a two-column emoji.
local function glyph_columns(s)
    local n, last, glued = 0, 0, false -- last: columns of the glyph being built
    for _, c in utf8_codes(s) do
        local w
        if glued then
            w, glued = 0, false
        elseif c == 0x200D then
            w, glued = 0, last > 0
        elseif c >= 0x1F3FB and c <= 0x1F3FF and last == 2 then
            w = 0
        elseif c == 0xFE0F and last == 1 then
            w, last = 1, 2
        else
            w = _M.char_width(c)
            if w > 0 then last = w end
        end
        n = n + w
    end
    return n
end

--- Columns a string takes in a terminal (invalid UTF-8: one column a byte).
function _M.width(s)
    s = tostring(s)
    if not s:find("[\128-\255]") then return #s end
    local ok, w = pcall(glyph_columns, s)
    if ok then return w end
    return #s
end

local function pad(s, w, right)
    local fill = w - _M.width(s)
    if fill <= 0 then return s end
    if right then return (" "):rep(fill) .. s end
    return s .. (" "):rep(fill)
end
_M.pad = pad

---------------------------------------------------------------------------------------------------------------------
-- Cells.

--- A number with thousands separators: 11885022 -> "11,885,022".
function _M.thousands(n)
    local s = math.type(n) == "integer" and format("%d", n) or format("%.0f", n)
    local sign, digits = s:match("^(-?)(%d+)$")
    if not digits then return s end
    digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    return sign .. digits
end

--- Text of a value in a table cell: floats with at most 4 decimals, tables as JSON, null and nil empty.
function _M.cell(v)
    local t = type(v)
    if v == nil or t == "userdata" then return "" end
    if t == "number" then
        if math.type(v) == "integer" then return format("%d", v) end
        if v ~= v or v == math.huge or v == -math.huge then return "" end
        if v == math.floor(v) and math.abs(v) < 1e15 then return format("%.0f", v) end
        local s = format("%.4f", v):gsub("0+$", ""):gsub("%.$", "")
        if s == "0" or s == "-0" then s = format("%.3g", v) end
        return s
    end
    if t == "table" then return query.csv_value(v) end
    return (tostring(v):gsub("[\r\n\t]", " "))
end

---------------------------------------------------------------------------------------------------------------------
-- Renderers. rows are arrays of tables keyed by column name.

--- Aligned table: header, a rule, one line per row; numbers right-aligned. Returns the text.
function _M.table(columns, rows)
    local widths, numeric = {}, {}
    for i, c in ipairs(columns) do
        widths[i] = _M.width(c)
        numeric[i] = true
    end
    local cells = {}
    for r, row in ipairs(rows) do
        local line = {}
        for i, c in ipairs(columns) do
            local v = row[c]
            local s = _M.cell(v)
            line[i] = s
            if v ~= nil and type(v) ~= "number" and type(v) ~= "userdata" then numeric[i] = false end
            local w = _M.width(s)
            if w > widths[i] then widths[i] = w end
        end
        cells[r] = line
    end
    local out = {}
    local function emit(line, align_numbers)
        local parts = {}
        for i, s in ipairs(line) do
            local last = i == #line
            if last and not (align_numbers and numeric[i]) then
                parts[i] = s
            else
                parts[i] = pad(s, widths[i], align_numbers and numeric[i])
            end
        end
        out[#out + 1] = (concat(parts, "  "):gsub("%s+$", ""))
    end
    emit(columns, false)
    local rule = {}
    for i, w in ipairs(widths) do rule[i] = ("-"):rep(w) end
    out[#out + 1] = concat(rule, "  ")
    for _, line in ipairs(cells) do emit(line, true) end
    return concat(out, "\n") .. "\n"
end

--- CSV text: a header line and one record a row (RFC 4180, CRLF).
function _M.csv(columns, rows)
    local out = { query.csv_line(columns, #columns) }
    local values = {}
    for _, row in ipairs(rows) do
        for i, c in ipairs(columns) do values[i] = row[c] end
        out[#out + 1] = query.csv_line(values, #columns)
    end
    return concat(out)
end

---------------------------------------------------------------------------------------------------------------------
-- From data to rows.

local function is_array(t)
    if type(t) ~= "table" then return false end
    local n = #t
    if n == 0 then return false end
    for k in pairs(t) do
        if math.type(k) ~= "integer" or k < 1 or k > n then return false end
    end
    return true
end

local function sorted_keys(t)
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    sort(keys, function(a, b)
        local ta, tb = type(a), type(b)
        if ta ~= tb then return ta == "number" end
        return a < b
    end)
    return keys
end

-- Flattens nested tables into dotted keys (arrays as .1, .2, ...); empty tables stay as values.
local function flatten_into(out, order, prefix, v)
    if type(v) == "table" and next(v) ~= nil then
        for _, k in ipairs(sorted_keys(v)) do
            local key = prefix == "" and tostring(k) or (prefix .. "." .. tostring(k))
            flatten_into(out, order, key, v[k])
        end
        return
    end
    if out[prefix] == nil then order[#order + 1] = prefix end
    out[prefix] = v
end

--- One flat record of `data`: dotted keys for nested fields; touch trees as "<path a / b>" = cnt; each *_range field
--  also as "<field>.min" and "<field>.max". Returns record, ordered keys.
function _M.flatten(data)
    local out, order = {}, {}
    if type(data) ~= "table" then
        out.value, order[1] = data, "value"
        return out, order
    end
    local skip = {}
    local lists = touch.lists(data)
    if #lists > 0 then
        for _, name in ipairs(lists) do skip[name] = true end
        for _, r in ipairs(touch.flatten(data)) do
            local key = touch.path_key(r.path, r.level)
            if r.list ~= "video_touch" then key = r.list .. ": " .. key end
            if out[key] == nil then order[#order + 1] = key end
            out[key] = r.cnt
        end
    end
    for _, k in ipairs(sorted_keys(data)) do
        if not skip[k] and k ~= "base_resp" then
            flatten_into(out, order, tostring(k), data[k])
            if type(k) == "string" and k:match("_range$") then
                local r = ranges.parse(data[k])
                out[k .. ".min"], out[k .. ".max"] = r and r.min, r and r.max
                order[#order + 1] = k .. ".min"
                order[#order + 1] = k .. ".max"
            end
        end
    end
    return out, order
end

local function only_ranges(data)
    local n = 0
    for k, v in pairs(data) do
        if k ~= "base_resp" then
            if type(k) ~= "string" or not k:match("_range$") or type(v) == "table" then return false end
            n = n + 1
        end
    end
    return n > 0
end

--- The rows to show for one answer's data: columns, rows.
--  Touch trees: one row per node; conversion ranges: one row per field; a page of records: one row per record;
--  anything else: field / value rows.
function _M.tabulate(data)
    if type(data) ~= "table" then return { "value" }, { { value = data } } end
    if #touch.lists(data) > 0 then
        local rows = touch.flatten(data)
        local lists = touch.lists(data)
        local out = {}
        for i, r in ipairs(rows) do
            out[i] = {
                list = r.list, level = r.level, path = concat(r.path, " / "), cnt = r.cnt,
                share_of_parent = r.share_of_parent, share_of_total = r.share_of_total,
            }
        end
        local columns = { "level", "path", "cnt", "share_of_parent", "share_of_total" }
        if #lists > 1 then table.insert(columns, 1, "list") end
        return columns, out
    end
    if only_ranges(data) then
        return { "field", "raw", "min", "max", "unit" }, ranges.rows(data)
    end
    local items, name = pages.items_of(data)
    if name and #items > 0 then
        local rows, columns, seen = {}, {}, {}
        for i, item in ipairs(items) do
            local rec, order = _M.flatten(item)
            rows[i] = rec
            for _, k in ipairs(order) do
                if not seen[k] then
                    seen[k] = true
                    columns[#columns + 1] = k
                end
            end
        end
        return columns, rows
    end
    local rec, order = _M.flatten(data)
    local rows = {}
    for i, k in ipairs(order) do rows[i] = { field = k, value = rec[k] } end
    return { "field", "value" }, rows
end

_M.is_array = is_array

---------------------------------------------------------------------------------------------------------------------
-- JSON and error records.

--- A value as JSON text: exact integers, sorted keys; `pretty` indents by 2.
function _M.json(value, pretty)
    local core = require "xingtu.core"
    return core.encode(value, { sort_keys = true, indent = pretty and 2 or nil })
end

--- A failed call's error as a record of the output (its kind, message, code, HTTP status, billing, retryability,
--  request id and whether it was skipped).
function _M.error_record(err)
    if type(err) ~= "table" then return { kind = "error", message = tostring(err) } end
    return {
        kind = err.kind, message = err.message, code = err.code, http_status = err.http_status,
        billed = err.billed, retryable = err.retryable, request_id = err.request_id, skipped = err.skipped,
    }
end

--- Writes one answer's data in a format: json (indented), ndjson (one line), csv or table (output.tabulate's rows).
function _M.write_data(out, fmt, data)
    if fmt == "json" then
        out:write(_M.json(data, true), "\n")
    elseif fmt == "ndjson" then
        out:write(_M.json(data), "\n")
    else
        local columns, rows = _M.tabulate(data)
        out:write(fmt == "csv" and _M.csv(columns, rows) or _M.table(columns, rows))
    end
end

return _M
