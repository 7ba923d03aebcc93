-- The snapshot database (`--db FILE.sqlite`): every outcome of a call kept as one row, so that a creator's figures
-- can be followed over time after the cache has moved on.
--
--   local history = require "xingtu.history"
--   local db, err = history.open("track.sqlite")        -- raises on a bad path argument; nil, err on a db failure
--   db:begin()
--   db:record{ method = "touch_distribution", params = { o_author_id = "1", platform = "SHORT_VIDEO" },
--              id = "1", fetched_at = os.time(), data = data, meta = meta }   -- true | nil, err
--   db:commit()
--   db:history("1", { method = "touch_distribution" })  -- the snapshots, oldest first, each with its changes
--   db:diff{ since = os.time() - 86400 }                 -- the creators whose figures moved most since then
--   db:close()
--
-- Storage: SQLite through Debian's lua-sql-sqlite3 (LuaSQL 2.6, built for 5.1-5.4). Schema version in
-- PRAGMA user_version, migrations applied on open inside BEGIN IMMEDIATE (two processes opening a new file at once
-- migrate it once). WAL mode and a busy timeout: two writers take turns instead of failing. LuaSQL has no prepared
-- statements, so every value goes through quote(): numbers formatted exactly, text escaped with conn:escape, and
-- text holding a NUL byte (which would cut the statement short in sqlite3_exec) as a hex blob cast to text.
--
-- Tables: snapshots (one row per outcome: fetched_at, method, params as canonical JSON, creator_id, request_id,
-- record_time, billed 1/0/NULL for unknown, error_kind, error_message, data as JSON) and figures (typed numbers
-- taken from a successful answer: kind followers | touch_share | range_min | range_max, key, value). Views
-- followers, touch_shares and conversion_ranges show them per creator and time. No URL and no token is stored:
-- the outcome carries neither, and error messages are the library's, already masked.

local options = require "xingtu.options"
local errors = require "xingtu.errors"
local touch = require "xingtu.touch"
local ranges = require "xingtu.ranges"

local _M = {}
local mt = { __index = _M }

local type, tostring, pairs, ipairs, pcall, setmetatable = type, tostring, pairs, ipairs, pcall, setmetatable
local format, concat, sort = string.format, table.concat, table.sort
local tointeger = math.tointeger or function(x) return x end
local abs, huge = math.abs, math.huge

_M.SCHEMA_VERSION = 1
_M.BUSY_TIMEOUT_MS = 30000

local json -- xingtu.json, looked up on first use (keeps the module loadable without the core for reading)
local function json_mod()
    if not json then json = require("xingtu").json end
    return json
end

local function db_error(message, cause)
    local text = message
    if cause ~= nil then text = message .. ": " .. tostring(cause) end
    return errors.new { kind = "database", message = text }
end

---------------------------------------------------------------------------------------------------------------------
-- Quoting.

local function quote(conn, v)
    local t = type(v)
    if v == nil then return "NULL" end
    if t == "boolean" then return v and "1" or "0" end
    if t == "number" then
        if v ~= v or v == huge or v == -huge then return "NULL" end
        local i = tointeger(v)
        if i and math.type and math.type(v) == "integer" then return format("%d", i) end
        return format("%.17g", v)
    end
    local s = tostring(v)
    if s:find("\0", 1, true) then
        return "CAST(X'" .. s:gsub(".", function(c) return format("%02X", c:byte()) end) .. "' AS TEXT)"
    end
    return "'" .. conn:escape(s) .. "'"
end
_M._quote = quote

---------------------------------------------------------------------------------------------------------------------
-- Schema and migrations: MIGRATIONS[n] takes a database of version n-1 to version n.

local MIGRATIONS = {
    [1] = {
        [[CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            fetched_at INTEGER NOT NULL,
            method TEXT NOT NULL,
            params TEXT NOT NULL,
            creator_id TEXT,
            request_id TEXT,
            record_time TEXT,
            billed INTEGER,
            error_kind TEXT,
            error_message TEXT,
            data TEXT)]],
        "CREATE INDEX snapshots_creator ON snapshots (creator_id, method, fetched_at)",
        "CREATE INDEX snapshots_time ON snapshots (fetched_at)",
        [[CREATE TABLE figures (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            value NUMERIC,
            PRIMARY KEY (snapshot_id, kind, key))]],
        [[CREATE VIEW followers AS
            SELECT s.creator_id, s.fetched_at, s.method, f.value AS followers
            FROM figures f JOIN snapshots s ON s.id = f.snapshot_id WHERE f.kind = 'followers']],
        [[CREATE VIEW touch_shares AS
            SELECT s.creator_id, s.fetched_at, s.params, f.key AS channel, f.value AS share
            FROM figures f JOIN snapshots s ON s.id = f.snapshot_id WHERE f.kind = 'touch_share']],
        [[CREATE VIEW conversion_ranges AS
            SELECT s.creator_id, s.fetched_at, s.params, f.key AS field,
                   MAX(CASE WHEN f.kind = 'range_min' THEN f.value END) AS min,
                   MAX(CASE WHEN f.kind = 'range_max' THEN f.value END) AS max
            FROM figures f JOIN snapshots s ON s.id = f.snapshot_id
            WHERE f.kind IN ('range_min', 'range_max')
            GROUP BY f.snapshot_id, f.key]],
    },
}

local function exec(conn, sql)
    local res, err = conn:execute(sql)
    if not res then return nil, err end
    if type(res) == "userdata" then res:close() end
    return true
end

local function scalar(conn, sql)
    local cur, err = conn:execute(sql)
    if not cur then return nil, err end
    local v = cur:fetch()
    cur:close()
    return v
end

local function rows(conn, sql)
    local cur, err = conn:execute(sql)
    if not cur then return nil, err end
    local out = {}
    while true do
        local row = cur:fetch({}, "a")
        if not row then break end
        out[#out + 1] = row
    end
    cur:close()
    return out
end

local function migrate(conn)
    local ok, err = exec(conn, "BEGIN IMMEDIATE")
    if not ok then return nil, err end
    local version = tonumber(scalar(conn, "PRAGMA user_version")) or 0
    if version > _M.SCHEMA_VERSION then
        exec(conn, "ROLLBACK")
        return nil, format("schema version %d is newer than this xingtu's (%d)", version, _M.SCHEMA_VERSION)
    end
    for v = version + 1, _M.SCHEMA_VERSION do
        for _, sql in ipairs(MIGRATIONS[v]) do
            ok, err = exec(conn, sql)
            if not ok then
                exec(conn, "ROLLBACK")
                return nil, err
            end
        end
        exec(conn, format("PRAGMA user_version = %d", v))
    end
    ok, err = exec(conn, "COMMIT")
    if not ok then
        exec(conn, "ROLLBACK")
        return nil, err
    end
    return true
end

--- Opens (creating and migrating as needed) the database at `path`.
function _M.open(path)
    if type(path) ~= "string" or path == "" then
        options.raise("xingtu.history.open: path must be a non-empty string (the database file), got "
            .. options.describe(path))
    end
    local ok, driver = pcall(require, "luasql.sqlite3")
    if not ok then return nil, db_error("lua-sql-sqlite3 is not installed (Debian package lua-sql-sqlite3)") end
    local env = driver.sqlite3()
    local conn, err = env:connect(path)
    if not conn then
        env:close()
        return nil, db_error("cannot open " .. path, err)
    end
    local self = setmetatable({ env = env, conn = conn, path = path, depth = 0 }, mt)
    local steps = {
        format("PRAGMA busy_timeout = %d", _M.BUSY_TIMEOUT_MS),
        "PRAGMA journal_mode = WAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    }
    for _, sql in ipairs(steps) do
        ok, err = exec(conn, sql)
        if not ok then
            self:close()
            return nil, db_error("cannot open " .. path, err)
        end
    end
    ok, err = migrate(conn)
    if not ok then
        self:close()
        return nil, db_error("cannot migrate " .. path, err)
    end
    return self
end

function _M:close()
    if self.conn then
        if self.depth > 0 then exec(self.conn, "ROLLBACK") end
        self.conn:close()
        self.env:close()
        self.conn, self.env = nil, nil
    end
    return true
end

local function check_open(self, where)
    if getmetatable(self) ~= mt then
        options.raise("xingtu.history: " .. where .. " must be called as db:" .. where .. "(...)")
    end
    if not self.conn then options.raise("xingtu.history: " .. where .. " on a closed database") end
end

--- Starts a transaction (IMMEDIATE: the write lock is taken now, so a second writer waits here, not at commit).
function _M:begin()
    check_open(self, "begin")
    if self.depth > 0 then
        self.depth = self.depth + 1
        return true
    end
    local ok, err = exec(self.conn, "BEGIN IMMEDIATE")
    if not ok then return nil, db_error("cannot begin a transaction", err) end
    self.depth = 1
    return true
end

function _M:commit()
    check_open(self, "commit")
    if self.depth == 0 then return true end
    if self.depth > 1 then
        self.depth = self.depth - 1
        return true
    end
    local ok, err = exec(self.conn, "COMMIT")
    if not ok then
        exec(self.conn, "ROLLBACK")
        self.depth = 0
        return nil, db_error("cannot commit", err)
    end
    self.depth = 0
    return true
end

function _M:rollback()
    check_open(self, "rollback")
    if self.depth > 0 then exec(self.conn, "ROLLBACK") end
    self.depth = 0
    return true
end

---------------------------------------------------------------------------------------------------------------------
-- Figures: the numbers a tracker follows, taken from a successful answer.

local FOLLOWER_FIELDS = { "follower", "followers", "fans_cnt", "follower_count", "fans_count" }

local function follower_of(data)
    for _, f in ipairs(FOLLOWER_FIELDS) do
        if type(data[f]) == "number" then return data[f] end
    end
    for _, v in pairs(data) do
        if type(v) == "table" then
            for _, f in ipairs(FOLLOWER_FIELDS) do
                if type(v[f]) == "number" then return v[f] end
            end
        end
    end
    return nil
end

--- The figures of one answer: a list of { kind, key, value }.
function _M.figures(method, data)
    local out = {}
    if type(data) ~= "table" then return out end
    local f = follower_of(data)
    if f then out[#out + 1] = { kind = "followers", key = "", value = f } end
    if method == "touch_distribution" then
        local ok, flat = pcall(touch.flatten, data)
        if ok then
            for _, r in ipairs(flat) do
                out[#out + 1] = { kind = "touch_share", key = concat(r.path, " / ", 1, r.level),
                                  value = r.share_of_total }
            end
        end
    end
    local ok, all = pcall(ranges.all, data)
    if ok and type(all) == "table" then
        for field, r in pairs(all) do
            if type(r.min) == "number" then out[#out + 1] = { kind = "range_min", key = field, value = r.min } end
            if type(r.max) == "number" then out[#out + 1] = { kind = "range_max", key = field, value = r.max } end
        end
    end
    return out
end

---------------------------------------------------------------------------------------------------------------------
-- Recording.

local OUTCOME_FIELDS = { method = "string", id = "string", fetched_at = "number" }

local function billed_value(b)
    if b == true then return 1 end
    if b == false then return 0 end
    return nil
end

--- Stores one outcome as a snapshot row (and its figures). true, or nil and an error of kind "database".
function _M:record(outcome)
    check_open(self, "record")
    if type(outcome) ~= "table" then
        options.raise("xingtu.history: record(outcome): outcome must be a table, got " .. options.describe(outcome))
    end
    for name, t in pairs(OUTCOME_FIELDS) do
        if type(outcome[name]) ~= t and not (name == "id" and outcome[name] == nil) then
            options.raise(format("xingtu.history: record(outcome): outcome.%s must be a %s, got %s", name, t,
                options.describe(outcome[name])))
        end
    end
    if outcome.params ~= nil and type(outcome.params) ~= "table" then
        options.raise("xingtu.history: record(outcome): outcome.params must be a table, got "
            .. options.describe(outcome.params))
    end
    local J = json_mod()
    local ok, params = pcall(J.encode, outcome.params or {}, { sort_keys = true })
    if not ok then return nil, db_error("cannot encode the parameters", params) end
    local data_text
    if outcome.data ~= nil then
        ok, data_text = pcall(J.encode, outcome.data, { sort_keys = true })
        if not ok then return nil, db_error("cannot encode the data", data_text) end
    end
    local meta, err = outcome.meta or {}, outcome.err
    local billed
    if err then billed = err.billed else billed = meta.billed end
    local c = self.conn
    local q = function(v) return quote(c, v) end
    local sql = format("INSERT INTO snapshots (fetched_at, method, params, creator_id, request_id, record_time, "
        .. "billed, error_kind, error_message, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        q(outcome.fetched_at), q(outcome.method), q(params), q(outcome.id),
        q(meta.request_id or (err and err.request_id)),
        q(meta.record_time ~= nil and tostring(meta.record_time) or nil), q(billed_value(billed)),
        q(err and err.kind), q(err and tostring(err.message or err.kind)), q(data_text))
    local own = self.depth == 0
    if own then
        local began, berr = self:begin()
        if not began then return nil, berr end
    end
    local done, xerr = exec(c, sql)
    if done and not err then
        local id = scalar(c, "SELECT last_insert_rowid()")
        for _, f in ipairs(_M.figures(outcome.method, outcome.data)) do
            done, xerr = exec(c, format("INSERT OR REPLACE INTO figures (snapshot_id, kind, key, value) "
                .. "VALUES (%s, %s, %s, %s)", q(tonumber(id)), q(f.kind), q(f.key), q(f.value)))
            if not done then break end
        end
    end
    if not done then
        if own then self:rollback() end
        return nil, db_error("cannot record " .. outcome.method .. " " .. tostring(outcome.id), xerr)
    end
    if own then return self:commit() end
    return true
end

---------------------------------------------------------------------------------------------------------------------
-- Queries.

local function figure_name(kind, key)
    if kind == "followers" then return "followers" end
    if kind == "touch_share" then return "touch share " .. key end
    if kind == "range_min" then return key .. " min" end
    if kind == "range_max" then return key .. " max" end
    return kind .. " " .. key
end
_M.figure_name = figure_name

--- A creator's snapshots, oldest first: { { fetched_at, method, params, request_id, error_kind, figures = {name =
--  value}, changes = { { figure, from, to } } } }. Changes compare a snapshot with the previous successful one of
--  the same method and parameters. opts.method limits to one method.
function _M:history(id, opts)
    check_open(self, "history")
    if type(id) ~= "string" or id == "" then
        options.raise("xingtu.history: history(id): id must be a non-empty string, got " .. options.describe(id))
    end
    opts = opts or {}
    local c = self.conn
    local where = "s.creator_id = " .. quote(c, id)
    if opts.method then where = where .. " AND s.method = " .. quote(c, opts.method) end
    local snaps, err = rows(c, "SELECT s.id, s.fetched_at, s.method, s.params, s.request_id, s.record_time, "
        .. "s.billed, s.error_kind FROM snapshots s WHERE " .. where .. " ORDER BY s.fetched_at, s.id")
    if not snaps then return nil, db_error("cannot read the history of " .. id, err) end
    local figs
    figs, err = rows(c, "SELECT f.snapshot_id, f.kind, f.key, f.value FROM figures f JOIN snapshots s "
        .. "ON s.id = f.snapshot_id WHERE " .. where)
    if not figs then return nil, db_error("cannot read the history of " .. id, err) end
    local by_snap = {}
    for _, f in ipairs(figs) do
        local t = by_snap[f.snapshot_id]
        if not t then
            t = {}
            by_snap[f.snapshot_id] = t
        end
        t[figure_name(f.kind, f.key)] = tonumber(f.value)
    end
    local last = {}
    local out = {}
    for _, s in ipairs(snaps) do
        local entry = {
            fetched_at = tonumber(s.fetched_at), method = s.method, params = s.params, request_id = s.request_id,
            record_time = s.record_time, billed = s.billed and tonumber(s.billed) == 1 or nil,
            error_kind = s.error_kind, figures = by_snap[s.id] or {}, changes = {},
        }
        if s.billed == nil then entry.billed = "unknown" elseif tonumber(s.billed) == 0 then entry.billed = false end
        if not s.error_kind then
            local series = s.method .. "\0" .. s.params
            local prev = last[series]
            if prev then
                local names = {}
                for name in pairs(entry.figures) do names[#names + 1] = name end
                for name in pairs(prev) do if entry.figures[name] == nil then names[#names + 1] = name end end
                sort(names)
                for _, name in ipairs(names) do
                    if prev[name] ~= entry.figures[name] then
                        entry.changes[#entry.changes + 1] =
                            { figure = name, from = prev[name], to = entry.figures[name] }
                    end
                end
            end
            last[series] = entry.figures
        end
        out[#out + 1] = entry
    end
    return out
end

-- How much a figure moved: shares (fractions) by their absolute difference, counts by their relative change.
local function movement(kind, from, to)
    if from == nil or to == nil then return 0 end
    if kind == "touch_share" then return abs(to - from) end
    local base = abs(from)
    if base == 0 then return to == 0 and 0 or 1 end
    return abs(to - from) / base
end

--- The creators whose figures moved most since `opts.since` (unix seconds): for each creator, method, parameters
--  and figure, the value at the last successful snapshot at or before `since` (or the first after it, when none is
--  older) against the latest one. Returns { { id, method, figure, from, to, movement } } sorted by movement
--  (largest first), one entry per creator (its largest move), at most opts.limit (default 20) entries.
function _M:diff(opts)
    check_open(self, "diff")
    if type(opts) ~= "table" or type(opts.since) ~= "number" then
        options.raise("xingtu.history: diff(opts): opts.since must be a number (unix seconds), got "
            .. options.describe(type(opts) == "table" and opts.since or opts))
    end
    local limit = opts.limit or 20
    local c = self.conn
    local where = "s.error_kind IS NULL"
    if opts.method then where = where .. " AND s.method = " .. quote(c, opts.method) end
    local list, err = rows(c, "SELECT s.creator_id, s.method, s.params, s.fetched_at, f.kind, f.key, f.value "
        .. "FROM figures f JOIN snapshots s ON s.id = f.snapshot_id WHERE " .. where
        .. " ORDER BY s.creator_id, s.method, s.params, f.kind, f.key, s.fetched_at, s.id")
    if not list then return nil, db_error("cannot compute the changes", err) end
    local best = {}
    local since = opts.since
    local i, n = 1, #list
    while i <= n do
        local r = list[i]
        local j = i
        local base, latest
        while j <= n do
            local x = list[j]
            if x.creator_id ~= r.creator_id or x.method ~= r.method or x.params ~= r.params or x.kind ~= r.kind
                or x.key ~= r.key then break end
            local t, v = tonumber(x.fetched_at), tonumber(x.value)
            if t <= since or base == nil then base = v end
            if t > since then latest = v end
            j = j + 1
        end
        if latest ~= nil and base ~= nil then
            local m = movement(r.kind, base, latest)
            local b = best[r.creator_id]
            if m > 0 and (not b or m > b.movement) then
                best[r.creator_id] = { id = r.creator_id, method = r.method, params = r.params,
                    figure = figure_name(r.kind, r.key), from = base, to = latest, movement = m }
            end
        end
        i = j
    end
    local out = {}
    for _, b in pairs(best) do out[#out + 1] = b end
    sort(out, function(a, b)
        if a.movement ~= b.movement then return a.movement > b.movement end
        return a.id < b.id
    end)
    for k = #out, limit + 1, -1 do out[k] = nil end
    return out
end

return _M
