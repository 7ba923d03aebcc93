-- A response-cache backend of one new file: entries in memory, at most `capacity` of them, the least recently used
-- one dropped to make room. It implements the backend contract of lua/xingtu/cache.lua (get(key) -> text or nil,
-- set(key, text) -> true, replaced whole) and plugs into xingtu.cache.new{ backend = ... } with no edit to the cache
-- or the pipeline. Spec-only (spec/cache_spec.lua); pure Lua, Lua 5.4 and LuaJIT.
--
--   local lru = require("helpers.lru_backend").new(100)
--   local client = xingtu.new { cache = xingtu.cache.new { backend = lru } }
--   lru.evicted   -- how many entries made room for others

local _M = {}

function _M.new(capacity)
    local entries, order = {}, {} -- order: keys, least recently used first
    local backend = { evicted = 0, gets = 0, sets = 0 }

    local function touch(key)
        for i, k in ipairs(order) do
            if k == key then
                table.remove(order, i)
                break
            end
        end
        order[#order + 1] = key
    end

    function backend.get(key)
        backend.gets = backend.gets + 1
        local text = entries[key]
        if text ~= nil then touch(key) end
        return text
    end

    function backend.set(key, text)
        backend.sets = backend.sets + 1
        if entries[key] == nil and #order >= capacity then
            entries[table.remove(order, 1)] = nil
            backend.evicted = backend.evicted + 1
        end
        entries[key] = text
        touch(key)
        return true
    end

    function backend.count() return #order end

    return backend
end

return _M
