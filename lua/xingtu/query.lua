-- A small query helper over any array of tables (or any function that returns one row per call, nil at the end).
--
--   local query = require "xingtu.query"          -- also xingtu.query
--   local top = query(authors)
--       :where("city", "北京")                       -- field = value
--       :where("follower", ">=", 1000000)           -- field, operator (= ~= < <= > >=), value
--       :where(function(a) return a.grade ~= nil end) -- any predicate
--       :sort("follower", "desc")                   -- stable; rows without the field last
--       :limit(10)
--       :select("nick_name", "city", "follower")    -- new rows with just these fields (and this column order)
--       :all()                                      -- an array; or :each() for a loop, :first(), :count()
--   query(rows):group_by("city", { "follower" }):all()  --> { { city =, count =, follower = <sum> }, ... }
--   io.write(query(rows):select("nick_name", "follower"):csv())   -- RFC 4180 text; :write_csv(file) streams
--
-- Every step returns a new query; nothing runs until a result is asked for (:all, :each, :first, :count, :csv,
-- :write_csv). where, select, map and limit stream row by row, so a long input (an iterator, e.g. over pages of a
-- paged endpoint) is never held in memory, and limit stops pulling as soon as it has enough: no page more is fetched
-- than needed. sort and group_by must see every row. A query over an array can be run any number of times; one over
-- an iterator function only once.

local optschema = require "xingtu.options"

-- The version is the C core's; like the other analysis helpers this module also loads without the core (it works on
-- plain tables, e.g. saved answers), and then has no _VERSION.
local has_core, the_core = pcall(require, "xingtu.core")
local _M = { _VERSION = has_core and the_core.VERSION or nil }

local type, tostring, tonumber, ipairs, pairs, error, pcall = type, tostring, tonumber, ipairs, pairs, error, pcall
local format, concat, sort = string.format, table.concat, table.sort
local setmetatable = setmetatable
local raise, describe = optschema.raise, optschema.describe

-- Arguments. A field is a key of the rows (a string, or a number for rows that are arrays; never NaN, which no table
-- can hold) or a function of the row. Rows that are not tables (a JSON null in a list, say) have no fields.
local function is_key(v)
    local t = type(v)
    return (t == "string" and v ~= "") or (t == "number" and v == v)
end

local FIELD = { "field", "custom", check = function(v)
    if is_key(v) or type(v) == "function" then return v end
end, expect = "a field name (a non-empty string or a number) or a function of the row", required = true }
local LIMIT = { "n", "integer", min = 0, max = 1000000000, required = true }
local DIRECTION = { "direction", "enum", values = { "asc", "desc" }, default = "asc" }
local FN = { "fn", "function", required = true }

local function fields_of(where, what, list)
    if type(list) ~= "table" then
        raise(format("xingtu.query: %s: %s must be an array of field names, got %s", where, what, describe(list)))
    end
    for i, f in ipairs(list) do
        if not is_key(f) then
            raise(format("xingtu.query: %s: %s[%d] must be a field name (a non-empty string or a number), got %s",
                where, what, i, describe(f)))
        end
    end
    return list
end

local Query = {}
Query.__index = Query
_M.Query = Query

-- `finish` (queries over a closable iterator, e.g. client:pages) is called when a step stops pulling early.
local function new(gen, columns, finish)
    return setmetatable({ gen = gen, columns = columns, finish = finish }, Query)
end

--- query(rows) / query.from(rows): rows is an array of tables or a function returning the next row (nil: the end).
--  query(iter, state, control, closer) takes what a generic `for` takes, e.g. client:pages(...) or ipairs(t):
--  the row is the iterator's second value, pulled only when a row is asked for (a limit stops the paging), and
--  the closer (when given) is closed at the end or once the limit has enough. A page that failed (pages yields
--  i, nil, err) raises its error table (kind, billed, ...), so no failure passes for the end of the data.
function _M.from(rows, state, control, closer)
    local t = type(rows)
    if t == "table" then
        if getmetatable(rows) == Query then return rows end
        return new(function()
            local i = 0
            return function()
                i = i + 1
                return rows[i]
            end
        end)
    elseif t == "function" then
        local used = false
        local gen = rows
        if state ~= nil or control ~= nil or closer ~= nil then
            local ctl, finished = control, false
            local function finish()
                if finished then return end
                finished = true
                local ok, close = pcall(function() return closer.close end)
                if ok and type(close) == "function" then close(closer) end
            end
            gen = function()
                if finished then return nil end
                local k, row, info = rows(state, ctl)
                if k == nil then
                    finish()
                    return nil
                end
                ctl = k
                if row == nil then
                    finish()
                    if info ~= nil then error(info, 0) end
                    return nil
                end
                return row
            end
            return new(function()
                if used then error("xingtu.query: this query reads an iterator and has already been run", 3) end
                used = true
                return gen
            end, nil, finish)
        end
        return new(function()
            if used then error("xingtu.query: this query reads an iterator and has already been run", 3) end
            used = true
            return gen
        end)
    elseif rows == nil then
        raise("xingtu.query: rows must be an array of tables, an iterator function or client:pages(...), got nil")
    end
    raise("xingtu.query: expected an array of tables or an iterator function, got " .. describe(rows))
end

setmetatable(_M, { __call = function(_, ...) return _M.from(...) end })

local function field_getter(field)
    if type(field) == "function" then return field end
    return function(r)
        if type(r) == "table" then return r[field] end
        return nil
    end
end

local OPS = {
    ["="] = function(a, b) return a == b end,
    ["=="] = function(a, b) return a == b end,
    ["~="] = function(a, b) return a ~= b end,
    ["!="] = function(a, b) return a ~= b end,
    ["<"] = function(a, b) return type(a) == type(b) and a < b end,
    ["<="] = function(a, b) return type(a) == type(b) and a <= b end,
    [">"] = function(a, b) return type(a) == type(b) and a > b end,
    [">="] = function(a, b) return type(a) == type(b) and a >= b end,
}

--- q:where(predicate) | q:where(field, value) | q:where(field, op, value): keeps the rows that match.
function Query:where(...)
    local a, b, c = ...
    local pred
    -- Three arguments are the operator form even when the value is nil (where("city", "=", nil): rows without a
    -- city), so an operator is never taken for the value to compare with.
    if type(a) == "function" and b == nil then
        pred = a
    elseif select("#", ...) >= 3 then
        local op = OPS[b]
        if type(b) ~= "string" or not op then
            raise("xingtu.query: where: unknown operator " .. describe(b) .. "; use = == ~= != < <= > >=")
        end
        if c == nil and not (b == "=" or b == "==" or b == "~=" or b == "!=") then
            raise("xingtu.query: where: " .. b .. " needs a value to compare with, got nil")
        end
        local get = field_getter(optschema.argument("xingtu.query: where", FIELD, a))
        pred = function(r) return op(get(r), c) end
    elseif a ~= nil then
        local get = field_getter(optschema.argument("xingtu.query: where", FIELD, a))
        pred = function(r) return get(r) == b end
    else
        raise("xingtu.query: where needs a predicate function or a field and a value")
    end
    local parent = self.gen
    return new(function()
        local pull = parent()
        return function()
            while true do
                local r = pull()
                if r == nil or pred(r) then return r end
            end
        end
    end, self.columns)
end

--- q:select(f1, f2, ...) or q:select{ f1, f2 }: rows with only these fields; also fixes the CSV column order.
function Query:select(...)
    local fields = ...
    if type(fields) ~= "table" then fields = { ... } end
    if #fields == 0 then raise("xingtu.query: select needs at least one field") end
    fields_of("select", "fields", fields)
    local parent = self.gen
    return new(function()
        local pull = parent()
        return function()
            local r = pull()
            if r == nil then return nil end
            local out = {}
            if type(r) == "table" then
                for _, f in ipairs(fields) do out[f] = r[f] end
            end
            return out
        end
    end, fields)
end

--- q:map(fn): rows replaced by fn(row) (a nil result drops the row).
function Query:map(fn)
    optschema.argument("xingtu.query: map", FN, fn)
    local parent = self.gen
    return new(function()
        local pull = parent()
        return function()
            while true do
                local r = pull()
                if r == nil then return nil end
                local m = fn(r)
                if m ~= nil then return m end
            end
        end
    end)
end

--- q:limit(n): at most the first n rows; stops pulling from the input once n rows are out.
function Query:limit(n)
    n = optschema.argument("xingtu.query: limit", LIMIT, n)
    local parent, finish = self.gen, self.finish
    return new(function()
        local pull, given = nil, 0
        return function()
            if given >= n then
                -- enough: the source (client:pages) is closed, so no page more is fetched
                if finish then finish() end
                return nil
            end
            pull = pull or parent()
            local r = pull()
            if r ~= nil then given = given + 1 end
            return r
        end
    end, self.columns)
end

-- Order of values of mixed types: numbers, then strings, then booleans, then the rest; nil always last.
local RANK = { number = 1, string = 2, boolean = 3 }
local function less(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return (RANK[ta] or 4) < (RANK[tb] or 4) end
    if ta == "number" or ta == "string" then return a < b end
    if ta == "boolean" then return (not a) and b end
    return false
end

--- q:sort(field_or_fn, "asc" | "desc"): stable sort (equal keys keep their order); rows without a value go last.
function Query:sort(field, direction)
    field = optschema.argument("xingtu.query: sort", FIELD, field)
    direction = optschema.argument("xingtu.query: sort", DIRECTION, direction)
    local get, desc = field_getter(field), direction == "desc"
    local parent = self.gen
    return new(function()
        local pull = parent()
        local items = {}
        for r in pull do
            local k = get(r)
            -- null and NaN sort as missing: NaN is neither smaller nor larger than anything, which would make
            -- the order inconsistent (table.sort may then raise "invalid order function").
            if type(k) == "userdata" or k ~= k then k = nil end
            items[#items + 1] = { r, k, #items + 1 }
        end
        sort(items, function(x, y)
            local a, b = x[2], y[2]
            if a == nil or b == nil then
                if (a == nil) ~= (b == nil) then return b == nil end
            elseif less(a, b) then
                return not desc
            elseif less(b, a) then
                return desc
            end
            return x[3] < y[3]
        end)
        local i = 0
        return function()
            i = i + 1
            local it = items[i]
            return it and it[1]
        end
    end, self.columns)
end

--- q:group_by(field_or_fn, sums): one row per distinct value (first-seen order): { [field] = value, count = n,
--  [s] = sum of s for each field s in `sums` (numbers only; others are skipped) }. With a function, the key is named
--  "key".
function Query:group_by(field, sums)
    field = optschema.argument("xingtu.query: group_by", FIELD, field)
    sums = sums or {}
    if type(sums) == "string" then sums = { sums } end
    fields_of("group_by", "sums", sums)
    local get = field_getter(field)
    local name = type(field) == "function" and "key" or field
    local columns = { name, "count" }
    for _, s in ipairs(sums) do columns[#columns + 1] = s end
    local parent = self.gen
    return new(function()
        local groups, order = {}, {}
        -- Stand-ins for the keys a table cannot hold: rows without the field make one group, rows whose value is
        -- NaN another (its rows keep NaN as the group's value).
        local NIL, NAN = {}, {}
        for r in parent() do
            local value = get(r)
            local k = value
            if k == nil then k = NIL elseif k ~= k then k = NAN end
            local g = groups[k]
            if not g then
                g = { [name] = value, count = 0 }
                for _, s in ipairs(sums) do g[s] = 0 end
                groups[k] = g
                order[#order + 1] = g
            end
            g.count = g.count + 1
            if type(r) == "table" then
                for _, s in ipairs(sums) do
                    local v = r[s]
                    if type(v) == "number" then g[s] = g[s] + v end
                end
            end
        end
        local i = 0
        return function()
            i = i + 1
            return order[i]
        end
    end, columns)
end

-- A query made from another keeps its source's closer (query over client:pages), so that a limit anywhere down the
-- chain can close it.
for _, name in ipairs { "where", "select", "map", "limit", "sort", "group_by" } do
    local step = Query[name]
    Query[name] = function(self, ...)
        local q = step(self, ...)
        if q.finish == nil then q.finish = self.finish end
        return q
    end
end

--- q:each() -> iterator over the rows: `for row in q:each() do ... end`.
function Query:each()
    return self.gen()
end

--- q:all() -> array of the rows.
function Query:all()
    local out = {}
    for r in self.gen() do out[#out + 1] = r end
    return out
end

--- q:first() -> the first row or nil (pulls just one row).
function Query:first()
    return self.gen()()
end

--- q:count() -> number of rows.
function Query:count()
    local n = 0
    for _ in self.gen() do n = n + 1 end
    return n
end

---------------------------------------------------------------------------------------------------------------------
-- CSV (RFC 4180): CRLF line ends; a field with a comma, a double quote, CR or LF is quoted and its quotes doubled.

local function number_text(v)
    if math.type and math.type(v) == "integer" then return format("%d", v) end
    if v ~= v or v == math.huge or v == -math.huge then return "" end
    for _, p in ipairs { 15, 16, 17 } do
        local s = format("%." .. p .. "g", v)
        if tonumber(s) == v then return s end
    end
    return format("%.17g", v)
end

local function encode_table(v)
    local ok, core = pcall(require, "xingtu.core")
    if ok then
        local ok2, s = pcall(core.encode, v, { sort_keys = true })
        if ok2 then return s end
    end
    return tostring(v)
end

--- query.csv_value(v) -> the text of one field (unquoted): nil and xingtu.null empty, numbers exact, tables as JSON.
function _M.csv_value(v)
    local t = type(v)
    if v == nil or t == "userdata" then return "" end
    if t == "number" then return number_text(v) end
    if t == "boolean" then return v and "true" or "false" end
    if t == "table" then return encode_table(v) end
    return tostring(v)
end

--- query.csv_field(v) -> the field as written in a CSV line (quoted when needed).
function _M.csv_field(v)
    local s = _M.csv_value(v)
    if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
    return s
end

--- query.csv_line(values, n) -> one CSV record with CRLF (values is an array of n values, nils allowed).
function _M.csv_line(values, n)
    local parts = {}
    for i = 1, n or #values do parts[i] = _M.csv_field(values[i]) end
    return concat(parts, ",") .. "\r\n"
end

-- Columns: the query's own (select, group_by) or the sorted union of the rows' string keys.
local function columns_of(self, rows, columns)
    if columns then return columns end
    if self.columns then return self.columns end
    local seen, out = {}, {}
    for _, r in ipairs(rows) do
        for k in pairs(type(r) == "table" and r or {}) do
            if type(k) == "string" and not seen[k] then
                seen[k] = true
                out[#out + 1] = k
            end
        end
    end
    sort(out)
    return out
end

--- q:write_csv(file, columns, opts) -> number of rows written. `file` is a path (created or replaced; closed
--  when written) or anything with :write (io.stdout, an open file); columns default to the select/group_by fields,
--  else every key (then all rows are read first). Header line first. opts.bom = true starts the text with a UTF-8
--  byte order mark (Excel on Windows reads the file as UTF-8 only then).
function Query:write_csv(file, columns, opts)
    if opts ~= nil and type(opts) ~= "table" then
        raise("xingtu.query: write_csv: opts must be a table ({ bom = true }), got " .. describe(opts))
    end
    if type(file) == "string" and file ~= "" then
        local f, err = io.open(file, "wb")
        if not f then raise("xingtu.query: write_csv: cannot write " .. tostring(err)) end
        local ok, n = pcall(self.write_csv, self, f, columns, opts)
        f:close()
        if not ok then error(n, 0) end
        return n
    end
    local ok, write = pcall(function() return file.write end)
    if not ok or type(write) ~= "function" then
        raise("xingtu.query: write_csv: file must be a path or an open file (anything with a :write method), got "
            .. describe(file))
    end
    if columns ~= nil then fields_of("write_csv", "columns", columns) end
    local rows
    local pull
    columns = columns or self.columns
    if not columns then
        rows = self:all()
        columns = columns_of(self, rows)
        local i = 0
        pull = function()
            i = i + 1
            return rows[i]
        end
    else
        pull = self.gen()
    end
    local n = #columns
    if opts and opts.bom then file:write("\239\187\191") end
    file:write(_M.csv_line(columns, n))
    local count = 0
    local values = {}
    for r in pull do
        local row = type(r) == "table" and r or {}
        for i = 1, n do values[i] = row[columns[i]] end
        file:write(_M.csv_line(values, n))
        count = count + 1
    end
    return count
end

--- q:csv(columns) -> the whole CSV text.
function Query:csv(columns)
    if columns ~= nil then fields_of("csv", "columns", columns) end
    local parts = {}
    self:write_csv({ write = function(_, s) parts[#parts + 1] = s end }, columns)
    return concat(parts)
end

return _M
