-- `xingtu batch --format table`: an aligned table, one row per record (columns: lua/xingtu/cli/emit/tabular.lua).
return require("xingtu.cli.emit.tabular").emitter(require("xingtu.cli.output").table)
