-- The rows of `xingtu batch --format csv|table` (lua/xingtu/cli/emit/csv.lua, table.lua): every record once the
-- batch is done, as one table whose columns are id, ok, error_kind, error_message and then the data's own fields,
-- flattened (output.flatten), in the order first seen. A data field of one of the fixed names (base_info has an
-- `id`) is data.<name>.

local output = require "xingtu.cli.output"

local _M = {}

local ipairs = ipairs

local FIXED = { "id", "ok", "error_kind", "error_message" }

--- columns, rows of the records.
function _M.rows(records)
    local columns, rows, fixed, seen = {}, {}, {}, {}
    for i, name in ipairs(FIXED) do columns[i], fixed[name], seen[name] = name, true, true end
    for i, r in ipairs(records) do
        local row = { id = r.id, ok = r.ok }
        if r.ok then
            local rec, order = output.flatten(r.data)
            for _, k in ipairs(order) do
                local column = fixed[k] and "data." .. k or k
                if not seen[column] then
                    seen[column] = true
                    columns[#columns + 1] = column
                end
                row[column] = rec[k]
            end
        else
            row.error_kind, row.error_message = r.error.kind, r.error.message
        end
        rows[i] = row
    end
    return columns, rows
end

--- An emitter (lua/xingtu/cli/emit/ndjson.lua's contract) that renders every record at the end with `render`
--  (output.csv or output.table).
function _M.emitter(render)
    return {
        open = function(out)
            local records = {}
            return {
                add = function(_, record) records[#records + 1] = record end,
                finish = function() out:write(render(_M.rows(records))) end,
            }
        end,
    }
end

return _M
