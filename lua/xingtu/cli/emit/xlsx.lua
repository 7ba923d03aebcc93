-- `xingtu batch --format xlsx -o FILE`: one workbook, one row per record (the columns of
-- lua/xingtu/cli/emit/tabular.lua), written by lua/xingtu/xlsx.lua: ids as text cells, numbers as numbers.
local xlsx = require "xingtu.xlsx"

return require("xingtu.cli.emit.tabular").emitter(function(columns, rows)
    return xlsx.build { name = "batch", columns = columns, rows = rows }
end)
