-- Text helpers for messages: cutting a string without splitting a UTF-8 character. Pure Lua (5.1 to 5.4, LuaJIT).
--
--   local text = require "xingtu.text"
--   text.cut(s, n)   -- the longest prefix of s of at most n bytes that does not end inside a UTF-8 character

local byte, sub = string.byte, string.sub

local _M = { _VERSION = "0.1.0" }

local function is_continuation(b)
    return b ~= nil and b >= 0x80 and b < 0xC0
end

--- text.cut(s, n) -> prefix. When s is longer than n bytes and byte n + 1 continues a character that starts at or
--  before byte n, the cut moves back to just before that character (at most 3 bytes back). Well-formed UTF-8 stays
--  well-formed; other bytes are cut at n as they are (xingtu.json.encode replaces them when the text is written).
function _M.cut(s, n)
    if #s <= n then return s end
    if n <= 0 then return "" end
    if not is_continuation(byte(s, n + 1)) then return sub(s, 1, n) end
    for i = n, n - 2, -1 do
        local b = byte(s, i)
        if b == nil then break end
        if b >= 0xC0 then return sub(s, 1, i - 1) end -- the lead byte of the character the cut would split
        if b < 0x80 then break end                     -- ASCII before continuation bytes: not UTF-8 here
    end
    return sub(s, 1, n)
end

return _M
