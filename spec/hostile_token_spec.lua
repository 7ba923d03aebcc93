-- Hostile tokens: whatever the token is made of (&, #, space, %, +, tab, newline, quotes, unicode, 10 KB), no 6 bytes
-- of it in a row show anywhere a user, a log or a file could see them, on every error path of the sandbox's fault
-- list, through the library, client:each, the command line (single calls and batches written with -o) and the nginx
-- example. The sandbox runs with each token as its own (sandbox.spawn), and its faults echo the request into the
-- answer (echo=uri|args|form), as a WAF's block page does, so the masking meets real echoes: raw, decoded,
-- re-encoded, JSON- and HTML-escaped, cut off by a truncated body or a size cap.
--
-- Looked at: every string reachable from data, meta and err (err.previous included), tostring(err), the command's
-- stdout, stderr and output files, every cache file, the example's answers (bodies and headers), the example's
-- access and error logs, the sandbox's access and error logs, /__sandbox/last and /__sandbox/stats, the snapshot
-- database (xingtu.history) the library's outcomes were recorded in, as its bytes and as sqlite3's .dump.
-- The search (spec/helpers/leak.lua) is independent of the masker. XINGTU_HOSTILE_ONLY=<part of a name> runs only
-- the tokens whose name has it.

local xingtu = require "xingtu"
local history = require "xingtu.history"
local leak = require "helpers.leak"
local nginx = require "helpers.nginx"
local sandbox = require "helpers.sandbox"
local util = require "helpers.util"

local hostile = require "helpers.hostile"
local CONVERT_SUFFIX = hostile.CONVERT_SUFFIX
local TOKENS, paths, queue, html_text = hostile.TOKENS, hostile.paths, hostile.queue, hostile.html_text

local function files_in(dir)
  local out = {}
  for name in util.run("find " .. util.quote(dir) .. " -type f 2>/dev/null"):gmatch("[^\n]+") do
    out[#out + 1] = name
  end
  return out
end

-- Runs bin/xingtu with the token; returns stdout, stderr, status.
local function cli(token, base_url, args)
  local parts = { "env", "JUSTONEAPI_TOKEN=" .. util.quote(token), "JUSTONEAPI_BASE_URL=" .. util.quote(base_url),
    "lua5.4", util.quote(util.ROOT .. "/bin/xingtu") }
  for _, a in ipairs(args) do parts[#parts + 1] = util.quote(a) end
  return util.run3(table.concat(parts, " "))
end

local totals = { tokens = 0, paths = 0, library = 0, batch = 0, cli = 0, nginx = 0, texts = 0, bytes = 0, pieces = 0,
  hits = 0 }


describe("a hostile token", function()
  setup(function()
    nginx.build_core()
  end)

  teardown(function()
    io.stderr:write(("\nhostile tokens: %d tokens x %d paths; %d library calls, %d batch requests, %d CLI runs,"
      .. " %d nginx requests; %d texts (%.1f MB) searched for %d distinct 6-byte pieces: %d hits\n"):format(
      totals.tokens, totals.paths, totals.library, totals.batch, totals.cli, totals.nginx, totals.texts,
      totals.bytes / 1e6, totals.pieces, totals.hits))
  end)

  local only = os.getenv("XINGTU_HOSTILE_ONLY")
  for n, entry in ipairs(TOKENS) do
    if only and not entry[1]:find(only, 1, true) then goto skip end
    local name, token = entry[1], entry[2]
    it(("(%s, %d bytes) shows nowhere: library, batch, CLI, nginx example, sandbox logs"):format(name, #token),
      function()
        local probe = leak.probe(token)
        local own = sandbox.spawn { token = token }
        local tmp = util.run("mktemp -d /tmp/xingtu-hostile.XXXXXX"):gsub("%s+$", "")
        local cache_dir = tmp .. "/cache"
        local list = paths(token)
        local id = 6976442543234000000 + n * 1000
        local function next_id()
          id = id + 1
          return tostring(id)
        end

        -- The library, one call a path; every outcome also recorded in a snapshot database as batch --db does.
        local db_path = tmp .. "/history.sqlite"
        local db = assert(history.open(db_path))
        for _, p in ipairs(list) do
          own:reset()
          queue(own, p[2])
          local opts = { token = token, base_url = own.url, retries = 0, timeout = 0.3, cache = cache_dir }
          for k, v in pairs(p[4] or {}) do opts[k] = v end
          local c = xingtu.new(opts)
          local data, meta
          if p[5] then data, meta = p[5](c) else data, meta = c:side_info { o_author_id = next_id() } end
          c:close()
          local where = "library, " .. p[1]
          if p[3] then
            assert.is_nil(data, where)
            assert.equal(p[3], meta.kind, where .. ": " .. tostring(meta))
            probe:hits(tostring(meta), where .. ": tostring(err)")
            if meta.previous then probe:hits(tostring(meta.previous), where .. ": tostring(err.previous)") end
          else
            assert.is_not_nil(data, where .. ": " .. tostring(meta))
          end
          probe:walk({ data = data, meta = meta }, where)
          assert(db:record { method = "side_info", params = { o_author_id = "1" }, id = "1", fetched_at = os.time(),
            data = data, meta = data ~= nil and meta or nil, err = data == nil and meta or nil })
          totals.library = totals.library + 1
        end
        db:close()
        probe:hits(assert(util.read_file(db_path)), "snapshot database file")
        local dump = util.run("sqlite3 " .. util.quote(db_path) .. " .dump")
        assert.matches("INSERT INTO snapshots", dump, 1, true)
        probe:hits(dump, "snapshot database, sqlite3 .dump")

        -- client:each over the simple paths, one at a time in order, each meeting its fault.
        own:reset()
        local simple, requests = {}, {}
        for _, p in ipairs(list) do
          if p.simple then
            simple[#simple + 1] = p
            queue(own, p[2])
            requests[#requests + 1] = { "side_info", { o_author_id = next_id() } }
          end
        end
        -- Each request again at the end: the batch answers these from the outcomes it kept for them, sending nothing.
        local firsts = #requests
        for k = 1, firsts do requests[firsts + k] = requests[k] end
        local c = xingtu.new { token = token, base_url = own.url, retries = 0, timeout = 0.3, cache = cache_dir }
        local skipped = 0
        for i, data, meta in c:each(requests, { concurrency = 1 }) do
          local where = "each, " .. simple[(i - 1) % firsts + 1][1] .. (i > firsts and " (kept for a duplicate)" or "")
          probe:walk({ i = i, data = data, meta = meta }, where)
          if data == nil then
            probe:hits(tostring(meta), "each, tostring(err)")
            if meta.skipped then skipped = skipped + 1 end
          end
          totals.batch = totals.batch + 1
        end
        probe:walk(c, "client after the batch")
        c:close()
        assert.is_true(skipped >= 4, "the account stop skipped " .. skipped)

        -- The command line: batches to ndjson and csv files, single calls (errors on stderr) in each format.
        for _, fmt in ipairs { "ndjson", "csv" } do
          own:reset()
          local ids = {}
          for _, p in ipairs(simple) do
            queue(own, p[2])
            ids[#ids + 1] = next_id()
          end
          local ids_file, out_file = tmp .. "/ids." .. fmt, tmp .. "/out." .. fmt
          util.write_file(ids_file, table.concat(ids, "\n") .. "\n")
          local out, err, code = cli(token, own.url, { "batch", "side_info", "--ids", ids_file, "-o", out_file,
            "--format", fmt, "--concurrency", "1", "--retries", "0", "--timeout", "0.3", "--cache", cache_dir })
          assert.equal(1, code, err)
          local written = assert(util.read_file(out_file))
          assert.is_true(#written > 0)
          probe:hits(out, "CLI batch " .. fmt .. " stdout")
          probe:hits(err, "CLI batch " .. fmt .. " stderr")
          probe:hits(written, "CLI batch -o out." .. fmt)
          totals.cli = totals.cli + 1
        end
        for _, p in ipairs(list) do
          if not p.single then goto next_single end
          own:reset()
          queue(own, p[2])
          local fmt = ({ "table", "json", "csv", "ndjson" })[totals.cli % 4 + 1]
          local out, err = cli(token, own.url, { "side_info", next_id(), "--format", fmt, "--retries", "0",
            "--timeout", "0.3", "--cache", cache_dir })
          probe:hits(out, "CLI " .. p[1] .. " stdout")
          probe:hits(err, "CLI " .. p[1] .. " stderr")
          totals.cli = totals.cli + 1
          -- report --html: the failure lands in the page's footer
          own:reset()
          queue(own, p[2])
          local html_file = tmp .. "/report.html"
          out, err = cli(token, own.url, { "report", next_id(), "--html", html_file, "--retries", "0",
            "--timeout", "0.3", "--cache", cache_dir })
          probe:hits(out, "CLI report --html " .. p[1] .. " stdout")
          probe:hits(err, "CLI report --html " .. p[1] .. " stderr")
          probe:hits(html_text(util.read_file(html_file) or ""), "CLI report --html " .. p[1] .. " file")
          os.remove(html_file)
          totals.cli = totals.cli + 1
          ::next_single::
        end

        -- compare and search: failures in compare's report and on stderr, tables written with -o (csv, xlsx: its
        -- entries are stored, so the token would show in the file's bytes).
        local echoes = { { code = 201, echo = "args" }, { code = 301, echo = "form" }, { code = 302, echo = "uri" },
          { code = 500, echo = "uri" } }
        own:reset()
        queue(own, echoes)
        c = xingtu.new { token = token, base_url = own.url, retries = 0, timeout = 0.3 }
        local rows, report = xingtu.compare(c, { next_id() }, { concurrency = 1 })
        c:close()
        assert.equal(4, #report.failures)
        probe:walk({ rows = rows, report = report }, "xingtu.compare's rows and report")
        totals.library = totals.library + 1
        for _, fmt in ipairs { "csv", "xlsx" } do
          own:reset()
          queue(own, echoes)
          local out_file = tmp .. "/compare." .. fmt
          local out, err, code = cli(token, own.url, { "compare", next_id(), "--format", fmt, "-o", out_file,
            "--concurrency", "1", "--retries", "0", "--timeout", "0.3" })
          assert.equal(1, code, err)
          probe:hits(out, "CLI compare " .. fmt .. " stdout")
          probe:hits(err, "CLI compare " .. fmt .. " stderr")
          probe:hits(assert(util.read_file(out_file)), "CLI compare -o compare." .. fmt)
          own:reset()
          queue(own, { { delay = 0 }, { code = 302, echo = "uri" } }) -- the first page answered, the second fails
          out_file = tmp .. "/search." .. fmt
          out, err, code = cli(token, own.url, { "search", "--keyword", "x", "--pages", "3", "--format", fmt, "-o",
            out_file, "--retries", "0", "--timeout", "0.3" })
          assert.equal(1, code, err)
          probe:hits(out, "CLI search " .. fmt .. " stdout")
          probe:hits(err, "CLI search " .. fmt .. " stderr")
          probe:hits(assert(util.read_file(out_file)), "CLI search -o search." .. fmt)
          totals.cli = totals.cli + 2
        end

        -- The nginx example, its convert call meeting each fault (its touch call succeeds).
        own:reset()
        local example = nginx.example({ token = token, base_url = own.url }, nginx.REGISTRY_KEY .. ".hostile")
        local statuses = {}
        for _, p in ipairs(simple) do
          -- Paths the example retries (its retries = 2, waits of up to seconds) or waits out (its timeout is 60 s)
          -- end the same way as the others and would only make the spec slow.
          if p.retried then goto next_path end
          queue(own, p[2], { path = CONVERT_SUFFIX })
          local res = sandbox.fetch(example.url .. "/creators/" .. next_id() .. "/summary")
          own:reset()
          statuses[res.status] = true
          probe:hits(res.body, "nginx answer, " .. p[1])
          for header, value in pairs(res.headers) do probe:hits(value, "nginx header " .. header .. ", " .. p[1]) end
          totals.nginx = totals.nginx + 1
          -- the HTML page of the same creator's report: its footer shows failures (escaped, masked)
          queue(own, p[2], { path = CONVERT_SUFFIX })
          local page = sandbox.fetch(example.url .. "/creators/" .. next_id() .. "/report.html")
          own:reset()
          probe:hits(html_text(page.body), "nginx report.html, " .. p[1])
          totals.nginx = totals.nginx + 1
          ::next_path::
        end
        local access = util.read_file(example.dir .. "/logs/access.log") or ""
        local errors = util.read_file(example.dir .. "/logs/error.log") or ""
        nginx.stop(example)
        assert.is_true(statuses[200] and statuses[404] and statuses[502], "the example answered 200, 404 and 502")
        assert.matches("xingtu summary failed", errors, 1, true)
        probe:hits(access, "nginx access.log")
        probe:hits(errors, "nginx error.log")

        -- The sandbox's own logs and control answers.
        probe:hits(sandbox.fetch(own.url .. "/__sandbox/last").body, "/__sandbox/last")
        probe:hits(sandbox.fetch(own.url .. "/__sandbox/stats").body, "/__sandbox/stats")
        local s_access, s_errors = own:logs()
        own:stop()
        assert.matches('"- " 414', s_access, 1, true)
        probe:hits(s_access, "sandbox access.log")
        probe:hits(s_errors, "sandbox error.log")

        -- Every cache file.
        local cached = files_in(cache_dir)
        assert.is_true(#cached >= 2, "cache files: " .. #cached)
        for _, f in ipairs(cached) do probe:hits(assert(util.read_file(f)), "cache file " .. f) end
        util.run("rm -rf " .. util.quote(tmp))

        hostile.tally(totals, probe, #list)
        assert.equal(0, #probe.found, probe:report())
      end)
    ::skip::
  end
end)
