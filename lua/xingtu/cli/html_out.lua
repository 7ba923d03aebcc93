-- `--html FILE` of report and compare: the page (lua/xingtu/html.lua) written whole or not at all (a temporary file
-- beside FILE, renamed over it once complete), so a reader never opens half a page. A path that cannot be written
-- is the user's mistake: a usage error (exit 2, one line), raised before anything is bought when `check` is called
-- first.

local args_mod = require "xingtu.cli.args"

local _M = {}

local function tmp_of(path) return path .. ".tmp" .. tostring(os.time()) end

--- Raises a usage error when FILE's folder cannot take a new file (tried with an empty temporary file).
function _M.check(path)
    local tmp = tmp_of(path)
    local f, err = io.open(tmp, "w")
    if not f then args_mod.usage("--html: cannot write " .. tostring(err)) end
    f:close()
    os.remove(tmp)
end

--- Renders `report` and writes it to `path`; returns the number of bytes written.
function _M.write(path, report, opts)
    local page = require("xingtu.html").render(report, opts)
    local tmp = tmp_of(path)
    local f, err = io.open(tmp, "wb")
    if not f then args_mod.usage("--html: cannot write " .. tostring(err)) end
    local ok, werr = f:write(page)
    local closed, cerr = f:close()
    if not ok or not closed then
        os.remove(tmp)
        args_mod.usage("--html: cannot write " .. path .. ": " .. tostring(werr or cerr))
    end
    local renamed, rerr = os.rename(tmp, path)
    if not renamed then
        os.remove(tmp)
        args_mod.usage("--html: cannot write " .. tostring(rerr))
    end
    return #page
end

return _M
