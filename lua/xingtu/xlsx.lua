-- Excel workbooks (.xlsx, Office Open XML) from rows, in pure Lua: no Debian package writes xlsx from Lua, and the
-- format needs little: a zip of a few XML parts. Entries are STORED (no zlib in pure Lua) with their CRC-32, which
-- every reader accepts; strings are inline (no shared-string table to keep in step).
--
--   local xlsx = require "xingtu.xlsx"
--   local bytes = xlsx.build {
--       { name = "compare", columns = { { name = "o_author_id", label = "id", kind = "id" }, ... }, rows = rows },
--   }
--   xlsx.write("shortlist.xlsx", sheets)          -- a path (replaced) or anything with :write
--
-- A column is { name = <the rows' key>, label = <the header text, default name>, kind = ... } or just its name.
-- Kinds decide the cell: "id" and "text" are text cells, always (an id of 19 digits stays 19 digits: Excel keeps
-- only 15 of a number); "integer" (#,##0), "number" (general), "share" (0.00%: the value is a fraction), "money"
-- (#,##0.00) are numbers, and a value that is not one (a string that does not read as a number) is written as
-- text. Without a kind a column is "id" when its name is id or ends in _id or .id, else a number cell for a number
-- and a text cell for anything else. Booleans are TRUE/FALSE cells; nil, xingtu.null, NaN and infinities are empty
-- cells. The first row is the header (bold, frozen, with an autofilter); sheet names are cut to Excel's 31 characters
-- and stripped of the characters it refuses.
--
-- No Lua 5.4-only syntax: the bit operations come from LuaJIT's `bit` or, on 5.3+, are compiled from a string.

local optschema = require "xingtu.options"

local _M = {}

local type, tostring, tonumber, ipairs = type, tostring, tonumber, ipairs
local format, char, byte, concat = string.format, string.char, string.byte, table.concat
local floor, huge = math.floor, math.huge

---------------------------------------------------------------------------------------------------------------------
-- CRC-32 (IEEE, as zip wants it), table driven.

local bxor, band, rshift
do
    local ok, bit = pcall(require, "bit")
    if ok and type(bit) == "table" and bit.bxor then
        -- LuaJIT's results are signed 32-bit: normalised where the CRC is finished
        bxor, band, rshift = bit.bxor, bit.band, bit.rshift
    else
        local ops = load("return function(a, b) return a ~ b end, function(a, b) return a & b end, "
            .. "function(a, n) return a >> n end")
        bxor, band, rshift = ops()
    end
end

local CRC_TABLE = {}
for i = 0, 255 do
    local c = i
    for _ = 1, 8 do
        if band(c, 1) ~= 0 then
            c = bxor(0xEDB88320, rshift(c, 1))
        else
            c = rshift(c, 1)
        end
    end
    CRC_TABLE[i] = c
end

--- xlsx.crc32(text) -> the CRC-32 of `text` as a number from 0 to 2^32 - 1.
function _M.crc32(s)
    local crc = 0xFFFFFFFF
    for i = 1, #s do
        crc = bxor(CRC_TABLE[band(bxor(crc, byte(s, i)), 0xFF)], rshift(crc, 8))
    end
    crc = bxor(crc, 0xFFFFFFFF)
    if crc < 0 then crc = crc + 4294967296 end
    return crc
end

---------------------------------------------------------------------------------------------------------------------
-- Zip (stored entries).

local function le16(n)
    return char(n % 256, floor(n / 256) % 256)
end

local function le32(n)
    return char(n % 256, floor(n / 256) % 256, floor(n / 65536) % 256, floor(n / 16777216) % 256)
end

-- DOS date and time of the entries: fixed (1980-01-01 00:00), so the same rows make the same bytes.
local DOS_TIME, DOS_DATE = 0, 33 -- (1980 - 1980) << 9 | 1 << 5 | 1

--- xlsx.zip(entries) -> the bytes of a zip archive of { { name, data }, ... }, in that order, stored.
function _M.zip(entries)
    local out, central, offset = {}, {}, 0
    for _, e in ipairs(entries) do
        local name, data = e[1], e[2]
        local crc = _M.crc32(data)
        local head = concat {
            le32(0x04034b50), le16(20), le16(0x0800), le16(0), le16(DOS_TIME), le16(DOS_DATE),
            le32(crc), le32(#data), le32(#data), le16(#name), le16(0), name,
        }
        central[#central + 1] = concat {
            le32(0x02014b50), le16(20), le16(20), le16(0x0800), le16(0), le16(DOS_TIME), le16(DOS_DATE),
            le32(crc), le32(#data), le32(#data), le16(#name), le16(0), le16(0), le16(0), le16(0), le32(0),
            le32(offset), name,
        }
        out[#out + 1] = head
        out[#out + 1] = data
        offset = offset + #head + #data
    end
    local dir = concat(central)
    out[#out + 1] = dir
    out[#out + 1] = concat {
        le32(0x06054b50), le16(0), le16(0), le16(#entries), le16(#entries), le32(#dir), le32(offset), le16(0),
    }
    return concat(out)
end

---------------------------------------------------------------------------------------------------------------------
-- XML.

-- Characters XML 1.0 refuses (C0 controls but tab, LF, CR) are dropped; the rest escaped.
local ESCAPE = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }
local function xml(s)
    s = s:gsub("[%z\1-\8\11\12\14-\31]", "")
    return (s:gsub('[&<>"]', ESCAPE))
end

local function column_letters(i)
    local s = ""
    while i > 0 do
        local r = (i - 1) % 26
        s = char(65 + r) .. s
        i = floor((i - 1) / 26)
    end
    return s
end
_M.column_letters = column_letters

-- Styles (cellXfs indices): 0 general, 1 header (bold), 2 integer, 3 share, 4 money, 5 text.
local STYLE = { integer = 2, share = 3, money = 4, id = 5, text = 5 }

local STYLES_XML = [[<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>
</fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
</fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>
<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>]]

local function number_text(v)
    if math.type and math.type(v) == "integer" then return format("%d", v) end
    if v == floor(v) and v > -1e15 and v < 1e15 then return format("%.0f", v) end
    for _, p in ipairs { 15, 16, 17 } do
        local s = format("%." .. p .. "g", v)
        if tonumber(s) == v then return s end
    end
    return format("%.17g", v)
end

local function text_cell(ref, s, style)
    return format('<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>', ref, style, xml(s))
end

local function as_text(v)
    if type(v) == "number" then return number_text(v) end
    return tostring(v)
end

local function cell(ref, v, kind)
    local t = type(v)
    if v == nil or t == "userdata" then return nil end
    if t == "boolean" then return format('<c r="%s" t="b"><v>%d</v></c>', ref, v and 1 or 0) end
    if t == "table" then
        local ok, core = pcall(require, "xingtu.core")
        local s = ok and select(2, pcall(core.encode, v, { sort_keys = true })) or tostring(v)
        return text_cell(ref, type(s) == "string" and s or tostring(v), 5)
    end
    if kind == "id" or kind == "text" then return text_cell(ref, as_text(v), 5) end
    if t == "string" and kind ~= nil then
        local n = tonumber(v)
        if n and v:match("^%s*[-+]?%d*%.?%d+[eE]?[-+]?%d*%s*$") and #v:gsub("[^%d]", "") <= 15 then
            v, t = n, "number"
        end
    end
    if t == "number" then
        if v ~= v or v == huge or v == -huge then return nil end
        local style = STYLE[kind] or 0
        if style == 5 then style = 0 end
        return format('<c r="%s"%s><v>%s</v></c>', ref, style ~= 0 and format(' s="%d"', style) or "",
            number_text(v))
    end
    return text_cell(ref, tostring(v), 5)
end

local function normalise_columns(columns, where)
    if type(columns) ~= "table" or #columns == 0 then
        optschema.raise(format("xingtu.xlsx: %s.columns must be a non-empty array of column names or { name =, "
            .. "label =, kind = } tables, got %s", where, optschema.describe(columns)))
    end
    local out = {}
    for i, c in ipairs(columns) do
        if type(c) == "string" then c = { name = c } end
        if type(c) ~= "table" or (type(c.name) ~= "string" and type(c.name) ~= "number") then
            optschema.raise(format("xingtu.xlsx: %s.columns[%d] must be a column name or { name =, label =, "
                .. "kind = }, got %s", where, i, optschema.describe(c)))
        end
        local kind = c.kind
        if kind == nil and type(c.name) == "string" and (c.name == "id" or c.name:match("[_.]id$")) then kind = "id" end
        out[i] = { name = c.name, label = tostring(c.label or c.name), kind = kind }
    end
    return out
end

local function sheet_xml(columns, rows)
    local n = #columns
    local last = column_letters(n)
    local parts = {
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        format('<dimension ref="A1:%s%d"/>', last, #rows + 1),
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            .. 'state="frozen"/></sheetView></sheetViews>',
        '<cols>',
    }
    for i, c in ipairs(columns) do
        local w = c.kind == "id" and 22 or math.min(40, math.max(10, #c.label * 0.9))
        parts[#parts + 1] = format('<col min="%d" max="%d" width="%.1f" customWidth="1"/>', i, i, w)
    end
    parts[#parts + 1] = '</cols><sheetData><row r="1">'
    local letters = {}
    for i, c in ipairs(columns) do
        letters[i] = column_letters(i)
        parts[#parts + 1] = text_cell(letters[i] .. "1", c.label, 1)
    end
    parts[#parts + 1] = "</row>"
    for r, row in ipairs(rows) do
        local rn = r + 1
        parts[#parts + 1] = format('<row r="%d">', rn)
        if type(row) == "table" then
            for i, c in ipairs(columns) do
                local s = cell(letters[i] .. rn, row[c.name], c.kind)
                if s then parts[#parts + 1] = s end
            end
        end
        parts[#parts + 1] = "</row>"
    end
    parts[#parts + 1] = "</sheetData>"
    parts[#parts + 1] = format('<autoFilter ref="A1:%s%d"/>', last, #rows + 1)
    parts[#parts + 1] = "</worksheet>"
    return concat(parts)
end

local function sheet_name(name, i, used)
    local s = tostring(name or ("Sheet" .. i)):gsub("[%[%]:%*%?/\\]", "_")
    -- 31 characters, not bytes: cut on a UTF-8 boundary
    local out, count = {}, 0
    for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
        count = count + 1
        if count > 31 then break end
        out[#out + 1] = ch
    end
    s = concat(out)
    if s == "" then s = "Sheet" .. i end
    local base, k = s, 2
    while used[s:lower()] do
        s = base:sub(1, 28) .. "_" .. k
        k = k + 1
    end
    used[s:lower()] = true
    return s
end

--- xlsx.build(sheets) -> the bytes of a workbook. sheets: an array of { name =, columns =, rows = } (see the
--  header); a single sheet table is taken as { sheet }.
function _M.build(sheets)
    if type(sheets) ~= "table" then
        optschema.raise("xingtu.xlsx: sheets must be an array of { name =, columns =, rows = }, got "
            .. optschema.describe(sheets))
    end
    if sheets.columns then sheets = { sheets } end
    if #sheets == 0 then optschema.raise("xingtu.xlsx: sheets must hold at least one sheet") end
    local used, names, entries = {}, {}, {}
    local wb_sheets, wb_rels, ct = {}, {}, {}
    for i, sh in ipairs(sheets) do
        local where = format("sheets[%d]", i)
        if type(sh) ~= "table" then
            optschema.raise("xingtu.xlsx: " .. where .. " must be { name =, columns =, rows = }")
        end
        local columns = normalise_columns(sh.columns, where)
        local rows = sh.rows or {}
        if type(rows) ~= "table" then optschema.raise("xingtu.xlsx: " .. where .. ".rows must be an array of rows") end
        names[i] = sheet_name(sh.name, i, used)
        entries[#entries + 1] = { format("xl/worksheets/sheet%d.xml", i), sheet_xml(columns, rows) }
        wb_sheets[i] = format('<sheet name="%s" sheetId="%d" r:id="rId%d"/>', xml(names[i]), i, i)
        wb_rels[i] = format('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            .. 'relationships/worksheet" Target="worksheets/sheet%d.xml"/>', i, i)
        ct[i] = format('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/'
            .. 'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>', i)
    end
    local n = #sheets
    local filters = {}
    for i = 1, n do
        filters[i] = format('<definedName name="_xlnm._FilterDatabase" localSheetId="%d" hidden="1">'
            .. "'%s'!$A$1:$%s$%d</definedName>", i - 1, xml(names[i]:gsub("'", "''")),
            column_letters(#normalise_columns(sheets[i].columns, "")), #(sheets[i].rows or {}) + 1)
    end
    local head = {
        { "[Content_Types].xml", concat {
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
            '<Default Extension="xml" ContentType="application/xml"/>',
            '<Override PartName="/xl/workbook.xml" ContentType="application/',
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
            '<Override PartName="/xl/styles.xml" ContentType="application/',
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
            concat(ct), '</Types>',
        } },
        { "_rels/.rels", concat {
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/',
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        } },
        { "xl/workbook.xml", concat {
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
            '<sheets>', concat(wb_sheets), '</sheets><definedNames>', concat(filters), '</definedNames></workbook>',
        } },
        { "xl/_rels/workbook.xml.rels", concat {
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
            concat(wb_rels),
            format('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/', n + 1),
            'relationships/styles" Target="styles.xml"/></Relationships>',
        } },
        { "xl/styles.xml", STYLES_XML },
    }
    for i = #head, 1, -1 do table.insert(entries, 1, head[i]) end
    return _M.zip(entries)
end

--- xlsx.write(file, sheets) -> true, or nil and the error message. file: a path (created or replaced) or anything
--  with :write.
function _M.write(file, sheets)
    local bytes = _M.build(sheets)
    if type(file) == "string" then
        local f, err = io.open(file, "wb")
        if not f then return nil, err end
        local ok, werr = f:write(bytes)
        local closed, cerr = f:close()
        if not ok then return nil, werr end
        if not closed then return nil, cerr end
        return true
    end
    local ok, write = pcall(function() return file.write end)
    if not ok or type(write) ~= "function" then
        optschema.raise("xingtu.xlsx: file must be a path or an open file (anything with :write), got " .. type(file))
    end
    local written, err = file:write(bytes)
    if not written then return nil, err end
    return true
end

return _M
