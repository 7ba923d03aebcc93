-- Loaded by busted before the specs (see .ci/run): when the C core runs under AddressSanitizer, lua5.4 gets the
-- sanitizer runtime through LD_PRELOAD, and every process a spec starts (nginx, curl, the CLI) would inherit it.
-- Those programs are not instrumented; with the runtime forced in they hang or report on themselves. So children
-- are started without it: only the Lua process, and with it xingtu.core, runs sanitized.
if os.getenv("XINGTU_SANITIZED") == "1" then
    local popen, execute = io.popen, os.execute
    local function unpreloaded(cmd)
        return "unset LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS; " .. cmd
    end
    -- luacheck: push ignore 122 (replacing standard functions is the point here)
    io.popen = function(cmd, ...) return popen(unpreloaded(cmd), ...) end
    os.execute = function(cmd, ...)
        if cmd == nil then return execute() end
        return execute(unpreloaded(cmd), ...)
    end
    -- luacheck: pop
end
