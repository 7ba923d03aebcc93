-- One table out, in the format the flags ask for: what `xingtu search` and `xingtu compare` write.
--
--   local sheet = require "xingtu.cli.sheet"
--   sheet.add_flags(parser, "table")              -- --format (table, json, ndjson, csv, xlsx), -o, --bom, --excel
--   local w = sheet.open(args, env, columns)      -- columns: { { name =, label =, kind = }, ... } (compare.lua's)
--   w:add(row) ... w:finish()                      -- rows: flat tables, column name -> value
--
-- The header is the columns' names and is written before the first row, so every page of a search makes the same
-- table and no rows make a header alone (CSV) or an empty array (JSON). csv and ndjson stream (a row is out as soon
-- as it is in); table, json and xlsx are written at finish. xlsx is binary and needs -o FILE. For Excel: --bom starts
-- a CSV with the UTF-8 byte order mark (without it Excel on Windows reads the Chinese as ANSI); --excel is --bom and
-- ids written as ="<digits>", which Excel keeps as text (a bare 19-digit id becomes 7.16E+18). A file is written
-- whole or not at all: into FILE.part, renamed at finish.

local args_mod = require "xingtu.cli.args"
local output = require "xingtu.cli.output"
local query = require "xingtu.query"

local _M = {}

local format, concat = string.format, table.concat
local ipairs, tostring, type = ipairs, tostring, type
local usage = args_mod.usage

_M.FORMATS = { "table", "json", "ndjson", "csv", "xlsx" }

function _M.add_flags(p, default_format)
    p:option("--output -o", "Write the output to FILE instead of stdout (xlsx needs it).")
    p:flag("--bom", "CSV: start with a UTF-8 byte order mark, so that Excel reads the Chinese right.")
    p:flag("--excel", "CSV for Excel: --bom, and ids as =\"<digits>\" so that Excel keeps all 19 digits.")
    return args_mod.add_common(p, default_format, _M.FORMATS)
end

local function csv_line(columns, row, excel)
    local parts = {}
    for i, c in ipairs(columns) do
        local v = row[c.name]
        if excel and c.kind == "id" and v ~= nil and type(v) ~= "userdata" then
            parts[i] = '"=""' .. query.csv_value(v) .. '"""'
        else
            parts[i] = query.csv_field(v)
        end
    end
    return concat(parts, ",") .. "\r\n"
end

local function names_of(columns)
    local names = {}
    for i, c in ipairs(columns) do names[i] = c.name end
    return names
end

-- JSON: a column of kind id is a string; nil stays absent.
local function json_row(columns, row)
    local out = {}
    for _, c in ipairs(columns) do
        local v = row[c.name]
        if v ~= nil and c.kind == "id" then v = query.csv_value(v) end
        out[c.name] = v
    end
    return out
end

--- sheet.check(args): the output flags' usage errors, raised before anything is sent. -o FILE is tried too (a
--  path that cannot be written must cost nothing).
function _M.check(args)
    local fmt = args.format
    if fmt == "xlsx" and not args.output then usage("--format xlsx writes a binary file: give it with -o FILE") end
    if (args.bom or args.excel) and fmt ~= "csv" then usage("--bom and --excel are for --format csv") end
    if args.output then
        local part = args.output .. ".part"
        local f, err = io.open(part, "wb")
        if not f then usage("-o: cannot write " .. tostring(err)) end
        f:close()
        os.remove(part)
    end
end

--- sheet.open(args, env, columns, opts) -> writer { add(row), finish() -> rows written }. opts.sheet: the xlsx
--  sheet's name; opts.extra_sheets: more { name, columns, rows } for the workbook.
function _M.open(args, env, columns, opts)
    opts = opts or {}
    local fmt = args.format
    _M.check(args)
    local out, path, part = env.stdout, args.output, nil
    if path then
        part = path .. ".part"
        local f, err = io.open(part, "wb")
        if not f then usage("-o: cannot write " .. tostring(err)) end
        out = f
    end
    local rows, n = {}, 0
    local w = {}
    local header_done = false
    local function header()
        if header_done then return end
        header_done = true
        if fmt == "csv" then
            if args.bom or args.excel then out:write("\239\187\191") end
            out:write(query.csv_line(names_of(columns), #columns))
        end
    end
    function w.add(_, row)
        n = n + 1
        if fmt == "csv" then
            header()
            out:write(csv_line(columns, row, args.excel))
        elseif fmt == "ndjson" then
            out:write(output.json(json_row(columns, row)), "\n")
        else
            rows[#rows + 1] = row
        end
    end
    function w.finish()
        header()
        if fmt == "json" then
            local list = setmetatable({}, require("xingtu.core").array_mt)
            for i, row in ipairs(rows) do list[i] = json_row(columns, row) end
            out:write(output.json(list, true), "\n")
        elseif fmt == "table" then
            local names, cells = names_of(columns), {}
            for i, row in ipairs(rows) do
                local r = {}
                for _, c in ipairs(columns) do
                    local v = row[c.name]
                    if c.kind == "id" and v ~= nil then v = query.csv_value(v) end
                    r[c.name] = v
                end
                cells[i] = r
            end
            out:write(output.table(names, cells))
        elseif fmt == "xlsx" then
            -- The header is the names, as in CSV (what --columns and a re-import expect); the labels are on the
            -- extra sheets where a command gives them.
            local named = {}
            for i, c in ipairs(columns) do named[i] = { name = c.name, label = c.name, kind = c.kind } end
            local sheets = { { name = opts.sheet or "data", columns = named, rows = rows } }
            for _, s in ipairs(opts.extra_sheets or {}) do sheets[#sheets + 1] = s end
            out:write(require("xingtu.xlsx").build(sheets))
        end
        if part then
            local ok, err = out:close()
            if not ok then usage("-o: cannot write " .. tostring(err)) end
            local renamed, rerr = os.rename(part, path)
            if not renamed then usage(format("-o: cannot write %s: %s", path, tostring(rerr))) end
        end
        return n
    end
    -- An error before finish: the partial file is removed, the named one untouched.
    function w.abandon()
        if part then
            pcall(out.close, out)
            os.remove(part)
            part = nil
        end
    end
    return w
end

return _M
