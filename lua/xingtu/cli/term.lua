-- Terminal manners of the command line: what is a terminal, when to use colour, and the error line.
--
-- Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string (https://no-color.org)
-- or TERM is "dumb". The progress bar is drawn only on a terminal too (lua/xingtu/cli/main.lua), so a redirected
-- stderr gets plain lines and nothing else.

local _M = {}

--- True when file descriptor `fd` (1: stdout, 2: stderr) of this process is a terminal.
function _M.is_tty(fd)
    local ok = os.execute("test -t " .. tostring(fd))
    return ok == true or ok == 0
end

--- True when output to `fd` may be coloured. env: { getenv, is_tty } (is_tty replaceable for tests).
function _M.color(env, fd)
    local no_color = env.getenv("NO_COLOR")
    if no_color ~= nil and no_color ~= "" then return false end
    if env.getenv("TERM") == "dumb" then return false end
    return (env.is_tty or _M.is_tty)(fd)
end

--- `text` in SGR `code` (e.g. "1;31" bold red) when `on`, else unchanged.
function _M.paint(on, code, text)
    if not on then return text end
    return "\27[" .. code .. "m" .. text .. "\27[0m"
end

--- Writes a failed call's error to env.stderr: "xingtu: <kind> ...", the kind in bold red on a colour terminal.
function _M.error_line(env, err)
    local line = tostring(err)
    local kind = type(err) == "table" and err.kind
    if kind and _M.color(env, 2) then
        local at = line:find(kind, 1, true)
        if at then line = line:sub(1, at - 1) .. _M.paint(true, "1;31", kind) .. line:sub(at + #kind) end
    end
    env.stderr:write(line, "\n")
end

return _M
