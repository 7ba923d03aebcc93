# cmake --build build --target uninstall: removes every file listed in install_manifest.txt (the last
# `cmake --install`), then the directories those installs created (install_dirs.txt, written by
# cmake/install-files.cmake), deepest first and only when empty: nothing of xingtu is left, nothing else is touched.
# Both lists are without DESTDIR: give the same DESTDIR as to the install (DESTDIR=/stage cmake --build ...).

set(_root "$ENV{DESTDIR}")

set(_manifest "${XINGTU_BINARY_DIR}/install_manifest.txt")
if(NOT EXISTS "${_manifest}")
  message(FATAL_ERROR "xingtu: ${_manifest} not found: nothing was installed from this build directory")
endif()
file(STRINGS "${_manifest}" _files)
foreach(_f IN LISTS _files)
  set(_f "${_root}${_f}")
  if(EXISTS "${_f}" OR IS_SYMLINK "${_f}")
    message(STATUS "Removing ${_f}")
    file(REMOVE "${_f}")
  endif()
endforeach()

set(_record "${XINGTU_BINARY_DIR}/install_dirs.txt")
if(EXISTS "${_record}")
  file(STRINGS "${_record}" _dirs)
  # Deepest first: sorted descending, a directory comes before its parent.
  list(SORT _dirs ORDER DESCENDING)
  foreach(_d IN LISTS _dirs)
    set(_d "${_root}${_d}")
    if(IS_DIRECTORY "${_d}")
      file(GLOB _left LIST_DIRECTORIES true "${_d}/*" "${_d}/.*")
      if(_left STREQUAL "")
        message(STATUS "Removing ${_d}/")
        file(REMOVE_RECURSE "${_d}")
      else()
        message(STATUS "Keeping ${_d}/ (not empty)")
      endif()
    endif()
  endforeach()
  file(REMOVE "${_record}")
endif()
file(REMOVE "${_manifest}")
