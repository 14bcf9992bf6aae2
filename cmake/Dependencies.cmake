# Every third-party dependency comes from a Debian 12 package. A missing one stops the configure step with the
# package to install, so nobody has to decode a CMake error about a config file.
function(vipcts_require_package cmake_name debian_package)
  find_package(${cmake_name} CONFIG QUIET)
  if(NOT ${cmake_name}_FOUND)
    message(FATAL_ERROR "vipcts: ${cmake_name} not found. Install the Debian package '${debian_package}' "
                        "(scripts/setup.sh installs everything).")
  endif()
endfunction()

vipcts_require_package(GTest libgtest-dev)
vipcts_require_package(rapidcheck librapidcheck-dev)
vipcts_require_package(yaml-cpp libyaml-cpp-dev)
vipcts_require_package(CLI11 libcli11-dev)
vipcts_require_package(nlohmann_json nlohmann-json3-dev)
vipcts_require_package(fmt libfmt-dev)
vipcts_require_package(benchmark libbenchmark-dev)

find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "vipcts: pkg-config not found. Install the Debian package 'pkg-config'.")
endif()
pkg_check_modules(Z3 QUIET IMPORTED_TARGET z3)
if(NOT Z3_FOUND)
  message(FATAL_ERROR "vipcts: Z3 not found through pkg-config. Install the Debian package 'libz3-dev'.")
endif()

find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(FATAL_ERROR "vipcts: python3 not found. Install the Debian package 'python3'.")
endif()

# rapidcheck's Debian config names the gtest integration separately.
if(NOT TARGET rapidcheck_gtest)
  add_library(rapidcheck_gtest INTERFACE)
  target_link_libraries(rapidcheck_gtest INTERFACE rapidcheck)
endif()
