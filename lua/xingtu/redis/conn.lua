--- One Redis connection for xingtu's fleet objects (cache backend, lock, pace, budget), in either environment:
--
--   Lua 5.4 (and 5.1-5.3): Debian's lua-redis (`redis`, over LuaSocket). Debian installs it for 5.1-5.3 only; the
--   file is plain Lua that loads and works under 5.4, so /usr/share/lua/5.3 is searched when `redis` is not found.
--   nginx: the cosocket client resty.redis (OpenResty's, or Debian's lua-nginx-redis, which names it nginx.redis).
--
--   conn.new{ host = "127.0.0.1", port = 6379, db = 0, password = nil, timeout = 0.2, prefix = "xingtu:" }
--   conn.new{ redis = <a connected lua-redis client or resty.redis object>, prefix = ... }
--
-- conn:call(command, ...) -> reply | nil, message   never raises, never waits longer than `timeout` per step.
-- With options, the connection is made on first use and again after any failure; after a failure to connect no
-- new attempt is made for `retry_after` seconds (default 1), so a Redis that is down costs one timeout a second,
-- not one per call. In nginx every call takes a connection from the cosocket pool (set_keepalive), since a cosocket
-- cannot outlive the request that opened it. A given connection is used as it is and never closed here.
-- A Redis error reply (a script's error) is a failure like any other: the caller fails open or closed as it says.
-- No Lua 5.4-only syntax: this loads under LuaJIT (nginx).

-- luacheck: read globals ngx

local _M = { _VERSION = require("xingtu.core").VERSION }
local mt = { __index = _M }

local type, tostring, pcall, error, ipairs = type, tostring, pcall, error, ipairs
local setmetatable, getmetatable, rawget = setmetatable, getmetatable, rawget
local format, lower = string.format, string.lower
local unpack = table.unpack or unpack -- luacheck: ignore 143

local function in_nginx()
    local n = rawget(_G, "ngx")
    return type(n) == "table" and type(n.socket) == "table" and type(n.socket.tcp) == "function"
        and ngx.get_phase and ngx.get_phase() ~= "init"
end

local plain -- the lua-redis module
local function plain_redis()
    if plain then return plain end
    local ok, m = pcall(require, "redis")
    if not ok then
        local saved = package.path
        package.path = saved .. ";/usr/share/lua/5.3/?.lua"
        ok, m = pcall(require, "redis")
        package.path = saved
    end
    if not ok then return nil, "lua-redis is not installed (Debian: apt-get install lua-redis lua-socket)" end
    plain = m
    return m
end

local resty
local function resty_redis()
    if resty then return resty end
    for _, name in ipairs({ "resty.redis", "nginx.redis" }) do
        local ok, m = pcall(require, name)
        if ok then resty = m; return m end
    end
    return nil, "no resty.redis in nginx (Debian: lua-nginx-redis, and lua_package_path "
        .. "\"/usr/share/lua/5.1/?.lua;;\")"
end

local function check(o, name, kind, default)
    local v = o[name]
    if v == nil then return default end
    if type(v) ~= kind then
        error(format("xingtu.redis: %s must be a %s, got %s", name, kind, type(v)), 4)
    end
    return v
end

--- new(opts) -> conn; raises on bad options (naming the option), never touches the network.
function _M.new(opts)
    if opts == nil then opts = {} end
    if type(opts) ~= "table" then error("xingtu.redis: expected a table of options { host, port, db, password, "
        .. "timeout, prefix } or { redis = <connection> }", 3) end
    if getmetatable(opts) == mt then return opts end
    local self = {
        host = check(opts, "host", "string", "127.0.0.1"),
        port = check(opts, "port", "number", 6379),
        db = check(opts, "db", "number", 0),
        password = check(opts, "password", "string", nil),
        timeout = check(opts, "timeout", "number", 0.2),
        retry_after = check(opts, "retry_after", "number", 1),
        prefix = check(opts, "prefix", "string", "xingtu:"),
        given = opts.redis,
        down_until = 0,
    }
    if self.timeout <= 0 then error("xingtu.redis: timeout must be a number of seconds > 0", 3) end
    if self.given ~= nil and type(self.given) ~= "table" then
        error("xingtu.redis: redis must be a connected lua-redis client or resty.redis object", 3)
    end
    return setmetatable(self, mt)
end

local function now()
    if in_nginx() then return ngx.now() end
    local ok, socket = pcall(require, "socket")
    if ok then return socket.gettime() end
    return os.time()
end

-- A resty.redis object: res, err (res false on an error reply, ngx.null for nil).
local function resty_call(red, command, ...)
    local f = red[lower(command)]
    if not f then return nil, "unknown command " .. command end
    local res, err = f(red, ...)
    if res == nil or res == false and err then return nil, err or "no reply", true end
    if res == ngx.null then return nil end
    return res
end

function _M:call_nginx(command, ...)
    local m, why = resty_redis()
    if not m then return nil, why end
    local red = m:new()
    red:set_timeout(self.timeout * 1000)
    local ok, err = red:connect(self.host, self.port)
    if not ok then return nil, "connect: " .. tostring(err), true end
    if red:get_reused_times() == 0 then
        if self.password then
            ok, err = red:auth(self.password)
            if not ok then red:close(); return nil, "auth: " .. tostring(err) end
        end
        if self.db ~= 0 then
            ok, err = red:select(self.db)
            if not ok then red:close(); return nil, "select: " .. tostring(err) end
        end
    end
    local res, cerr, broken = resty_call(red, command, ...)
    if cerr and broken ~= nil and (cerr == "timeout" or cerr == "closed" or cerr:find("^connect")) then
        red:close()
    else
        red:set_keepalive(10000, 64)
    end
    return res, cerr
end

function _M:connect()
    local m, why = plain_redis()
    if not m then return nil, why end
    local ok, client = pcall(m.connect, { host = self.host, port = self.port, timeout = self.timeout })
    if not ok then return nil, tostring(client) end
    if self.password then
        local aok, aerr = pcall(client.auth, client, self.password)
        if not aok then pcall(client.quit, client); return nil, "auth: " .. tostring(aerr) end
    end
    if self.db ~= 0 then
        local sok, serr = pcall(client.select, client, self.db)
        if not sok then pcall(client.quit, client); return nil, "select: " .. tostring(serr) end
    end
    return client
end

local function plain_call(client, command, ...)
    local f = client[lower(command)]
    if not f then return false, "unknown command " .. command end
    return pcall(f, client, ...)
end

--- conn:call(command, ...) -> reply | nil (a nil reply) | nil, message.
function _M:call(command, ...)
    if self.given then
        local c = self.given
        if type(c.set_keepalive) == "function" then return resty_call(c, command, ...) end
        local ok, res = plain_call(c, command, ...)
        if not ok then return nil, tostring(res) end
        return res
    end
    if in_nginx() then return self:call_nginx(command, ...) end
    if not self.client then
        if now() < self.down_until then return nil, "redis unreachable (retrying later)" end
        local client, err = self:connect()
        if not client then
            self.down_until = now() + self.retry_after
            return nil, err
        end
        self.client = client
    end
    local ok, res = plain_call(self.client, command, ...)
    if not ok then
        local msg = tostring(res)
        if not msg:find("redis error:", 1, true) then
            -- A timeout or a lost connection leaves a reply in flight: never read it as the next command's.
            local c = self.client
            self.client = nil
            pcall(function() c.network.socket:close() end)
        end
        return nil, msg
    end
    return res
end

--- conn:eval(script, keys, args) -> reply | nil, message
function _M:eval(script, keys, args)
    local n = #keys
    local all = {}
    for i = 1, n do all[i] = keys[i] end
    for i = 1, #args do all[n + i] = args[i] end
    return self:call("eval", script, n, unpack(all, 1, n + #args))
end

function _M:close()
    if self.client then
        local c = self.client
        self.client = nil
        pcall(c.quit, c)
    end
end

return _M
