rockspec_format = "3.0"
package = "xingtu"
version = "scm-1"
source = {
   url = "git+https://github.com/xingtu-lua/xingtu.git",
}
description = {
   summary = "Douyin Creator Marketplace (Xingtu) data of the Just One API for Lua",
   detailed = [[
A C extension on libcurl (connection reuse, concurrent batches, JSON decoded straight into Lua tables with exact
64-bit integers) with a pure-Lua client on top: every current Xingtu endpoint, argument checks before anything is
billed, error kinds with billing, retries that never pay twice, rate limits and a spend guard.
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.4",
   "argparse >= 0.6", -- for bin/xingtu only (Debian: lua-argparse)
}
-- libcurl and the Lua headers are found by CMake through pkg-config (Debian: libcurl4-openssl-dev, liblua5.4-dev).
-- CMake builds the core and installs it together with every Lua module, so the rock and `cmake --install` can
-- never disagree about what is in the package. Everything goes into the rock's own directory ($(PREFIX)): luarocks
-- then deploys lua/, lib/ and bin/ into the tree (wrapping bin/xingtu for this Lua) and `luarocks remove` takes
-- them away again; the sandbox's files, man pages and completions stay in the rock's directory.
-- Install for Lua 5.4 (Debian's luarocks defaults to 5.1):
--   luarocks --lua-version=5.4 make --deps-mode=none rockspec/xingtu-scm-1.rockspec
build = {
   type = "cmake",
   variables = {
      CMAKE_BUILD_TYPE = "Release",
      CMAKE_INSTALL_PREFIX = "$(PREFIX)",
      XINGTU_INSTALL_CMOD = "$(LIBDIR)",
      XINGTU_INSTALL_LMOD = "$(LUADIR)",
      XINGTU_BIN_DIR = "$(BINDIR)",
   },
}
