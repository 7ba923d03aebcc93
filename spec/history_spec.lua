-- The snapshot database (xingtu.history, batch --db): what a data engineer finds in the file with the sqlite3
-- command-line tool after a run, two writers at once, hostile strings, schema versions, and the history/diff
-- queries the CLI prints.

local history = require "xingtu.history"
local json = require("xingtu").json
local util = require "helpers.util"

local function tmpdir()
  return (util.run("mktemp -d /tmp/xingtu-history.XXXXXX"):gsub("%s+$", ""))
end

-- sqlite3's answer to `sql` on `path`, one line per row, columns separated by |.
local function sqlite(path, sql)
  local out, err, code = util.run3("sqlite3 " .. util.quote(path) .. " " .. util.quote(sql))
  assert(code == 0 or code == nil, "sqlite3 failed: " .. err)
  return (out:gsub("\n$", ""))
end

local function fixture(name)
  local body = json.decode(assert(util.read_file(util.ROOT .. "/spec/fixtures/" .. name)))
  return body.data or body
end

describe("xingtu.history", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() util.run("rm -rf " .. util.quote(dir)) end)

  describe("open", function()
    it("raises at the caller's line naming the path when the path is not a string", function()
      local ok, err = pcall(history.open, 42)
      assert.is_false(ok)
      assert.matches("path must be a non%-empty string", err)
      assert.matches("history_spec.lua", err, 1, true)
      assert.has_error(function() history.open("") end)
    end)

    it("returns nil and a database error for a file it cannot open, without raising", function()
      local db, err = history.open(dir .. "/no/such/dir/x.sqlite")
      assert.is_nil(db)
      assert.equal("database", err.kind)
      assert.matches("cannot open", tostring(err))
    end)

    it("returns nil and an error for a file that is not a database", function()
      util.write_file(dir .. "/junk.sqlite", string.rep("not a database ", 400))
      local db, err = history.open(dir .. "/junk.sqlite")
      assert.is_nil(db)
      assert.equal("database", err.kind)
    end)

    it("creates a WAL database at the current schema version, and reopens it unchanged", function()
      local path = dir .. "/t.sqlite"
      assert(history.open(path)):close()
      assert.equal(tostring(history.SCHEMA_VERSION), sqlite(path, "PRAGMA user_version"))
      assert.equal("wal", sqlite(path, "PRAGMA journal_mode"))
      local tables = sqlite(path, "SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY name")
      assert.equal("conversion_ranges\nfigures\nfollowers\nsnapshots\ntouch_shares", tables)
      assert(history.open(path)):close()
      assert.equal(tostring(history.SCHEMA_VERSION), sqlite(path, "PRAGMA user_version"))
    end)

    it("refuses a database written by a newer xingtu instead of guessing at its schema", function()
      local path = dir .. "/new.sqlite"
      sqlite(path, "PRAGMA user_version = 99")
      local db, err = history.open(path)
      assert.is_nil(db)
      assert.matches("schema version 99 is newer", tostring(err))
    end)
  end)

  describe("record", function()
    it("stores every field of an outcome, readable with sqlite3", function()
      local path = dir .. "/t.sqlite"
      local db = assert(history.open(path))
      local data = fixture("touch_distribution.json")
      assert.is_true(db:record { method = "touch_distribution", id = "6976442543234760712", fetched_at = 1764806400,
        params = { platform = "SHORT_VIDEO", o_author_id = "6976442543234760712" }, data = data,
        meta = { request_id = "req-1", record_time = "2025-12-04 00:00:00", billed = true } })
      assert.is_true(db:record { method = "base_info", id = "42", fetched_at = 1764806401,
        params = { o_author_id = "42" }, err = { kind = "not_found", message = "not found", billed = true } })
      assert.is_true(db:record { method = "base_info", id = "43", fetched_at = 1764806402,
        params = { o_author_id = "43" }, err = { kind = "timeout", message = "timed out", billed = "unknown" } })
      db:close()
      assert.equal(table.concat({
        '1764806400|touch_distribution|{"o_author_id":"6976442543234760712","platform":"SHORT_VIDEO"}'
          .. '|6976442543234760712|req-1|2025-12-04 00:00:00|1||',
        '1764806401|base_info|{"o_author_id":"42"}|42|||1|not_found|not found',
        '1764806402|base_info|{"o_author_id":"43"}|43||||timeout|timed out',
      }, "\n"), sqlite(path, "SELECT fetched_at, method, params, creator_id, request_id, record_time, billed, "
        .. "error_kind, error_message FROM snapshots ORDER BY id"))
      local stored = sqlite(path, "SELECT data FROM snapshots WHERE id = 1")
      assert.same(data, json.decode(stored))
      assert.equal("", sqlite(path, "SELECT data FROM snapshots WHERE id = 2"))
    end)

    it("gives the touch shares by channel and the conversion range bounds typed columns", function()
      local path = dir .. "/t.sqlite"
      local db = assert(history.open(path))
      db:record { method = "touch_distribution", id = "7", fetched_at = 100, params = { o_author_id = "7" },
        data = fixture("touch_distribution.json") }
      db:record { method = "convert_ability", id = "7", fetched_at = 100, params = { o_author_id = "7" },
        data = { gpm_range = "2.5w-12.6w", play_rate_range = "3%-15%", open_range = "≥100", none_range = "-" } }
      db:record { method = "base_info", id = "7", fetched_at = 100, params = { o_author_id = "7" },
        data = { follower = 123456 } }
      db:close()
      assert.equal("7|100|base_info|123456", sqlite(path, "SELECT * FROM followers"))
      assert.equal("gpm_range|25000|126000\nopen_range|100|\nplay_rate_range|0.03|0.15",
        sqlite(path, "SELECT field, min, max FROM conversion_ranges ORDER BY field"))
      local n = tonumber(sqlite(path, "SELECT count(*) FROM touch_shares WHERE channel NOT LIKE '% / %'"))
      assert.is_true(n > 0)
      local total = tonumber(sqlite(path, "SELECT round(sum(share), 6) FROM touch_shares WHERE channel NOT LIKE "
        .. "'% / %' GROUP BY params LIMIT 1"))
      assert.is_true(math.abs(total - 1) < 1e-6 or total <= 1, "level-1 shares sum to at most 1: " .. total)
    end)

    it("stores hostile strings as written: quotes, SQL, NUL bytes, newlines, unicode", function()
      local path = dir .. "/t.sqlite"
      local db = assert(history.open(path))
      local hostile = {
        "it's", "'; DROP TABLE snapshots; --", "a\0b", "\\'", "line\nbreak\r\n", "双引号\"", "%s%d", string.rep("'", 50),
      }
      for i, s in ipairs(hostile) do
        assert.is_true(db:record { method = "base_info", id = s, fetched_at = i, params = { o_author_id = s },
          err = { kind = "invalid_params", message = s, billed = false } })
      end
      db:close()
      assert.equal(tostring(#hostile), sqlite(path, "SELECT count(*) FROM snapshots"))
      db = assert(history.open(path))
      for i, s in ipairs(hostile) do
        local h = assert(db:history(s))
        assert.equal(1, #h, "history of hostile string " .. i)
        assert.equal(i, h[1].fetched_at)
        assert.equal("invalid_params", h[1].error_kind)
      end
      db:close()
    end)

    it("raises naming the field for a malformed outcome, before writing anything", function()
      local path = dir .. "/t.sqlite"
      local db = assert(history.open(path))
      assert.has_error(function() db:record { method = 1, id = "1", fetched_at = 1 } end,
        nil)
      local ok, err = pcall(db.record, db, { method = "x", id = "1", fetched_at = "yesterday" })
      assert.is_false(ok)
      assert.matches("outcome.fetched_at must be a number", err)
      db:close()
      assert.equal("0", sqlite(path, "SELECT count(*) FROM snapshots"))
    end)

    it("writes a transaction whole or not at all", function()
      local path = dir .. "/t.sqlite"
      local db = assert(history.open(path))
      assert(db:begin())
      for i = 1, 10 do
        assert(db:record { method = "base_info", id = tostring(i), fetched_at = i, data = { follower = i } })
      end
      db:rollback()
      assert(db:begin())
      for i = 1, 5 do
        assert(db:record { method = "base_info", id = tostring(i), fetched_at = i, data = { follower = i } })
      end
      assert(db:commit())
      db:close()
      assert.equal("5|5", sqlite(path, "SELECT count(*), (SELECT count(*) FROM figures) FROM snapshots"))
    end)

    it("keeps every row when two processes write at once", function()
      local path = dir .. "/t.sqlite"
      assert(history.open(path)):close()
      local script = dir .. "/writer.lua"
      util.write_file(script, [[
        package.path = "]] .. util.ROOT .. [[/lua/?.lua;]] .. util.ROOT .. [[/lua/?/init.lua;" .. package.path
        package.cpath = "]] .. util.ROOT .. [[/build/?.so;" .. package.cpath
        local history = require "xingtu.history"
        local who, n = arg[1], tonumber(arg[2])
        local db = assert(history.open(arg[3]))
        for i = 1, n do
          if i % 10 == 1 then assert(db:begin()) end
          assert(db:record { method = "base_info", id = who .. i, fetched_at = i, data = { follower = i } })
          if i % 10 == 0 then assert(db:commit()) end
        end
        assert(db:commit())
        db:close()
        print("done " .. who)
      ]])
      local n = 300
      local cmd = function(who)
        return util.lua_child_env() .. "lua5.4 " .. util.quote(script) .. " " .. who .. " " .. n .. " "
          .. util.quote(path)
      end
      local out = util.run("(" .. cmd("a") .. " & " .. cmd("b") .. " & wait) 2>&1")
      assert.matches("done a", out, 1, true)
      assert.matches("done b", out, 1, true)
      assert.equal(tostring(2 * n) .. "|" .. tostring(2 * n),
        sqlite(path, "SELECT count(DISTINCT creator_id), (SELECT count(*) FROM figures) FROM snapshots"))
    end)
  end)

  describe("queries", function()
    local function seeded()
      local db = assert(history.open(dir .. "/q.sqlite"))
      local follows = { a = { 1000, 1100, 1210 }, b = { 500, 500, 2000 }, c = { 10, 10, 10 } }
      for id, series in pairs(follows) do
        for day, f in ipairs(series) do
          assert(db:record { method = "base_info", id = id, fetched_at = day * 86400, params = { o_author_id = id },
            data = { follower = f }, meta = { billed = true } })
        end
      end
      assert(db:record { method = "base_info", id = "a", fetched_at = 4 * 86400, params = { o_author_id = "a" },
        err = { kind = "timeout", message = "timed out", billed = "unknown" } })
      return db
    end

    it("history lists a creator's snapshots oldest first with what changed since the previous one", function()
      local db = seeded()
      local h = assert(db:history("a", { method = "base_info" }))
      assert.equal(4, #h)
      assert.same({}, h[1].changes)
      assert.same({ { figure = "followers", from = 1000, to = 1100 } }, h[2].changes)
      assert.same({ { figure = "followers", from = 1100, to = 1210 } }, h[3].changes)
      assert.equal("timeout", h[4].error_kind)
      assert.equal("unknown", h[4].billed)
      assert.same({}, assert(db:history("nobody")))
      db:close()
    end)

    it("diff ranks the creators by how much their figures moved since a date", function()
      local db = seeded()
      local d = assert(db:diff { since = 1 * 86400 })
      assert.equal(2, #d)
      assert.equal("b", d[1].id)
      assert.equal(500, d[1].from)
      assert.equal(2000, d[1].to)
      assert.equal("a", d[2].id)
      assert.near(0.21, d[2].movement, 1e-9)
      d = assert(db:diff { since = 2 * 86400 })
      assert.equal("b", d[1].id)
      assert.equal(500, d[1].from)
      assert.near(0.1, d[2].movement, 1e-9)
      assert.same({}, assert(db:diff { since = 3 * 86400 }))
      db:close()
    end)
  end)
end)
