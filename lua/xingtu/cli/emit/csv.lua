-- `xingtu batch --format csv`: RFC 4180, one row per record (columns: lua/xingtu/cli/emit/tabular.lua).
return require("xingtu.cli.emit.tabular").emitter(require("xingtu.cli.output").csv)
