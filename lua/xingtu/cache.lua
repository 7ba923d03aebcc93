-- The response cache: successful answers kept as their raw body, so a repeated call costs nothing.
--
--   local client = xingtu.new{ cache = true }             -- $XDG_CACHE_HOME/xingtu, else ~/.cache/xingtu
--   local client = xingtu.new{ cache = "/var/cache/xt", cache_ttl = 3600 }
--   local client = xingtu.new{ cache = true, offline = true }     -- answer from the cache only (a miss: cache_miss)
--   local client = xingtu.new{ cache = xingtu.cache.new{ backend = my_backend, ttl = 600 } }
--
-- Key: the endpoint and its parameters, normalized: sorted by name, the catalogue's defaults filled in (an explicit
-- default and an omitted parameter share one entry): the key the call's request carries (lua/xingtu/request.lua),
-- never re-read from its URL; then a fingerprint of the account. Not the base URL: two sandboxes on two ports, a
-- proxy and the provider's regions all share one entry. The fingerprint is the first 16 hex digits of SHA-256 over
-- a fixed prefix and the token (xingtu.cache.account): accounts never see each other's answers (nor the sandbox's
-- token the provider's), and the token itself, or any part of it, is never in the key or in any file. What a
-- fingerprint still allows is to check a guessed token against it, which is one reason the directory is private.
-- The key text is hashed (FNV-1a 64) into a 16-hex-digit name; the key text itself is kept in the entry and
-- compared on read, so a hash collision is a miss, never a wrong answer.
--
-- An entry is one text: a header line of JSON { v = 2, key, endpoint, stored, size, sum, status } then "\n" then the
-- body exactly as the provider sent it (re-encoded exactly from the decoded body only when a custom transport did
-- not keep the text). It is decoded with xingtu.json.decode on every read, so a decoder upgrade re-reads old
-- entries correctly. Anything that does not check out (bad header, an older version, wrong size or checksum, not
-- JSON, not a success envelope, another key) is a miss, and the next successful answer replaces it. An entry stored
-- more than CLOCK_SKEW seconds in the future (a clock set back, another machine's clock ahead) is stale, so no
-- entry stays fresh forever. Reading never raises.
--
-- Storage backends. A backend is any table with two functions:
--
--   backend.get(key)        -> text, or nil when there is none, or nil and a message when one is there but must
--                              not be read (never raises for a missing or unreadable entry)
--   backend.set(key, text)  -> true, or nil and a message (the cache ignores failed writes: the call still succeeds)
--
-- `key` is the 16-hex-digit name, `text` the whole entry. A backend must replace an entry atomically (a reader sees
-- the old text or the new one, never a mix). xingtu.cache.memory() keeps entries in a Lua table; in nginx, cache =
-- { shared_dict = "<name>" } (or ngx.shared.<name>) uses a lua_shared_dict shared by all workers
-- (xingtu.cache.shared_dict, lua/xingtu/cache/shdict.lua). xingtu.cache.file(dir) is the directory backend, on
-- the C core's core.fs (csrc/fsutil.c):
--
-- - One file <dir>/<name>.entry per entry, written to a new file in <dir>/tmp and renamed over the old one, so any
--   number of processes may read and write at once. The directory (and what mkdir -p adds above it) is created
--   0700 at the first write, entries 0600.
-- - The directory must be this user's, writable by no one else, and not a symbolic link. One that exists and is
--   not raises when the cache is made (xingtu.new{ cache = dir }, cache.new, cache.file), naming the path and what
--   is wrong. Every read and write checks the directory again (on the descriptor it then uses), so one that turns
--   bad later, or is planted before the first write creates it, is never used: reads are misses, writes fail, the
--   call goes to the provider as without a cache, and cache:stats() counts them (refused, write_errors) with the
--   reason in cache.last_error.
-- - An entry is read only when it is a regular file of this user of at most max_body (the client's body cap) plus
--   HEADER_ALLOWANCE bytes, opened without following a symbolic link and without blocking: a link, a FIFO or a
--   device planted at its path is refused (a miss), never followed, waited on or read without end.
-- - A writer killed mid-write leaves its file in <dir>/tmp: files there older than TEMP_MAX_AGE (or dated more than
--   CLOCK_SKEW ahead) are removed when the cache is made and after each write, at most SWEEP_LIMIT looked at each
--   time, so the work is bounded whatever the directory holds.
--
-- - A size cap (opts.max_size, bytes): the entries' total is kept at most max_size as the cache writes. Each backend
--   learns the directory's total by one listing at its first write and then adds what each of its writes adds;
--   when that goes over the cap (or every RESCAN_WRITES writes, to see what other processes wrote), it lists the
--   directory again and removes the oldest entries (by modification time, to the second: when they were stored;
--   reads do not refresh it) until the total
--   is at most EVICT_TO of the cap, never the entry it has just written. Other processes writing at once may each
--   evict: a removal that finds the entry gone counts nothing, and an entry removed under a reader is a miss.
-- - Upkeep without a client: xingtu.cache.disk_stats(dir) (entries, bytes, oldest, newest, temporary files) and
--   xingtu.cache.prune(dir, { older_than = seconds, max_size = bytes, dry_run = true }), what `xingtu cache
--   stats|prune` runs. Both go through core.fs like everything else here: only this user's private directory,
--   only regular files named as entries are counted or removed, links never followed.
--
-- This file uses no Lua 5.4-only syntax, so it also loads under LuaJIT (nginx); the hash is the C core's
-- core.fnv1a64, else Lua 5.4's integers, else LuaJIT's 64-bit cdata (the same hash), else ngx.md5.

local errors = require "xingtu.errors"
local optschema = require "xingtu.options"
local request = require "xingtu.request"

local _M = {
    _VERSION = require("xingtu.core").VERSION,
    DEFAULT_TTL = 86400,
    MAX_TTL = 31536000,            -- a year: older is not fresh, whatever the ttl (offline = true serves any age)
    ENTRY_VERSION = 2,             -- 2: keys without the base URL, with the account's fingerprint
    CLOCK_SKEW = 300,              -- seconds an entry may be dated ahead of this clock and still count as fresh
    DEFAULT_MAX_BODY = require("xingtu.core").limits.default_max_body, -- the transport's default body cap
    HEADER_ALLOWANCE = 64 * 1024,  -- what an entry may add to its body (the header line)
    TEMP_MAX_AGE = 600,            -- seconds after which a temporary file is a dead writer's
    SWEEP_LIMIT = 64,              -- temporary directory entries one sweep looks at
    RESCAN_WRITES = 512,           -- writes after which a capped backend lists its directory again
    EVICT_TO = 0.9,                -- a capped backend evicts down to this share of max_size (not after every write)
}

local type, tostring, pairs, ipairs = type, tostring, pairs, ipairs
local format = string.format
local setmetatable, pcall, error = setmetatable, pcall, error
local os_time = os.time

local core -- xingtu.core, loaded on first use
local function json()
    if not core then core = require "xingtu.core" end
    return core
end

---------------------------------------------------------------------------------------------------------------------
-- Hashing: FNV-1a 64 as 16 hex digits: the C core's, else over Lua 5.4 integers (wrapping multiplication).

local hash
local c_hash = require("xingtu.core").fnv1a64
if c_hash then
    -- The C core's (csrc/fnv.c): a hit checks the whole body's sum, and the byte loops below cost about 40 ns a
    -- byte in Lua 5.4 (most of a hit's time). The same digits: the loops stay for a core built before it.
    hash = c_hash
elseif math.type then
    hash = load([[
        local byte, format = string.byte, string.format
        return function(s)
            local h = -3750763034362895579          -- 0xcbf29ce484222325
            for i = 1, #s do
                h = (h ~ byte(s, i)) * 1099511628211  -- 0x100000001b3
            end
            return format("%016x", h)
        end
    ]])()
elseif rawget(_G, "jit") and pcall(require, "bit") and pcall(require, "ffi") then
    -- LuaJIT: the same FNV-1a 64 on uint64_t cdata (wrapping multiplication), so Lua 5.4 and nginx name entries
    -- alike and can share a cache directory. Loaded from a string: the ULL literals do not parse in Lua 5.4.
    hash = load([[
        local bxor, tohex = require("bit").bxor, require("bit").tohex
        local byte = string.byte
        return function(s)
            local h = 0xcbf29ce484222325ULL
            for i = 1, #s do
                h = bxor(h, byte(s, i)) * 1099511628211ULL
            end
            return tohex(h, 16)
        end
    ]])()
elseif ngx and ngx.md5 then -- luacheck: ignore 113
    hash = function(s) return ngx.md5(s):sub(1, 16) end -- luacheck: ignore 113
else
    hash = function()
        error("xingtu.cache: no hash function: needs Lua 5.4 or ngx.md5 (or pass cache.new{ hash = })")
    end
end
_M.hash = hash

---------------------------------------------------------------------------------------------------------------------
-- Backends.

--- xingtu.cache.unsafe_dir(dir) -> "unsafe cache directory: <path> is owned by uid 65534, not by this user (uid 0)"
--  when dir exists and must not be used; nil when it is fine or not there yet (the first write creates it).
function _M.unsafe_dir(dir)
    if type(dir) ~= "string" or dir == "" then return nil end
    local ok, why, code = json().fs.check_dir(dir)
    if ok == nil and code == "unsafe" then return "unsafe cache directory: " .. why end
    return nil
end

local function check_dir(dir, who)
    local why = _M.unsafe_dir(dir)
    if why then optschema.raise(who .. ": " .. why) end
end

-- The largest entry: the largest body a client takes (its max_body, at most 1 GiB) and the header line.
local MAX_ENTRY = { "max_entry", "integer", min = 0, max = 1073741824 + _M.HEADER_ALLOWANCE, unit = "bytes" }

local MAX_SIZE = { "max_size", "integer", min = 1, max = 2 ^ 53, unit = "bytes" }

local ENTRY_NAME = "^%x+%.entry$"

-- The entries of a cache directory (regular files named as entries), oldest first; nil, why when it cannot be read.
-- A directory that is not there yet has none.
local function entries_of(fs, dir)
    local list, why = fs.list(dir)
    if not list then
        if fs.check_dir(dir) == false then return {}, 0 end
        return nil, why
    end
    local out, total = {}, 0
    for _, e in ipairs(list) do
        if e.kind == "file" and e.name:match(ENTRY_NAME) then
            out[#out + 1] = e
            total = total + e.size
        end
    end
    table.sort(out, function(a, b)
        if a.mtime ~= b.mtime then return a.mtime < b.mtime end
        return a.name < b.name
    end)
    return out, total
end

-- Removes the oldest of `list` (oldest first, total bytes) until the total is at most `target`, sparing `keep`.
-- Returns the number removed, the bytes freed, the total left.
local function evict(fs, dir, list, total, target, keep, dry_run)
    local removed, freed = 0, 0
    for _, e in ipairs(list) do
        if total <= target then break end
        if e.name ~= keep then
            local ok = dry_run or fs.remove(dir, e.name)
            total = total - e.size
            if ok then
                removed, freed = removed + 1, freed + e.size
                e.removed = true
            end
        end
    end
    return removed, freed, total
end

local function open_file(dir, opts, who)
    if type(dir) ~= "string" or dir == "" or dir:find("%z") then
        optschema.raise(who .. ": dir must be a non-empty string without NUL bytes, got " .. optschema.describe(dir))
    end
    if opts ~= nil and type(opts) ~= "table" then
        optschema.raise(who .. ": expected a table of options, got " .. optschema.describe(opts))
    end
    local max_entry = opts and opts.max_entry
    if max_entry == nil then
        max_entry = _M.DEFAULT_MAX_BODY + _M.HEADER_ALLOWANCE
    elseif optschema.value_ok(MAX_ENTRY, max_entry) == nil then
        optschema.raise(format("%s: max_entry must be %s, got %s", who, optschema.expected(MAX_ENTRY),
            optschema.describe(max_entry)))
    end
    local max_size = opts and opts.max_size
    if max_size ~= nil and optschema.value_ok(MAX_SIZE, max_size) == nil then
        optschema.raise(format("%s: max_size must be %s, got %s", who, optschema.expected(MAX_SIZE),
            optschema.describe(max_size)))
    end
    dir = dir:gsub("/+$", "")
    if dir == "" then dir = "/" end
    check_dir(dir, who)
    local fs = json().fs
    local tmp = (dir == "/" and "" or dir) .. "/tmp"
    local ready = false
    local backend = { dir = dir, max_entry = max_entry, max_size = max_size, evicted = 0 }
    local total, writes = nil, 0 -- the directory's bytes as this backend knows them (nil: not listed yet)

    -- Lists the directory and evicts the oldest entries when over the cap (see the top of this file).
    local function enforce(just_written)
        local list, bytes = entries_of(fs, dir)
        if not list then
            total = nil
            return
        end
        writes = 0
        if bytes > max_size then
            local removed, _
            removed, _, bytes = evict(fs, dir, list, bytes, math.floor(max_size * _M.EVICT_TO), just_written)
            backend.evicted = backend.evicted + removed
        end
        total = bytes
    end

    function backend.get(key)
        local text, why, code = fs.read_regular(dir, key .. ".entry", max_entry)
        if text or code == "missing" then return text end
        return nil, why
    end

    --- backend.sweep(): removes what killed writers left in <dir>/tmp (only names write_atomic gives, so nothing
    --  else is ever touched); returns how many files it removed.
    function backend.sweep()
        local list = fs.list(tmp, _M.SWEEP_LIMIT)
        if not list then return 0 end
        local now, removed = os_time(), 0
        for _, e in ipairs(list) do
            local age = now - e.mtime
            if e.kind ~= "directory" and e.name:match("^%x+%.entry%.%d+%-%d+%-%d+%.tmp$")
                and (age > _M.TEMP_MAX_AGE or age < -_M.CLOCK_SKEW) and fs.remove(tmp, e.name) then
                removed = removed + 1
            end
        end
        return removed
    end

    function backend.set(key, text)
        if #text > max_entry then
            return nil, format("entry of %d bytes over the cap (max_entry %d)", #text, max_entry)
        end
        if not ready then
            local ok, err = fs.ensure_private_dir(dir)
            if not ok then return nil, err end
            ready = true
        end
        local replaced, err = fs.write_atomic(dir, key .. ".entry", text, "tmp")
        if not replaced then
            ready = false -- the directory may have been removed: the next write makes it again
            return nil, err
        end
        backend.sweep()
        if max_size then
            writes = writes + 1
            if total then total = total + #text - replaced end
            if not total or total > max_size or writes >= _M.RESCAN_WRITES then enforce(key .. ".entry") end
        end
        return true
    end

    backend.sweep()
    return backend
end

--- xingtu.cache.file(dir, opts) -> backend: one file `<dir>/<key>.entry` per entry, atomic replacement by rename.
--  opts.max_entry: the largest entry read or written, in bytes (default DEFAULT_MAX_BODY + HEADER_ALLOWANCE).
--  opts.max_size: the most bytes the entries may take together (default: no cap); the oldest go first.
--  Raises when dir exists and is not safe to use (see the top of this file).
function _M.file(dir, opts)
    return open_file(dir, opts, "xingtu.cache.file")
end

local function upkeep_dir(dir, who)
    if type(dir) ~= "string" or dir == "" or dir:find("%z") then
        optschema.raise(who .. ": dir must be a non-empty string without NUL bytes, got " .. optschema.describe(dir))
    end
    dir = dir:gsub("/+$", "")
    return dir == "" and "/" or dir
end

--- xingtu.cache.disk_stats(dir) -> { dir, entries, bytes, oldest, newest, temp_files, temp_bytes } (oldest and
--  newest: modification times in seconds, nil when empty), or nil and why (an unsafe directory: the reason).
function _M.disk_stats(dir)
    dir = upkeep_dir(dir, "xingtu.cache.disk_stats")
    local why = _M.unsafe_dir(dir)
    if why then return nil, why end
    local fs = json().fs
    local list, bytes = entries_of(fs, dir)
    if not list then return nil, bytes end
    local out = { dir = dir, entries = #list, bytes = bytes, temp_files = 0, temp_bytes = 0 }
    if #list > 0 then out.oldest, out.newest = list[1].mtime, list[#list].mtime end
    local tmp = fs.list((dir == "/" and "" or dir) .. "/tmp")
    for _, e in ipairs(tmp or {}) do
        if e.kind == "file" then out.temp_files, out.temp_bytes = out.temp_files + 1, out.temp_bytes + e.size end
    end
    return out
end

local PRUNE_OPTIONS = optschema.schema("xingtu.cache.prune", {
    { "older_than", "number", min = 0, max = 2 ^ 53, unit = "seconds" },
    MAX_SIZE,
    { "dry_run", "boolean", default = false },
    { "now", "function", default = os_time },
})

--- xingtu.cache.prune(dir, opts) -> { removed, freed, entries, bytes } (what is left), or nil and why. Removes the
--  entries stored more than opts.older_than seconds ago, then the oldest until the rest take at most opts.max_size
--  bytes, and what killed writers left in <dir>/tmp. opts.dry_run: count what would go, remove nothing.
function _M.prune(dir, opts)
    dir = upkeep_dir(dir, "xingtu.cache.prune")
    local o = PRUNE_OPTIONS:check(opts or {})
    local why = _M.unsafe_dir(dir)
    if why then return nil, why end
    local fs = json().fs
    local list, bytes = entries_of(fs, dir)
    if not list then return nil, bytes end
    local removed, freed, left = 0, 0, #list
    if o.older_than then
        local cutoff = (o.now or os_time)() - o.older_than
        for _, e in ipairs(list) do
            if e.mtime >= cutoff then break end
            if o.dry_run or fs.remove(dir, e.name) then removed, freed = removed + 1, freed + e.size end
            e.removed = true
            bytes = bytes - e.size
        end
    end
    if o.max_size and bytes > o.max_size then
        local rest = {}
        for _, e in ipairs(list) do if not e.removed then rest[#rest + 1] = e end end
        local r, f
        r, f, bytes = evict(fs, dir, rest, bytes, o.max_size, nil, o.dry_run)
        removed, freed = removed + r, freed + f
    end
    for _, e in ipairs(list) do if e.removed then left = left - 1 end end
    if not o.dry_run and fs.check_dir(dir) then _M.file(dir).sweep() end
    return { dir = dir, removed = removed, freed = freed, entries = left, bytes = bytes, dry_run = o.dry_run }
end

-- The nginx backend's module, loaded only when asked for (it needs ngx).
function _M.shdict() return require "xingtu.cache.shdict" end
--- xingtu.cache.shared_dict(name_or_dict, opts) -> backend: an nginx lua_shared_dict (lua/xingtu/cache/shdict.lua).
function _M.shared_dict(dict, opts) return _M.shdict().new(dict, opts) end
--- xingtu.cache.shared_lock(name_or_dict, opts) -> a lock over an nginx lua_shared_dict for xingtu.new's `lock`: one
--  worker of an nginx sends per answer (lua/xingtu/cache/shdict.lua).
function _M.shared_lock(dict, opts) return _M.shdict().lock(dict, opts) end

--- xingtu.cache.memory() -> backend: entries in a Lua table (backend.entries), for tests and short scripts.
function _M.memory()
    local entries = {}
    return {
        entries = entries,
        get = function(key) return entries[key] end,
        set = function(key, text) entries[key] = text return true end,
    }
end

--- The default directory: $XDG_CACHE_HOME/xingtu, else $HOME/.cache/xingtu.
function _M.default_dir()
    local xdg = os.getenv("XDG_CACHE_HOME")
    if xdg and xdg ~= "" then return xdg .. "/xingtu" end
    local home = os.getenv("HOME")
    if home and home ~= "" then return home .. "/.cache/xingtu" end
    return nil
end

---------------------------------------------------------------------------------------------------------------------
-- Keys.

--- The key text of a call ({ endpoint, query } or a call that carries its request's key) for an account
--  (xingtu.cache.account): the request's normalised key (lua/xingtu/request.lua: the endpoint, its parameters sorted
--  with the catalogue's defaults filled in), then the account. No base URL, no token.
function _M.key_text(call, account)
    return (call.key or request.key(call.endpoint, call.query or {})) .. " account=" .. (account or "-")
end

local ACCOUNT_PREFIX = "xingtu.cache account fingerprint\n"

--- xingtu.cache.account(token) -> the account's fingerprint: 16 hex digits of SHA-256 (one-way: the token cannot
--  be had back from it).
function _M.account(token)
    return json().sha256(ACCOUNT_PREFIX .. token):sub(1, 16)
end

---------------------------------------------------------------------------------------------------------------------
-- The cache object.

local Cache = {}
Cache.__index = Cache
_M.Cache = Cache

local function is_backend(v)
    if type(v) == "table" and type(v.get) == "function" and type(v.set) == "function" then return v end
    return nil
end

local OPTIONS = optschema.schema("xingtu.cache.new", {
    { "dir", "string" },
    { "backend", "custom", check = is_backend, expect = "a table with get(key) and set(key, text) functions" },
    { "ttl", "number", min = 0, max = _M.MAX_TTL, unit = "seconds", default = _M.DEFAULT_TTL },
    { "offline", "boolean", default = false },
    { "now", "function", default = os_time },
    { "hash", "function" },
    MAX_ENTRY,
    MAX_SIZE,
})
_M.OPTIONS = OPTIONS

-- The cache for xingtu.cache.new and for a client's options (checked: OPTIONS); `who` names the caller in errors.
local function make(o, who)
    local backend = o.backend
    if backend == nil then
        local dir = o.dir or _M.default_dir()
        if not dir then optschema.raise(who .. ": no directory: set dir, $XDG_CACHE_HOME or $HOME") end
        backend = open_file(dir, { max_entry = o.max_entry, max_size = o.max_size }, who)
    elseif o.dir ~= nil or o.max_size ~= nil then
        optschema.raise(who .. ": give dir (and max_size) or backend, not both")
    end
    return setmetatable({
        backend = backend,
        dir = backend.dir,
        ttl = o.ttl,
        offline = o.offline == true,
        now = o.now or os_time,
        hash = o.hash or hash,
        last_error = nil, -- why the backend last refused an entry or a write (a message naming the path)
        counts = { hits = 0, misses = 0, stores = 0, corrupt = 0, expired = 0, refused = 0, write_errors = 0 },
    }, Cache)
end

--- xingtu.cache.new(opts) -> cache. opts: dir (a directory: the file backend) or backend (any { get, set }),
--  ttl (seconds, default 86400), offline (boolean), now (a clock in seconds, default os.time), hash (text -> name),
--  max_entry (the file backend's cap on an entry, bytes), max_size (the file backend's cap on all entries, bytes).
function _M.new(opts)
    return make(OPTIONS:check(opts), "xingtu.cache.new")
end

local function entry_text(self, key_text, endpoint, body, status)
    local header = json().encode({
        v = _M.ENTRY_VERSION,
        key = key_text,
        endpoint = endpoint,
        stored = self.now(),
        size = #body,
        sum = hash(body),
        status = status or 200,
    }, { sort_keys = true })
    return header .. "\n" .. body
end

-- Parses an entry; returns header, body text, or nil and why.
local function parse_entry(text, key_text)
    if type(text) ~= "string" then return nil, "missing" end
    local nl = text:find("\n", 1, true)
    if not nl then return nil, "corrupt" end
    local header = json().decode(text:sub(1, nl - 1))
    if type(header) ~= "table" or header.v ~= _M.ENTRY_VERSION or type(header.size) ~= "number"
        or type(header.stored) ~= "number" or type(header.sum) ~= "string" then
        return nil, "corrupt"
    end
    if header.key ~= key_text then return nil, "collision" end
    local body = text:sub(nl + 1)
    if #body ~= header.size or hash(body) ~= header.sum then return nil, "corrupt" end
    return header, body
end

--- cache:lookup(key_text) -> data-envelope (decoded body), header; or nil and a reason
--  ("missing", "refused", "corrupt", "collision", "expired"). `stale_ok` skips the freshness checks.
function Cache:lookup(key_text, stale_ok)
    local name = self.hash(key_text)
    local ok, text, why = pcall(self.backend.get, name)
    if not ok then return nil, "missing" end
    if text == nil and why ~= nil then
        self.last_error = tostring(why)
        return nil, "refused"
    end
    local header, body = parse_entry(text, key_text)
    if not header then return nil, body end
    local age = self.now() - header.stored
    -- Dated ahead by more than a clock's plausible error: stale, or it would stay fresh until the date comes.
    if not stale_ok and (age >= self.ttl or age < -_M.CLOCK_SKEW) then return nil, "expired" end
    if age < 0 then age = 0 end
    local envelope = json().decode(body)
    if type(envelope) ~= "table" or envelope.code ~= 0 then return nil, "corrupt" end
    header.age = age
    return envelope, header
end

--- cache:store(key_text, endpoint, body_text, status): writes an entry; failures are counted, never raised.
function Cache:store(key_text, endpoint, body, status)
    local ok, stored, err = pcall(self.backend.set, self.hash(key_text), entry_text(self, key_text, endpoint, body,
        status))
    if ok and stored then
        self.counts.stores = self.counts.stores + 1
        return true
    end
    self.counts.write_errors = self.counts.write_errors + 1
    self.last_error = tostring(ok and err or stored)
    return nil, self.last_error
end

--- cache:stats() -> { hits, misses, stores, corrupt, expired, refused, write_errors }.
function Cache:stats()
    local out = {}
    for k, v in pairs(self.counts) do out[k] = v end
    return out
end

---------------------------------------------------------------------------------------------------------------------
-- The call pipeline's side of the cache (lua/xingtu/pipeline.lua documents the contract: fetch, keep, offline).

--- cache:fetch(key_text, endpoint) -> data, meta for a kept answer (meta: code, message, request_id, record_time,
--  http_status, cached = true, age, stored, attempts = 0, elapsed = 0; the provider's strings as kept); or nil and
--  why not ("missing", "refused", "corrupt", "collision", "expired", "not a success"). Counts hits and misses.
function Cache:fetch(key_text, endpoint)
    local envelope, header = self:lookup(key_text, self.offline)
    if not envelope then
        local why = header
        if why == "corrupt" or why == "expired" or why == "refused" then self.counts[why] = self.counts[why] + 1 end
        self.counts.misses = self.counts.misses + 1
        return nil, why
    end
    local status = header.status or 200
    local data, meta = errors.classify({ status = status, body = envelope }, endpoint)
    if data == nil and errors.is_error(meta) then
        self.counts.misses = self.counts.misses + 1
        return nil, "not a success"
    end
    self.counts.hits = self.counts.hits + 1
    meta.cached = true
    meta.age = header.age
    meta.stored = header.stored
    meta.attempts = 0
    meta.elapsed = 0
    meta.http_status = status
    return data, meta
end

--- cache:why_refused() -> why the backend last refused an entry or a write (a message naming the path), or nil.
function Cache:why_refused()
    return self.last_error
end

--- cache:keep(key_text, endpoint, body_text, status): keeps a successful answer (the pipeline has masked the token
--  in it); a failed write is counted (write_errors, last_error), never raised.
function Cache:keep(key_text, endpoint, body, status)
    self:store(key_text, endpoint, body, status)
end

--- Whether `spec` is a value of xingtu.new's `cache` option: true, false, a directory, a cache object, or in nginx
--  { shared_dict = "<name>" } (or ngx.shared.<name>). Returns it, or nil.
function _M.accepts(spec)
    if spec == true or spec == false or getmetatable(spec) == Cache then return spec end
    if type(spec) == "string" then return optschema.value_ok(OPTIONS:rule("dir"), spec) end
    if type(spec) == "table" and _M.shdict().is_spec(spec) then return spec end
    return nil
end

--- Builds the cache of a client from its checked options (cache, cache_ttl, offline, max_body: see xingtu.new's
--  schema; max_body sets the cap on an entry). Returns nil when the cache is off. Raises on misuse, and on a
--  directory that exists and is not safe to use, at the caller's line.
function _M.from_options(o)
    local spec, offline, ttl = o.cache, o.offline, o.cache_ttl
    if spec == nil and offline then spec = true end
    if spec == nil or spec == false then
        if offline then optschema.raise("xingtu.new: offline = true needs the cache (cache = false was given)") end
        return nil
    end
    if getmetatable(spec) == Cache then
        if ttl ~= nil then spec.ttl = ttl end
        if offline ~= nil then spec.offline = offline end
        return spec
    end
    if _M.shdict().is_spec(spec) then -- nginx: cache = { shared_dict = "<name>" } or ngx.shared.<name>
        return _M.new { backend = _M.shdict().new(spec), ttl = ttl, offline = offline }
    end
    local dir = spec
    if spec == true then
        dir = _M.default_dir()
        if not dir then
            optschema.raise("xingtu.new: cache = true needs $XDG_CACHE_HOME or $HOME; pass cache = \"<dir>\"")
        end
    end
    local max_body = o.max_body or _M.DEFAULT_MAX_BODY
    return make({ dir = dir, ttl = ttl or _M.DEFAULT_TTL, offline = offline,
        max_entry = max_body + _M.HEADER_ALLOWANCE }, "xingtu.new")
end

return _M
