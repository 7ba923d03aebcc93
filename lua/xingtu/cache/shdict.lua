-- A response-cache backend on an nginx lua_shared_dict: one cache for every worker of an nginx, in shared memory.
--
--   lua_shared_dict xingtu_cache 50m;                                  # nginx.conf, http block
--
--   xingtu.new{ cache = { shared_dict = "xingtu_cache" }, cache_ttl = 3600 }
--   xingtu.new{ cache = ngx.shared.xingtu_cache }                     -- the dict itself works too
--   xingtu.cache.new{ backend = xingtu.cache.shared_dict("xingtu_cache", { exptime = 86400 }) }
--
-- The backend interface of lua/xingtu/cache.lua: get(key) -> text | nil, set(key, text) -> true | nil, message.
-- dict:set replaces an entry atomically, so workers never see half an entry. When the dict is full nginx evicts the
-- least recently used entries (a write that still does not fit is reported as a failed write: the call itself
-- succeeds, it is just not cached). Freshness is the cache's business (cache_ttl, checked on every read, and
-- `offline` serves stale entries), so entries do not expire in the dict unless `exptime` (seconds) is given.
-- Keys are prefixed ("xingtu:" unless `prefix` says otherwise), so the dict may be shared with other code.
--
-- The same module makes the lock of lua/xingtu/pipeline.lua's contract over a dict, for the workers of one nginx:
--
--   lua_shared_dict xingtu_locks 1m;
--   xingtu.new{ cache = { shared_dict = "xingtu_cache" }, lock = xingtu.cache.shdict.lock("xingtu_locks") }
--
-- One worker sends per answer, the others wait for the answer in the cache. acquire is dict:add with an exptime (the
-- pipeline's ttl, which outlasts the whole call): a worker killed while it holds a lock blocks the others for that
-- long at most, never for ever. The value is an owner id (worker pid and a counter), and release deletes only the
-- entry that still holds the caller's id; no shared-dict call yields, so nothing of this worker runs between the
-- read and the delete (another worker could only add the key again after it expired: release then leaves a lock
-- that has less than 10 ms left alone).

-- luacheck: read globals ngx

local _M = { _VERSION = require("xingtu.core").VERSION }

local type, tostring, pairs, error, format = type, tostring, pairs, error, string.format
local setmetatable = setmetatable

local function shared()
    local n = rawget(_G, "ngx")
    return type(n) == "table" and type(n.shared) == "table" and n.shared or nil
end

-- The name of a dict object (a value of ngx.shared), or nil.
local function name_of(dict)
    local all = shared()
    if not all or type(dict) ~= "table" then return nil end
    for name, d in pairs(all) do
        if rawequal(d, dict) then return name end
    end
    return nil
end

--- True when `spec` asks for a shared-dict cache: { shared_dict = "<name>" } or a value of ngx.shared.
function _M.is_spec(spec)
    if type(spec) ~= "table" then return false end
    if spec.shared_dict ~= nil then return true end
    return name_of(spec) ~= nil
end

--- new(dict_or_name, opts) -> backend. dict_or_name: a lua_shared_dict's name, { shared_dict = name } or the dict.
--  opts: exptime (seconds an entry may stay in the dict; default: until evicted), prefix (default "xingtu:").
function _M.new(dict, opts)
    opts = opts or {}
    if type(dict) == "table" and dict.shared_dict ~= nil and not name_of(dict) then dict = dict.shared_dict end
    local all = shared()
    if not all then error("xingtu.cache: a shared_dict cache needs nginx's Lua module (ngx.shared)", 2) end
    local name
    if type(dict) == "string" then
        name = dict
        dict = all[name]
        if dict == nil then
            error(format("xingtu.cache: no lua_shared_dict named %q: add `lua_shared_dict %s 50m;` to nginx.conf",
                name, name), 2)
        end
    else
        name = name_of(dict)
        if not name then error("xingtu.cache: expected a lua_shared_dict (ngx.shared.<name>) or its name", 2) end
    end
    local exptime = opts.exptime or 0
    if type(exptime) ~= "number" or exptime < 0 then error("xingtu.cache: exptime must be a number >= 0", 2) end
    local prefix = opts.prefix or "xingtu:"
    if type(prefix) ~= "string" then error("xingtu.cache: prefix must be a string", 2) end

    local backend = { shared_dict = name }
    function backend.get(key)
        local text = dict:get(prefix .. key)
        if type(text) ~= "string" then return nil end
        return text
    end
    function backend.set(key, text)
        local ok, err = dict:set(prefix .. key, text, exptime)
        if not ok then return nil, format("lua_shared_dict %s: %s", name, tostring(err)) end
        return true
    end
    return backend
end

local function dict_of(dict, where)
    if type(dict) == "table" and dict.shared_dict ~= nil and not name_of(dict) then dict = dict.shared_dict end
    local all = shared()
    if not all then error(where .. " needs nginx's Lua module (ngx.shared)", 3) end
    if type(dict) == "string" then
        local d = all[dict]
        if d == nil then
            error(format("%s: no lua_shared_dict named %q: add `lua_shared_dict %s 1m;` to nginx.conf", where, dict,
                dict), 3)
        end
        return d, dict
    end
    local name = name_of(dict)
    if not name then error(where .. ": expected a lua_shared_dict (ngx.shared.<name>) or its name", 3) end
    return dict, name
end

local Lock = {}
Lock.__index = Lock

local serial = 0

--- lock(dict_or_name, opts) -> a lock for the pipeline's `lock` option. opts: ttl (the least ttl in seconds: the
--  pipeline passes at least the whole call's length), poll (seconds a waiter waits before it asks again; 0.05),
--  prefix (default "xingtu:lock:").
function _M.lock(dict, opts)
    opts = opts or {}
    local d, name = dict_of(dict, "xingtu.cache.shdict.lock")
    local poll = opts.poll or 0.05
    if type(poll) ~= "number" or not (poll > 0 and poll <= 60) then
        error("xingtu.cache.shdict.lock: poll must be a number of seconds from 0 to 60", 2)
    end
    if opts.ttl ~= nil and (type(opts.ttl) ~= "number" or not (opts.ttl > 0 and opts.ttl <= 86400)) then
        error("xingtu.cache.shdict.lock: ttl must be a number of seconds from 0 to 86400", 2)
    end
    local prefix = opts.prefix or "xingtu:lock:"
    if type(prefix) ~= "string" then error("xingtu.cache.shdict.lock: prefix must be a string", 2) end
    return setmetatable({ dict = d, shared_dict = name, poll = poll, ttl = opts.ttl, prefix = prefix }, Lock)
end

function Lock:acquire(key, ttl)
    serial = serial + 1
    local worker = rawget(_G, "ngx") and ngx.worker and ngx.worker.pid and ngx.worker.pid() or 0
    local owner = format("%d:%d:%.6f", worker, serial, ngx.now())
    local k = self.prefix .. key
    local ok, err = self.dict:add(k, owner, ttl or self.ttl or 60)
    if ok then return { key = k, owner = owner } end
    if err == "exists" then return false, self.poll end
    return nil, format("lua_shared_dict %s: %s", self.shared_dict, tostring(err))
end

function Lock:release(handle)
    local d = self.dict
    if d:get(handle.key) ~= handle.owner then return nil, "not held by this caller any more (expired)" end
    local left = d.ttl and d:ttl(handle.key)
    if left and left > 0 and left < 0.01 then return true end
    d:delete(handle.key)
    return true
end

return _M