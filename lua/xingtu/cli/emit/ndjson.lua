-- `xingtu batch --format ndjson`: one JSON line per record, written as soon as the records before it are out.
-- The emitter contract (every file in cli/emit/): emit.open(out) -> e; e:add(record) for each record in input
-- order; e:finish() once after the last. A record is { id, ok = true, data } or { id, ok = false, error }.

local output = require "xingtu.cli.output"

local _M = {}

function _M.open(out)
    return {
        add = function(_, record) out:write(output.json(record), "\n") end,
        finish = function() end,
    }
end

return _M
