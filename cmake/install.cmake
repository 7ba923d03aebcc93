# Installation, included by CMakeLists.txt. Everything is decided at install time, by cmake/install-files.cmake, so
# that `cmake --install build --prefix P` installs where P's Lua interpreter searches, whatever the configure-time
# prefix was: the interpreter (lua5.4, or luajit for -DXINGTU_LUAJIT=ON) is asked for its package.path and
# package.cpath, and the first entry under P of Lua's own shapes (share|lib[/<multiarch>]/lua/<version>) is taken;
# Debian's /usr gives lib/<multiarch>/lua/5.4, /usr/local gives lib/lua/5.4. Without an interpreter, pkg-config's
# INSTALL_LMOD/INSTALL_CMOD when the prefix is pkg-config's own; for a prefix Lua does not search, Lua's own layout
# (share/lua/<version>, lib/lua/<version>), with a note saying so.
#
# Installed: xingtu/core.so and the Lua modules; for Lua 5.4 also the `xingtu` command, `xingtu-sandbox` with its
# files (share/xingtu/sandbox), the man pages and the bash, zsh and fish completions. The LuaJIT build installs the
# library only (the command line is Lua 5.4's). `cmake --build build --target uninstall` removes every file the last
# installs wrote (build/install_manifest.txt) and every directory they created, once empty.

if(XINGTU_LUAJIT)
  find_program(XINGTU_LUA_INTERP NAMES luajit DOC "The Lua interpreter asked where modules go")
else()
  find_program(XINGTU_LUA_INTERP NAMES lua5.4 lua DOC "The Lua interpreter asked where modules go")
endif()
# pkg-config's answer for its own prefix, the fallback when there is no interpreter to ask (nginx's LuaJIT alone).
if(XINGTU_LUAJIT)
  set(_xingtu_pc luajit)
else()
  set(_xingtu_pc lua5.4)
endif()
pkg_get_variable(_xingtu_pc_prefix ${_xingtu_pc} prefix)
pkg_get_variable(_xingtu_pc_lmod ${_xingtu_pc} INSTALL_LMOD)
pkg_get_variable(_xingtu_pc_cmod ${_xingtu_pc} INSTALL_CMOD)
set(XINGTU_INSTALL_CMOD "" CACHE STRING
  "Where xingtu/core.so goes, absolute or relative to the prefix (empty: where the prefix's Lua searches)")
set(XINGTU_INSTALL_LMOD "" CACHE STRING
  "Where the Lua modules go, absolute or relative to the prefix (empty: where the prefix's Lua searches)")
set(XINGTU_BIN_DIR "bin" CACHE STRING "Where the commands go, absolute or relative to the prefix")
if(XINGTU_LUAJIT)
  set(_xingtu_cli OFF)
else()
  set(_xingtu_cli ON)
endif()
option(XINGTU_INSTALL_CLI "Install the xingtu command, xingtu-sandbox, man pages and completions" ${_xingtu_cli})

install(CODE "
  set(XINGTU_SOURCE_DIR [[${CMAKE_CURRENT_SOURCE_DIR}]])
  set(XINGTU_BINARY_DIR [[${CMAKE_CURRENT_BINARY_DIR}]])
  set(XINGTU_CORE [[$<TARGET_FILE:xingtu_core>]])
  set(XINGTU_LUA_ABI [[${XINGTU_LUA_ABI}]])
  set(XINGTU_LUAJIT [[${XINGTU_LUAJIT}]])
  set(XINGTU_VERSION [[${PROJECT_VERSION}]])
  set(XINGTU_LUA_INTERP [[${XINGTU_LUA_INTERP}]])
  set(XINGTU_INSTALL_CMOD [[${XINGTU_INSTALL_CMOD}]])
  set(XINGTU_INSTALL_LMOD [[${XINGTU_INSTALL_LMOD}]])
  set(XINGTU_BIN_DIR [[${XINGTU_BIN_DIR}]])
  set(XINGTU_INSTALL_CLI [[${XINGTU_INSTALL_CLI}]])
  set(XINGTU_PC_PREFIX [[${_xingtu_pc_prefix}]])
  set(XINGTU_PC_LMOD [[${_xingtu_pc_lmod}]])
  set(XINGTU_PC_CMOD [[${_xingtu_pc_cmod}]])
  include([[${CMAKE_CURRENT_SOURCE_DIR}/cmake/install-files.cmake]])
")

add_custom_target(uninstall
  COMMAND ${CMAKE_COMMAND} -DXINGTU_BINARY_DIR=${CMAKE_CURRENT_BINARY_DIR}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/uninstall.cmake
  COMMENT "Removing what cmake --install wrote (install_manifest.txt) and the directories it created")
