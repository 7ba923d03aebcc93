-- `xingtu batch --format json`: one JSON array of the records, each written as soon as the records before it are
-- out (the contract: lua/xingtu/cli/emit/ndjson.lua).

local output = require "xingtu.cli.output"

local _M = {}

function _M.open(out)
    local n = 0
    return {
        add = function(_, record)
            n = n + 1
            out:write(n == 1 and "[\n" or ",\n", output.json(record))
        end,
        finish = function() out:write(n == 0 and "[]\n" or "\n]\n") end,
    }
end

return _M
