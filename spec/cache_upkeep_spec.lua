-- Cache upkeep: a size cap the cache keeps as it writes (oldest first, with other writers at once), and `xingtu
-- cache stats|prune` for a daily job's cache that would otherwise grow every day. The keys' independence of the
-- host and port is spec/cache_spec.lua's ("keys").

local cache_mod = require "xingtu.cache"
local util = require "helpers.util"

local function tmpdir()
  return (util.run("mktemp -d /tmp/xingtu-upkeep.XXXXXX"):gsub("%s+$", ""))
end

local function body(n)
  return '{"code":0,"message":"ok","data":{"n":' .. n .. ',"pad":"' .. string.rep("x", 900) .. '"}}'
end

local function entry_count(dir)
  return tonumber((util.run("ls " .. util.quote(dir) .. " | grep -c '\\.entry$'"):gsub("%s+$", "")))
end

local function dir_bytes(dir)
  local out = util.run("find " .. util.quote(dir) .. " -maxdepth 1 -name '*.entry' -printf '%s\\n'")
  local total = 0
  for n in out:gmatch("%d+") do total = total + tonumber(n) end
  return total
end

local function set_mtime(dir, pattern, stamp)
  util.run("touch -d @" .. stamp .. " " .. util.quote(dir) .. "/" .. pattern)
end

describe("cache upkeep", function()
  local dir
  before_each(function() dir = tmpdir() .. "/cache" end)
  after_each(function() util.run("rm -rf " .. util.quote(dir:gsub("/cache$", ""))) end)

  describe("max_size", function()
    it("keeps the entries' total under the cap as the cache writes, the newest kept", function()
      local c = cache_mod.new { dir = dir, max_size = 20000 }
      for i = 1, 200 do assert(c:store("key " .. i, "side_info", body(i))) end
      assert.is_true(dir_bytes(dir) <= 20000, "bytes: " .. dir_bytes(dir))
      assert.is_true(entry_count(dir) >= 10)
      assert.is_not_nil(c:lookup("key 200"))
      assert.is_true(c.backend.evicted >= 150)
    end)

    it("evicts the oldest first", function()
      local c = cache_mod.new { dir = dir, max_size = 6000 }
      for i = 1, 5 do assert(c:store("old " .. i, "side_info", body(i))) end
      set_mtime(dir, "*.entry", os.time() - 3600)
      for i = 1, 5 do assert(c:store("new " .. i, "side_info", body(i))) end
      -- A fresh backend lists the directory at its first write, so it sees the old entries too.
      local c2 = cache_mod.new { dir = dir, max_size = 6000 }
      assert(c2:store("newest", "side_info", body(0)))
      for i = 1, 5 do assert.is_nil(c2:lookup("old " .. i), "old " .. i .. " kept") end
      assert.is_not_nil(c2:lookup("newest"))
      assert.is_not_nil(c2:lookup("new 5"))
    end)

    it("holds with two processes writing at once", function()
      local script = dir:gsub("/cache$", "") .. "/writer.lua"
      util.write_file(script, [[
        package.path = "]] .. util.ROOT .. [[/lua/?.lua;]] .. util.ROOT .. [[/lua/?/init.lua;" .. package.path
        package.cpath = "]] .. util.ROOT .. [[/build/?.so;" .. package.cpath
        local cache = require "xingtu.cache"
        local c = cache.new { dir = arg[2], max_size = 30000 }
        local body = '{"code":0,"data":{"pad":"' .. string.rep("y", 900) .. '"}}'
        for i = 1, 300 do assert(c:store(arg[1] .. i, "side_info", body)) end
        print("done " .. arg[1])
      ]])
      local function cmd(who)
        return util.lua_child_env() .. "lua5.4 " .. util.quote(script) .. " " .. who .. " " .. util.quote(dir)
      end
      local out = util.run("(" .. cmd("a") .. " & " .. cmd("b") .. " & wait) 2>&1")
      assert.matches("done a", out, 1, true)
      assert.matches("done b", out, 1, true)
      -- Each process may be one write past the cap when the other's last writes came after its last listing.
      assert.is_true(dir_bytes(dir) <= 30000 + 2 * 1000, "bytes: " .. dir_bytes(dir))
      assert.equal("700", (util.run("stat -c %a " .. util.quote(dir)):gsub("%s+$", "")))
    end)

    it("raises naming max_size for a cap that is not a positive whole number", function()
      for _, bad in ipairs { 0, -1, 1.5, "10M" } do
        local ok, err = pcall(cache_mod.new, { dir = dir, max_size = bad })
        assert.is_false(ok)
        assert.matches("max_size", err)
      end
      assert.has_error(function() cache_mod.new { backend = cache_mod.memory(), max_size = 10 } end,
        "xingtu.cache.new: give dir (and max_size) or backend, not both")
    end)
  end)

  describe("disk_stats and prune", function()
    local function fill(n)
      local c = cache_mod.new { dir = dir }
      for i = 1, n do assert(c:store("key " .. i, "side_info", body(i))) end
      return c
    end

    it("stats count the entries and their bytes, and an absent directory as empty", function()
      fill(7)
      local s = assert(cache_mod.disk_stats(dir))
      assert.equal(7, s.entries)
      assert.equal(dir_bytes(dir), s.bytes)
      assert.is_number(s.oldest)
      local e = assert(cache_mod.disk_stats(dir .. "/absent"))
      assert.equal(0, e.entries)
    end)

    it("prune --older-than removes what was stored before, and nothing else in the directory", function()
      fill(6)
      util.write_file(dir .. "/notes.txt", "mine")
      set_mtime(dir, "*", os.time() - 10 * 86400)
      local c = cache_mod.new { dir = dir }
      for i = 1, 2 do assert(c:store("fresh " .. i, "side_info", body(i))) end
      local r = assert(cache_mod.prune(dir, { older_than = 86400, dry_run = true }))
      assert.equal(6, r.removed)
      assert.equal(8, entry_count(dir))
      r = assert(cache_mod.prune(dir, { older_than = 86400 }))
      assert.equal(6, r.removed)
      assert.equal(2, r.entries)
      assert.equal(2, entry_count(dir))
      assert.equal("mine", util.read_file(dir .. "/notes.txt"))
    end)

    it("refuses a directory others can write, naming why", function()
      fill(1)
      util.run("chmod 777 " .. util.quote(dir))
      local r, why = cache_mod.prune(dir, { max_size = 1 })
      assert.is_nil(r)
      assert.matches("unsafe cache directory", why)
      assert.equal(1, entry_count(dir))
      util.run("chmod 700 " .. util.quote(dir))
    end)

    it("never follows a symbolic link planted as an entry", function()
      fill(3)
      local victim = dir:gsub("/cache$", "") .. "/victim"
      util.write_file(victim, "keep me")
      util.run("ln -s " .. util.quote(victim) .. " " .. util.quote(dir .. "/00000000000000aa.entry"))
      local r = assert(cache_mod.prune(dir, { max_size = 1 }))
      assert.equal(3, r.removed)
      assert.equal("keep me", util.read_file(victim))
    end)
  end)

  describe("xingtu cache", function()
    local function xingtu(args)
      return util.run3(util.lua_child_env() .. "lua5.4 " .. util.quote(util.ROOT .. "/bin/xingtu") .. " cache " .. args)
    end

    it("stats prints the entries and their size, prune removes down to --max-size", function()
      local c = cache_mod.new { dir = dir }
      for i = 1, 20 do assert(c:store("key " .. i, "side_info", body(i))) end
      local out, err, code = xingtu("stats --cache " .. util.quote(dir))
      assert.equal(0, code, err)
      assert.matches("entries%s+20\n", out)
      out, err, code = xingtu("prune --max-size 10K --format json --cache " .. util.quote(dir))
      assert.equal(0, code, err)
      local r = require("xingtu").json.decode(out)
      assert.is_true(r.bytes <= 10240)
      assert.equal(20 - r.removed, entry_count(dir))
      assert.equal(r.entries, entry_count(dir))
    end)

    it("--cache-max-size caps the cache a command writes", function()
      local sandbox = require "helpers.sandbox"
      sandbox.start()
      local ids = dir:gsub("/cache$", "") .. "/ids.txt"
      local lines = {}
      for i = 1, 30 do lines[i] = tostring(6976442543234760000 + i) end
      util.write_file(ids, table.concat(lines, "\n") .. "\n")
      local _, err, code = util.run3(util.lua_child_env() .. "env JUSTONEAPI_TOKEN=" .. util.quote(sandbox.token)
        .. " JUSTONEAPI_BASE_URL=" .. util.quote(sandbox.url) .. " lua5.4 " .. util.quote(util.ROOT .. "/bin/xingtu")
        .. " batch side_info --ids " .. util.quote(ids) .. " -o /dev/null --quiet --cache " .. util.quote(dir)
        .. " --cache-max-size 8K")
      assert.equal(0, code, err)
      assert.is_true(dir_bytes(dir) <= 8192 + 2048, "bytes: " .. dir_bytes(dir))
      assert.is_true(entry_count(dir) >= 1)
    end)

    it("a mistake is one line and status 2", function()
      for args, message in pairs {
        ["prune --cache /tmp"] = "prune needs --older-than D, --max-size S or both",
        ["prune --max-size lots --cache /tmp"] = '--max-size takes bytes or a size (500K, 200M, 2G), got "lots"',
        ["prune --older-than soon --cache /tmp"] = "--older-than takes seconds or a duration",
        ["stats --max-size 1M --cache /tmp"] = "--older-than, --max-size and --dry-run go with prune",
      } do
        local out, err, code = xingtu(args)
        assert.equal(2, code, args)
        assert.equal("", out)
        assert.matches("^xingtu cache: " .. message:gsub("%p", "%%%0"), err)
        assert.equal(1, select(2, err:gsub("\n", "")), err)
      end
    end)
  end)
end)
