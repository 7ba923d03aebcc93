-- Specs for the libcurl transport of xingtu.core: core.session and core.multi.
-- Run from the repository root after building: lua5.4 /usr/bin/busted spec/core_http_spec.lua
-- Everything runs against servers this file starts on 127.0.0.1 and stops again (by pid) in teardown:
-- an nginx with a temporary prefix (plus a TLS server with a throwaway self-signed certificate) and a tiny
-- Python server for the faults nginx cannot produce (truncated bodies, resets, odd headers).

local core = require "xingtu.core"
local socket = require "socket"
local util = require "helpers.util"

local function wait_port(port)
  for _ = 1, 200 do
    local c = socket.tcp()
    c:settimeout(0.2)
    local ok = c:connect("127.0.0.1", port)
    c:close()
    if ok then return true end
    socket.sleep(0.025)
  end
  error("server on port " .. port .. " did not come up")
end

local function pid_alive(pid)
  return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true
end

local function stop_pid(pid)
  if not pid then return end
  os.execute("kill -TERM " .. pid .. " 2>/dev/null")
  for _ = 1, 200 do
    if not pid_alive(pid) then return end
    socket.sleep(0.025)
  end
  os.execute("kill -KILL " .. pid .. " 2>/dev/null")
end

local NGINX_CONF = [[
daemon on;
master_process on;
worker_processes 1;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path @DIR@/tmp/body;
  proxy_temp_path @DIR@/tmp/proxy;
  fastcgi_temp_path @DIR@/tmp/fastcgi;
  uwsgi_temp_path @DIR@/tmp/uwsgi;
  scgi_temp_path @DIR@/tmp/scgi;
  default_type application/json;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:@PORT@;
    @SERVER@
  }
  server {
    listen 127.0.0.1:@TLSPORT@ ssl http2;
    ssl_certificate @DIR@/cert.pem;
    ssl_certificate_key @DIR@/key.pem;
    @SERVER@
  }
}
]]

local NGINX_SERVER = [[
    root @DIR@/www;
    location = /json {
      add_header X-Request-Id req-123;
      return 200 '{"code":0,"message":"ok","data":{"list":[1,2,3],"name":"xingtu"}}';
    }
    location = /status/404 { return 404 '{"code":404,"message":"not found"}'; }
    location = /status/500 { return 500 '{"code":500,"message":"boom"}'; }
    location = /status/429 {
      add_header RETRY-AFTER "7" always;
      return 429 '{"code":429,"message":"slow down"}';
    }
    location = /html { default_type text/html; return 200 '<html><body>Bad gateway</body></html>'; }
    location = /whoami { return 200 '{"ua":"$http_user_agent","host":"$http_host","line":"$request"}'; }
    location = /empty { return 204; }
    location = /slow { echo_sleep 2; echo '{"slow":true}'; }
    location = /sleep1 { echo_sleep 0.3; echo '{"slept":true}'; }
    location = /sleep2 { echo_sleep 2; echo '{"slept":true}'; }
    location = /redirect { return 302 http://127.0.0.1:@PORT@/json; }
    location = /chunked { echo_duplicate 20000 '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",'; }
    location = /longheader { add_header X-Request-Id @LONG@; return 200 '{}'; }
    location /gz/ { gzip_static always; }
    location /files/ { }
]]

local PY_SERVER = [[
import socket, struct, sys, threading, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(64)
def handle(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        data += d
    path = data.split(b" ")[1]
    if path.startswith(b"/partial"):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
        time.sleep(0.1)
        c.close()
    elif path.startswith(b"/reset"):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
        time.sleep(0.1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    elif path.startswith(b"/liar"):
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30000000\r\n\r\n[1,2]")
        time.sleep(0.1)
        c.close()
    elif path.startswith(b"/nothing"):
        c.close()
    elif path.startswith(b"/headers"):
        body = b'{"ok":true}'
        c.sendall(b"HTTP/1.1 103 Early Hints\r\nX-Request-Id: early\r\nRetry-After: 99\r\n\r\n"
                  b"HTTP/1.1 503 Service Unavailable\r\nrEtRy-AfTeR: \t 30  \r\nX-REQUEST-ID:abc-1\r\n"
                  b"Content-Type:  application/json; charset=utf-8\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        time.sleep(0.2)
        c.close()
    else:
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
]]

local srv = {}

local function start_servers()
  srv.dir = util.run("mktemp -d /tmp/xt-http-spec.XXXXXX"):gsub("%s+$", "")
  local dir = srv.dir
  assert(os.execute("chmod 755 " .. dir))   -- nginx workers run as nobody
  assert(os.execute("mkdir -p " .. dir .. "/tmp " .. dir .. "/www/gz " .. dir .. "/www/files"))
  srv.port, srv.tlsport, srv.pyport = util.free_port(), util.free_port(), util.free_port()
  srv.base = "http://127.0.0.1:" .. srv.port
  srv.tlsbase = "https://127.0.0.1:" .. srv.tlsport
  srv.pybase = "http://127.0.0.1:" .. srv.pyport

  -- fixtures: a gzip-only JSON file, a 100 KB JSON file, a throwaway self-signed certificate for 127.0.0.1
  local items = {}
  for i = 1, 2000 do items[i] = string.format('{"id":%d,"name":"item %d"}', i, i) end
  srv.gz_json = "[" .. table.concat(items, ",") .. "]"
  util.write_file(dir .. "/www/gz/data.json", srv.gz_json)
  assert(os.execute("gzip -9 " .. dir .. "/www/gz/data.json"))   -- leaves only data.json.gz
  util.write_file(dir .. "/www/files/big.json", '"' .. string.rep("a", 100000) .. '"')
  util.write_file(dir .. "/www/files/huge.json", '"' .. string.rep("b", 3000000) .. '"')   -- over 1 MiB
  assert(os.execute("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
    .. " -addext subjectAltName=IP:127.0.0.1 -keyout " .. dir .. "/key.pem -out " .. dir
    .. "/cert.pem >/dev/null 2>&1"))

  local server = NGINX_SERVER:gsub("@LONG@", string.rep("r", 400))
  local conf = NGINX_CONF:gsub("@SERVER@", function() return server end)
  conf = conf:gsub("@DIR@", dir):gsub("@TLSPORT@", tostring(srv.tlsport)):gsub("@PORT@", tostring(srv.port))
  util.write_file(dir .. "/nginx.conf", conf)
  assert(os.execute("nginx -p " .. dir .. " -c " .. dir .. "/nginx.conf"), util.run("cat " .. dir .. "/error.log"))
  wait_port(srv.port)
  srv.nginx_pid = util.run("cat " .. dir .. "/nginx.pid"):match("%d+")

  util.write_file(dir .. "/fault.py", PY_SERVER)
  srv.py_pid = util.run("python3 " .. dir .. "/fault.py " .. srv.pyport .. " >" .. dir .. "/fault.log 2>&1 & echo $!")
    :match("%d+")
  wait_port(srv.pyport)
end

local function stop_servers()
  stop_pid(srv.py_pid)
  stop_pid(srv.nginx_pid)   -- the master takes its worker with it
  if srv.dir and srv.dir:match("^/tmp/xt%-http%-spec%.") then os.execute("rm -rf " .. srv.dir) end
end

describe("xingtu.core", function()
  setup(start_servers)
  teardown(stop_servers)

  describe("session", function()
    describe("core.session()", function()
      it("accepts no options and every documented option", function()
        assert.is_userdata(core.session())
        assert.is_userdata(core.session{
          timeout = 60, connect_timeout = 10, user_agent = "test/1", ca_file = "/nonexistent.pem",
          proxy = "http://127.0.0.1:1", max_body = 1024, max_depth = 10,
        })
      end)

      it("raises on an unknown option or a bad value", function()
        assert.has_error(function() core.session{ timout = 60 } end, "unknown option 'timout'")
        assert.has_error(function() core.session{ timeout = -1 } end, "bad option 'timeout' (seconds > 0 expected)")
        assert.has_error(function() core.session{ timeout = "60" } end,
          "bad option 'timeout' (seconds > 0 expected)")
        assert.has_error(function() core.session{ max_body = 1.5 } end,
          "bad option 'max_body' (positive integer expected)")
        assert.has_error(function() core.session{ max_depth = 0 } end,
          "bad option 'max_depth' (integer from 1 to 10000 expected)")
        assert.has_error(function() core.session{ proxy = 1 } end, "bad option 'proxy' (string expected, got number)")
        assert.has_error(function() core.session{ [1] = true } end, "bad option key (string expected, got number)")
      end)

      it("is a xingtu.Session with a readable tostring", function()
        local s = core.session()
        assert.matches("^xingtu%.Session %(0x%x+%)$", tostring(s))
        s:close()
        assert.equal("xingtu.Session (closed)", tostring(s))
      end)
    end)

    describe(":get()", function()
      it("decodes a JSON body straight into Lua values", function()
        local s = core.session()
        local r = s:get(srv.base .. "/json?token=SECRET")
        assert.is_nil(r.error)
        assert.equal(200, r.status)
        assert.is_true(r.sent)
        assert.same({ code = 0, message = "ok", data = { list = { 1, 2, 3 }, name = "xingtu" } }, r.body)
        assert.is_nil(r.json_error)
        assert.is_nil(r.raw)
        assert.equal("application/json", r.content_type)
        assert.equal("req-123", r.request_id)
        assert.is_nil(r.retry_after)
        assert.equal(#'{"code":0,"message":"ok","data":{"list":[1,2,3],"name":"xingtu"}}', r.size)
        assert.equal(1, r.connects)
        assert.is_number(r.elapsed)
        assert.is_true(r.elapsed >= 0 and r.elapsed < 5)
      end)

      it("also returns the body text as received only when keep_text is set", function()
        local body = '{"code":0,"message":"ok","data":{"list":[1,2,3],"name":"xingtu"}}'
        local plain, keeping = core.session(), core.session { keep_text = true }
        assert.is_nil(plain:get(srv.base .. "/json").text)
        assert.equal(body, keeping:get(srv.base .. "/json").text)
        local m = core.multi { keep_text = true, concurrency = 2 }
        m:add(srv.base .. "/json", 1)
        local results = {}
        while m:pending() > 0 do
          for _, r in ipairs(m:poll(1)) do results[#results + 1] = r end
        end
        assert.equal(body, results[1].text)
        m:close()
        assert.has_error(function() core.session { keep_text = "yes" } end)
      end)

      it("never puts the URL (it carries the token) in the result", function()
        local s = core.session()
        for _, url in ipairs{ srv.base .. "/json?token=SECRET", srv.base .. "/html?token=SECRET",
          "http://127.0.0.1:" .. util.free_port() .. "/x?token=SECRET", "file:///etc/passwd?token=SECRET" } do
          local r = s:get(url)
          assert.is_nil(r.url)
          for k, v in pairs(r) do
            assert.is_nil(tostring(v):find("SECRET", 1, true), k)
          end
        end
      end)

      it("returns HTTP error statuses as results, with their JSON bodies and headers", function()
        local s = core.session()
        local r = s:get(srv.base .. "/status/500")
        assert.is_nil(r.error)
        assert.equal(500, r.status)
        assert.same({ code = 500, message = "boom" }, r.body)
        r = s:get(srv.base .. "/status/404")
        assert.equal(404, r.status)
        assert.equal(404, r.body.code)
        r = s:get(srv.base .. "/status/429")
        assert.equal(429, r.status)
        assert.equal("7", r.retry_after)          -- header name matched case-insensitively
        assert.is_nil(r.request_id)               -- nothing left over from the previous request
      end)

      it("reports a non-JSON body as json_error with the first bytes in raw", function()
        local s = core.session()
        local r = s:get(srv.base .. "/html")
        assert.is_nil(r.error)
        assert.equal(200, r.status)
        assert.is_nil(r.body)
        assert.is_string(r.json_error)
        assert.matches("at byte %d+", r.json_error)
        assert.equal("<html><body>Bad gateway</body></html>", r.raw)
        assert.equal("text/html", r.content_type)
      end)

      it("caps raw at 512 bytes", function()
        local r = core.session():get(srv.base .. "/chunked")   -- "...", "...", ... : not one JSON value
        assert.is_string(r.json_error)
        assert.equal(512, #r.raw)
        assert.equal(20000 * 33, r.size)
      end)

      it("reports an empty body as json_error 'empty body'", function()
        local r = core.session():get(srv.base .. "/empty")
        assert.equal(204, r.status)
        assert.is_nil(r.error)
        assert.equal("empty body", r.json_error)
        assert.equal("", r.raw)
        assert.equal(0, r.size)
      end)

      it("does not follow redirects", function()
        local r = core.session():get(srv.base .. "/redirect?token=SECRET")
        assert.is_nil(r.error)
        assert.equal(302, r.status)
        assert.is_nil(r.body)
        assert.is_string(r.json_error)
      end)

      it("decodes gzip-encoded bodies", function()
        local r = core.session():get(srv.base .. "/gz/data.json")
        assert.is_nil(r.error)
        assert.equal(200, r.status)
        assert.equal(#srv.gz_json, r.size)   -- decoded size; the wire carried the .gz file
        assert.equal(2000, #r.body)
        assert.same({ id = 2000, name = "item 2000" }, r.body[2000])
      end)

      it("bounds one request by its own timeout; the next gets the configured one again", function()
        local s = core.session{ timeout = 5 }
        local r = s:get(srv.base .. "/sleep1", 0.1)
        assert.equal("timeout", r.error)
        r = s:get(srv.base .. "/sleep1") -- 0.3 s: within the session's 5 s, not the last request's 0.1 s
        assert.is_nil(r.error, r.error_message)
        assert.is_true(r.body.slept)
        assert.has_error(function() s:get(srv.base .. "/json", -1) end,
          "bad argument #2 to 'get' (timeout must be a number of seconds > 0)")
      end)

      it("sends the User-Agent it was given, and xingtu/<version> libcurl/<version> by default", function()
        local r = core.session{ user_agent = "campaign-tool/2" }:get(srv.base .. "/whoami")
        assert.equal("campaign-tool/2", r.body.ua)
        r = core.session():get(srv.base .. "/whoami")
        assert.matches("^xingtu/" .. core.VERSION:gsub("%.", "%%.") .. " libcurl/%d", r.body.ua)
      end)

      it("goes through the proxy it is given", function()
        -- The test nginx plays the proxy: it answers the absolute-form request for a host that does not exist.
        local r = core.session{ proxy = srv.base }:get("http://xingtu-proxy-test.invalid/whoami")
        assert.is_nil(r.error, r.error_message)
        assert.equal("GET http://xingtu-proxy-test.invalid/whoami HTTP/1.1", r.body.line)
        assert.equal("xingtu-proxy-test.invalid", r.body.host)
      end)

      it("serves several Lua states on several threads of one process at once", function()
        local exe = os.tmpname()
        -- Under the sanitizer stage the core is instrumented: so is the host, which then brings its own runtime.
        local sanitized = os.getenv("XINGTU_SANITIZED") and " -fsanitize=address,undefined" or ""
        local built = os.execute("env -u LD_PRELOAD cc -O1" .. sanitized .. " -o " .. exe
          .. " spec/helpers/multistate.c $(pkg-config --cflags --libs lua5.4) -lpthread 2>/dev/null")
        if not built then
          os.remove(exe)
          return pending("no C compiler or Lua 5.4 headers")
        end
        local out = util.run("env -u LD_PRELOAD " .. util.quote(exe) .. " " .. util.quote(package.cpath) .. " "
          .. srv.base .. "/json 4 25 2>&1")
        os.remove(exe)
        assert.equal("ok 100\n", out)
      end)

      it("reports 'timeout' after the request was sent", function()
        local s = core.session{ timeout = 0.3 }
        local t0 = socket.gettime()
        local r = s:get(srv.base .. "/slow")
        local dt = socket.gettime() - t0
        assert.equal("timeout", r.error)
        assert.is_string(r.error_message)
        assert.is_true(r.sent)
        assert.equal(0, r.status)
        assert.is_nil(r.body)
        assert.is_true(dt >= 0.25 and dt < 1.5, dt)
        -- the session is still usable afterwards
        r = s:get(srv.base .. "/json")
        assert.is_nil(r.error)
        assert.equal(0, r.body.code)
      end)

      it("reports 'connect' with sent == false when the port is closed", function()
        local s = core.session()
        assert.equal(200, s:get(srv.base .. "/json").status)
        local r = s:get("http://127.0.0.1:" .. util.free_port() .. "/json")
        assert.equal("connect", r.error)
        assert.is_false(r.sent)
        assert.equal(0, r.status)
        assert.is_nil(r.body)
        assert.is_nil(r.json_error)
        assert.is_string(r.error_message)
      end)

      it("reports 'protocol' for URLs other than http and https", function()
        local s = core.session()
        for _, url in ipairs{ "file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "not a url" } do
          local r = s:get(url)
          assert.equal("protocol", r.error, url)
          assert.is_false(r.sent)
          assert.is_nil(r.body)
        end
      end)

      it("reports 'too_large' when the body exceeds max_body (known length or chunked)", function()
        local s = core.session{ max_body = 1000 }
        local r = s:get(srv.base .. "/files/big.json")    -- Content-Length known
        assert.equal("too_large", r.error)
        assert.is_nil(r.body)
        assert.is_true(r.sent)
        r = s:get(srv.base .. "/chunked")                 -- no Content-Length: the write callback stops it
        assert.equal("too_large", r.error)
        assert.is_true(r.size <= 1000)
        assert.is_nil(r.body)
        assert.equal(0, s:get(srv.base .. "/json").body.code)
        assert.equal(100002, core.session():get(srv.base .. "/files/big.json").size)
      end)

      -- The body buffer is sized from Content-Length when there is one (csrc/transfer.c): a hint, never trusted.
      it("delivers bodies whole whatever Content-Length says: growing, over 1 MB, compressed, or a lie", function()
        local s = core.session()
        for _ = 1, 2 do   -- the second time round, the buffers kept from the first
          assert.equal(0, s:get(srv.base .. "/json").body.code)
          local r = s:get(srv.base .. "/files/big.json")
          assert.equal(100002, r.size)
          assert.equal(string.rep("a", 100000), r.body)
          r = s:get(srv.base .. "/files/huge.json")
          assert.equal(3000002, r.size)
          assert.equal(string.rep("b", 3000000), r.body)
          r = s:get(srv.base .. "/gz/data.json")   -- announces the compressed length, delivers more
          assert.equal(#srv.gz_json, r.size)
          assert.equal(2000, #r.body)
        end
        local r = s:get(srv.pybase .. "/liar")   -- announces 30 MB, sends 5 bytes and closes
        assert.equal("partial", r.error)
        assert.is_nil(r.body)
        r = core.session{ max_body = 1000 }:get(srv.pybase .. "/liar")   -- announces more than max_body
        assert.equal("too_large", r.error)
        assert.equal(0, s:get(srv.base .. "/json").body.code)
      end)

      it("reports 'partial' when the connection closes before Content-Length bytes", function()
        local r = core.session():get(srv.pybase .. "/partial")
        assert.equal("partial", r.error)
        assert.equal(200, r.status)
        assert.is_true(r.sent)
        assert.is_nil(r.body)
      end)

      it("reports 'recv' when the connection is reset mid-response or closed without a reply", function()
        local r = core.session():get(srv.pybase .. "/reset")
        assert.equal("recv", r.error)
        assert.is_true(r.sent)
        r = core.session():get(srv.pybase .. "/nothing")
        assert.equal("recv", r.error)
        assert.is_true(r.sent)
        assert.equal(0, r.status)
      end)

      it("records headers of the final response only, trimmed, names case-insensitive", function()
        local r = core.session():get(srv.pybase .. "/headers")
        assert.equal(503, r.status)
        assert.equal("30", r.retry_after)
        assert.equal("abc-1", r.request_id)
        assert.equal("application/json; charset=utf-8", r.content_type)
        assert.same({ ok = true }, r.body)
      end)

      it("truncates over-long header values safely", function()
        local r = core.session():get(srv.base .. "/longheader")
        assert.equal(string.rep("r", 255), r.request_id)
      end)

      it("verifies TLS peers: 'tls' with sent == false for an unknown CA, success with ca_file", function()
        local r = core.session():get(srv.tlsbase .. "/json")
        assert.equal("tls", r.error)
        assert.is_false(r.sent)
        local s = core.session{ ca_file = srv.dir .. "/cert.pem" }
        r = s:get(srv.tlsbase .. "/json")
        assert.is_nil(r.error, r.error_message)
        assert.equal(0, r.body.code)
        for _ = 1, 9 do assert.equal(200, s:get(srv.tlsbase .. "/json").status) end
        assert.same({ requests = 10, connects = 1 }, s:stats())
      end)

      it("raises on misuse", function()
        local s = core.session()
        assert.has_error(function() s:get() end)
        assert.has_error(function() s:get({}) end)
        assert.has_error(function() s:get("http://127.0.0.1/\0x") end)
        assert.has_error(function() s.get(nil, "http://127.0.0.1/") end)
      end)
    end)

    describe(":stats()", function()
      it("reuses one connection for 100 sequential GETs", function()
        local s = core.session()
        for i = 1, 100 do
          local r = s:get(srv.base .. "/json")
          assert.equal(200, r.status)
          assert.equal(i == 1 and 1 or 0, r.connects)
        end
        assert.same({ requests = 100, connects = 1 }, s:stats())
      end)
    end)

    describe(":close()", function()
      it("is idempotent and makes further use raise 'session is closed'", function()
        local s = core.session()
        assert.equal(200, s:get(srv.base .. "/json").status)
        s:close()
        s:close()
        assert.has_error(function() s:get(srv.base .. "/json") end, "session is closed")
        assert.has_error(function() s:stats() end, "session is closed")
      end)

      it("runs for a to-be-closed variable", function()
        local keep
        do
          local s <close> = core.session()
          keep = s
          assert.equal(200, s:get(srv.base .. "/json").status)
        end
        assert.equal("xingtu.Session (closed)", tostring(keep))
      end)

      it("lets 1,000 sessions be garbage-collected without memory or fd growth", function()
        local function round()
          for _ = 1, 1000 do
            local s = core.session()
            assert(s:get(srv.base .. "/json").status == 200)
          end
          util.full_gc()
        end
        round()   -- warm-up: interned strings, libcurl's lazily created state
        local fds0 = util.fd_count()
        collectgarbage()
        local mem0 = collectgarbage("count")
        round()
        local mem1 = collectgarbage("count")
        local fds1 = util.fd_count()
        for _ = 1, 20 do   -- rarely a transient descriptor shows up in the listing; a leak would stay (x1000)
          if fds1 <= fds0 then break end
          socket.sleep(0.05)
          fds1 = util.fd_count()
        end
        assert.is_true(fds1 <= fds0, string.format("fds %d -> %d", fds0, fds1))
        assert.is_true(mem1 - mem0 < 64, string.format("Lua heap grew by %.1f KB", mem1 - mem0))
      end)
    end)
  end)

  describe("multi", function()
    local function drain(m, limit)
      local out = {}
      local deadline = socket.gettime() + (limit or 20)
      while m:pending() > 0 do
        assert(socket.gettime() < deadline, "poll loop did not finish")
        for _, r in ipairs(m:poll(1)) do out[#out + 1] = r end
      end
      return out
    end

    describe("core.multi()", function()
      it("accepts the session options plus concurrency, and checks them", function()
        assert.is_userdata(core.multi())
        assert.is_userdata(core.multi{ concurrency = 3, timeout = 5, max_body = 10, user_agent = "t" })
        assert.has_error(function() core.multi{ concurrency = 0 } end,
          "bad option 'concurrency' (integer from 1 to 256 expected)")
        assert.has_error(function() core.multi{ concurrency = 2.5 } end,
          "bad option 'concurrency' (integer from 1 to 256 expected)")
        assert.has_error(function() core.multi{ timout = 1 } end, "unknown option 'timout'")
        assert.has_error(function() core.session{ concurrency = 2 } end, "unknown option 'concurrency'")
      end)

      it("is a xingtu.Multi with a readable tostring", function()
        local m = core.multi()
        assert.matches("^xingtu%.Multi %(0x%x+%)$", tostring(m))
        m:close()
        assert.equal("xingtu.Multi (closed)", tostring(m))
      end)
    end)

    describe(":add() and :poll()", function()
      it("returns 200 results, each exactly once with its tag, over at most 8 connections", function()
        local m = core.multi{ concurrency = 8 }
        for i = 1, 200 do m:add(srv.base .. "/json?i=" .. i, { i = i }) end
        assert.equal(200, m:pending())
        local seen, n = {}, 0
        for _, r in ipairs(drain(m)) do
          assert.is_nil(r.error)
          assert.equal(200, r.status)
          assert.equal(0, r.body.code)
          assert.is_nil(seen[r.tag.i])
          seen[r.tag.i] = true
          n = n + 1
        end
        assert.equal(200, n)
        assert.equal(0, m:pending())
        local st = m:stats()
        assert.equal(200, st.requests)
        assert.is_true(st.connects >= 1 and st.connects <= 8, st.connects)
        -- a second batch reuses the pooled connections
        for i = 1, 50 do m:add(srv.base .. "/json", i) end
        assert.equal(50, #drain(m))
        assert.equal(st.connects, m:stats().connects)
      end)

      it("multiplexes HTTP/2 streams over one TLS connection", function()
        local m = core.multi{ concurrency = 8, ca_file = srv.dir .. "/cert.pem" }
        for i = 1, 40 do m:add(srv.tlsbase .. "/json", i) end
        local rs = drain(m)
        assert.equal(40, #rs)
        for _, r in ipairs(rs) do assert.is_nil(r.error, r.error_message) end
        assert.same({ requests = 40, connects = 1 }, m:stats())
      end)

      it("reports every kind of failure once, with the session's result shape", function()
        local m = core.multi{ concurrency = 4, timeout = 0.5, max_body = 50000 }
        local cases = {
          ok = { srv.base .. "/json" },
          status = { srv.base .. "/status/429" },
          html = { srv.base .. "/html" },
          slow = { srv.base .. "/slow" },
          refused = { "http://127.0.0.1:" .. util.free_port() .. "/" },
          proto = { "file:///etc/passwd" },
          big = { srv.base .. "/files/big.json" },
          chunked = { srv.base .. "/chunked" },
          partial = { srv.pybase .. "/partial" },
          reset = { srv.pybase .. "/reset" },
        }
        for tag, c in pairs(cases) do m:add(c[1], tag) end
        local got = {}
        for _, r in ipairs(drain(m)) do
          assert.is_nil(got[r.tag], r.tag)
          got[r.tag] = r
        end
        assert.equal(0, got.ok.body.code)
        assert.equal(429, got.status.status)
        assert.equal("7", got.status.retry_after)
        assert.equal("<html><body>Bad gateway</body></html>", got.html.raw)
        assert.equal("timeout", got.slow.error)
        assert.is_true(got.slow.sent)
        assert.equal("connect", got.refused.error)
        assert.is_false(got.refused.sent)
        assert.equal("protocol", got.proto.error)
        assert.equal("too_large", got.big.error)
        assert.equal("too_large", got.chunked.error)
        assert.equal("partial", got.partial.error)
        assert.equal("recv", got.reset.error)
        assert.equal(10, m:stats().requests)
        -- same fields as session:get, plus tag
        local single = core.session():get(srv.base .. "/json")
        for k in pairs(single) do assert.is_not_nil(got.ok[k], k) end
        for k in pairs(got.ok) do assert.is_true(k == "tag" or single[k] ~= nil, k) end
      end)

      it("accepts any tag, including nil and false", function()
        local m = core.multi()
        local t = {}
        m:add(srv.base .. "/json", nil)
        m:add(srv.base .. "/json", false)
        m:add(srv.base .. "/json", t)
        m:add(srv.base .. "/json", print)
        local rs = drain(m)
        assert.equal(4, #rs)
        local tags = {}
        for _, r in ipairs(rs) do tags[r.tag == nil and "nil" or tostring(r.tag)] = true end
        assert.same({ ["nil"] = true, ["false"] = true, [tostring(t)] = true, [tostring(print)] = true }, tags)
      end)

      it("lets tags be collected once their result was returned", function()
        local weak = setmetatable({}, { __mode = "k" })
        local m = core.multi()
        do
          local tag = {}
          weak[tag] = true
          m:add(srv.base .. "/json", tag)
        end
        local rs = drain(m)
        assert.equal(1, #rs)
        rs = nil -- luacheck: ignore 311 (drop the reference so the tags can be collected)
        util.full_gc()
        assert.is_nil(next(weak))
      end)

      it("poll(0) does not wait, and an idle multi returns an empty array", function()
        local m = core.multi()
        assert.same({}, m:poll(0))
        assert.same({}, m:poll())
        m:add(srv.base .. "/slow", 1)
        local t0 = socket.gettime()
        assert.same({}, m:poll(0))
        assert.is_true(socket.gettime() - t0 < 0.2)
        t0 = socket.gettime()
        assert.same({}, m:poll(0.2))
        local dt = socket.gettime() - t0
        assert.is_true(dt >= 0.15 and dt < 0.6, dt)
        assert.equal(1, m:pending())
        m:close()
      end)

      it("hands out at most `at_most` results per poll, the earliest completed first", function()
        local m = core.multi{ concurrency = 4 }
        -- Drive the transfers without taking any result, for `seconds`.
        local function drive(seconds)
          local t0 = socket.gettime()
          while socket.gettime() - t0 < seconds do
            assert.same({}, m:poll(0, 0))
            socket.sleep(0.02)
          end
        end
        m:add(srv.base .. "/sleep2", "late") -- first slot, finishes last (2 s)
        -- The three quick ones one after another, each over before the next starts (how long that takes depends on
        -- the machine: the gap is scaled), so that the order they completed in is known; all within the slow one.
        local gap = math.min(0.4, 0.05 * util.slowdown())
        for i = 1, 3 do
          m:add(srv.base .. "/json", i)
          drive(gap)
        end
        drive(2.4 - 3 * gap) -- until all four are over
        assert.equal(4, m:pending())
        local order = {}
        for n = 4, 1, -1 do
          local rs = m:poll(0, 1)
          assert.equal(1, #rs)
          assert.equal(200, rs[1].status)
          order[#order + 1] = rs[1].tag
          assert.equal(n - 1, m:pending())
        end
        assert.equal("late", order[4])
        assert.same({ 1, 2, 3 }, { table.unpack(order, 1, 3) })
        m:close()
      end)

      it("puts queued requests on the wire with poll(0, 0), returning nothing", function()
        local m = core.multi{ concurrency = 2 }
        m:add(srv.base .. "/json", 1)
        m:add(srv.base .. "/json", 2)
        local t0 = socket.gettime()
        while socket.gettime() - t0 < 0.3 do
          assert.same({}, m:poll(0, 0))
          socket.sleep(0.02)
        end
        -- both finished in the background: one poll(0) takes them without waiting
        local rs = m:poll(0)
        assert.equal(2, #rs)
        assert.equal(0, m:pending())
      end)

      it("bounds a transfer by its own timeout, leaving the others at the configured one", function()
        local m = core.multi{ concurrency = 2, timeout = 5 }
        m:add(srv.base .. "/sleep1", "short", 0.1)
        m:add(srv.base .. "/sleep1", "default")
        local got = {}
        for _, r in ipairs(drain(m)) do got[r.tag] = r end
        assert.equal("timeout", got.short.error)
        assert.is_nil(got.default.error)
        assert.has_error(function() m:add(srv.base .. "/json", 1, 0) end)
        assert.has_error(function() m:add(srv.base .. "/json", 1, "1") end)
      end)

      it("raises on misuse", function()
        local m = core.multi()
        assert.has_error(function() m:add() end)
        assert.has_error(function() m:add("http://127.0.0.1/\0x") end)
        assert.has_error(function() m:poll(-1) end)
        assert.has_error(function() m:poll("x") end)
        assert.has_error(function() m:poll(0, -1) end, "bad argument #2 to 'poll' (at_most must be an integer >= 0)")
        assert.has_error(function() m:poll(0, 1.5) end, "bad argument #2 to 'poll' (at_most must be an integer >= 0)")
        assert.has_error(function() m:poll(0, "x") end)
      end)
    end)

    describe(":close()", function()
      it("aborts transfers in flight, is idempotent, and makes further use raise", function()
        local fds0 = util.fd_count()
        local m = core.multi{ concurrency = 4 }
        for i = 1, 20 do m:add(srv.base .. "/slow", i) end
        assert.same({}, m:poll(0.1))
        assert.equal(20, m:pending())
        m:close()
        m:close()
        assert.equal("xingtu.Multi (closed)", tostring(m))
        for _, f in ipairs{ "poll", "pending", "stats" } do
          assert.has_error(function() m[f](m) end, "multi is closed")
        end
        assert.has_error(function() m:add(srv.base .. "/json") end, "multi is closed")
        local fds1 = util.fd_count()
        for _ = 1, 20 do
          if fds1 <= fds0 then break end
          socket.sleep(0.05)
          fds1 = util.fd_count()
        end
        assert.is_true(fds1 <= fds0, string.format("fds %d -> %d", fds0, fds1))
      end)

      it("runs for a to-be-closed variable and on garbage collection", function()
        local keep
        do
          local m <close> = core.multi()
          keep = m
          m:add(srv.base .. "/slow", 1)
          m:poll(0)
        end
        assert.equal("xingtu.Multi (closed)", tostring(keep))
        for _ = 1, 50 do
          local m = core.multi{ concurrency = 2 }
          m:add(srv.base .. "/slow", 1)
          m:poll(0)
        end
        util.full_gc()
      end)
    end)
  end)
end)
