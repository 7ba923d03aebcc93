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

-- luacheck: read globals ngx

local _M = { _VERSION = require("xingtu.core").VERSION }

local type, tostring, pairs, error, format = type, tostring, pairs, error, string.format

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

return _M
