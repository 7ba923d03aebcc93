-- The output of a batch as a job owns it: locked against a second run, whole records only (a full disk, a file size
-- limit), a cut last line from an older crash dropped on --resume.

local util = require "helpers.util"
local core = require "xingtu.core"
local jobs = require "xingtu.jobs"

describe("core.jobfile", function()
    local path
    before_each(function() path = os.tmpname() end)
    after_each(function() os.remove(path) end)

    it("refuses a second run on the same file while the first holds it", function()
        local a = assert(core.jobfile.open(path, 0))
        local b, err = core.jobfile.open(path)
        assert.is_nil(b)
        assert.are.equal(path .. " is in use by another run", err)
        a:close()
        assert.is_truthy(core.jobfile.open(path))
    end)

    it("cuts a record it cannot write whole back off: the file ends at the last whole record (ulimit -f)", function()
        local script = os.tmpname()
        util.write_file(script, string.format([[
package.cpath = %q .. "/build/?.so;" .. package.cpath
local f = assert(require("xingtu.core").jobfile.open(%q, 0))
assert(f:append(string.rep("a", 1000) .. "\n"))
local ok, err = f:append(string.rep("b", 20000) .. "\n")
io.write(tostring(ok), " ", tostring(err), " ", f:size())
]], util.ROOT, path))
        local out = util.run("ulimit -f 8; lua5.4 " .. util.quote(script))
        os.remove(script)
        assert.are.equal("nil File too large 1001", out)
        assert.are.equal(string.rep("a", 1000) .. "\n", util.read_file(path))
    end)
end)

describe("xingtu.jobs.done_keys", function()
    it("counts whole records by (id, method) and reports a cut last line to drop", function()
        local path = os.tmpname()
        util.write_file(path, '{"id":"1","method":"m","ok":true}\n{"id":"1","method":"n","ok":true}\n{"id":"2","me')
        local done, kept, dropped, n = jobs.done_keys(path, core.decode)
        os.remove(path)
        assert.are.equal(2, n)
        assert.is_true(done[jobs.key("1", "m")])
        assert.is_true(done[jobs.key("1", "n")])
        assert.is_nil(done[jobs.key("2", "m")])
        assert.are.equal(68, kept)
        assert.are.equal(13, dropped)
    end)
end)
