# Mutant plugins for the mutation score (conformance/<suite>/mutants/). A mutant is one realistic bug applied by
# mutants.py to a copy of reference/ in the build tree, built as a C-ABI plugin. Only what the bug changes is
# compiled again: a mutant of a .cpp file recompiles that file alone and links the other model files from objects
# compiled once; a mutant of a header recompiles every file of the copy. This keeps the build (which CI runs on two
# cores) from compiling the whole model once per mutant; mutants are built at -O1 without debug information (they
# run a few thousand operations each, so compile time matters more than their speed). For the same reason the
# SOURCES (the shim) are compiled once and shared by every plugin whose headers are unmutated; the plugin's name,
# the only thing that differs, is a one-line generated file (vipcts_mutant_name, which VIPCTS_MUTANT_NAME names).
#
# vipcts_add_mutants(SUITE name SCRIPT mutants.py SUBDIRS dir... [SOURCES extra.cpp...] [INCLUDES dir...]
#                    [CONTROL name])
#   SUBDIRS   folders under reference/ the model is made of (copied and compiled)
#   SOURCES   extra sources every plugin links (the C ABI shim)
#   CONTROL   an unmutated plugin named so, written to control/ instead of plugins/
# Defines the target <suite>_mutants building every plugin.
# A mutant plugin is built without the sanitizers, also in the sanitizer build (which runs the mutation scores):
# a mutant is killed when the vectors' verdicts catch its bug, not when a sanitizer aborts the plugin host on it.
function(vipcts_unsanitized target)
  foreach(_prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(_opts ${target} ${_prop})
    if(_opts)
      list(REMOVE_ITEM _opts ${VIPCTS_SANITIZE_COMPILE_FLAGS} ${VIPCTS_SANITIZE_LINK_FLAGS})
      set_target_properties(${target} PROPERTIES ${_prop} "${_opts}")
    endif()
  endforeach()
endfunction()

function(vipcts_add_mutants)
  cmake_parse_arguments(M "" "SUITE;SCRIPT;CONTROL" "SUBDIRS;SOURCES;INCLUDES" ${ARGN})
  execute_process(COMMAND ${Python3_EXECUTABLE} ${M_SCRIPT} --describe OUTPUT_VARIABLE _desc
                  RESULT_VARIABLE _rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${M_SCRIPT} --describe failed")
  endif()
  set(_tool ${PROJECT_SOURCE_DIR}/cmake/mutants_tool.py)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${M_SCRIPT} ${_tool})

  set(_ref_files)
  set(_ref_cpp)
  foreach(_sub IN LISTS M_SUBDIRS)
    file(GLOB _f CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/reference/${_sub}/*)
    file(GLOB _c RELATIVE ${PROJECT_SOURCE_DIR}/reference CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/reference/${_sub}/*.cpp)
    list(APPEND _ref_files ${_f})
    list(APPEND _ref_cpp ${_c})
  endforeach()

  # The unmutated model, each file its own object library so a mutant can leave exactly one out.
  foreach(_f IN LISTS _ref_cpp)
    string(MAKE_C_IDENTIFIER "${M_SUITE}_mutbase_${_f}" _obj)
    add_library(${_obj} OBJECT ${PROJECT_SOURCE_DIR}/reference/${_f})
    target_include_directories(${_obj} PRIVATE ${PROJECT_SOURCE_DIR} ${M_INCLUDES})
    target_compile_options(${_obj} PRIVATE -g0 -O1)
    set_target_properties(${_obj} PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden)
    vipcts_unsanitized(${_obj})
  endforeach()

  # Every plugin's sources see VIPCTS_MUTANT_NAME as the array its own <name>/mutant_name.cpp defines.
  set(_name_hdr ${CMAKE_CURRENT_BINARY_DIR}/mutant_name.hpp)
  file(CONFIGURE OUTPUT ${_name_hdr} CONTENT
       "extern \"C\" const char vipcts_mutant_name[];\n#define VIPCTS_MUTANT_NAME vipcts_mutant_name\n")
  set(_flags -g0 -O1 -Wno-unused-parameter -Wno-unused-variable -include ${_name_hdr})
  # The shim against the unmutated headers, for every plugin whose mutant is in a .cpp file (and the control).
  set(_shim ${M_SUITE}_mutshim)
  add_library(${_shim} OBJECT ${M_SOURCES})
  target_include_directories(${_shim} PRIVATE ${PROJECT_SOURCE_DIR} ${M_INCLUDES} ${PROJECT_SOURCE_DIR}/harness/include)
  target_compile_options(${_shim} PRIVATE ${_flags})
  set_target_properties(${_shim} PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden)
  vipcts_unsanitized(${_shim})

  string(REPLACE "\n" ";" _lines "${_desc}")
  set(_entries)
  foreach(_line IN LISTS _lines)
    string(REPLACE "\t" ";" _cols "${_line}")
    list(GET _cols 0 _n)
    list(GET _cols 1 _file)
    list(APPEND _entries "${_n}|${_file}")
  endforeach()
  if(M_CONTROL)
    list(APPEND _entries "${M_CONTROL}|")
  endif()

  set(_all)
  foreach(_e IN LISTS _entries)
    string(REPLACE "|" ";" _e "${_e}")
    list(GET _e 0 _n)
    list(LENGTH _e _len)
    set(_file "")
    if(_len GREATER 1)
      list(GET _e 1 _file)
    endif()
    set(_dir ${CMAKE_CURRENT_BINARY_DIR}/${_n})
    set(_tgt ${M_SUITE}_mutant_${_n})
    # Which files this plugin compiles from its copy, and which it takes from the unmutated objects.
    set(_own)
    set(_objs)
    set(_shim_srcs)
    if(_file MATCHES "\\.cpp$")
      list(APPEND _own ${_file})
    elseif(NOT _file STREQUAL "")
      # A mutated header may change what the shim compiles to: it is compiled again against the copy.
      set(_own ${_ref_cpp})
      set(_shim_srcs ${M_SOURCES})
    endif()
    if(NOT _shim_srcs)
      list(APPEND _objs $<TARGET_OBJECTS:${_shim}>)
    endif()
    file(CONFIGURE OUTPUT ${_dir}/mutant_name.cpp CONTENT "extern \"C\" const char vipcts_mutant_name[] = \"${_n}\";\n")
    foreach(_f IN LISTS _ref_cpp)
      if(NOT _f IN_LIST _own)
        string(MAKE_C_IDENTIFIER "${M_SUITE}_mutbase_${_f}" _obj)
        list(APPEND _objs $<TARGET_OBJECTS:${_obj}>)
      endif()
    endforeach()
    set(_srcs)
    foreach(_f IN LISTS _own)
      list(APPEND _srcs ${_dir}/reference/${_f})
    endforeach()
    if(_srcs)
      add_custom_command(OUTPUT ${_dir}/stamp ${_srcs}
                         COMMAND ${Python3_EXECUTABLE} ${M_SCRIPT} --make ${_n} --src ${PROJECT_SOURCE_DIR}/reference
                                 --out ${_dir}/reference
                         DEPENDS ${M_SCRIPT} ${_tool} ${_ref_files} COMMENT "${M_SUITE} mutant ${_n}")
    endif()
    add_library(${_tgt} MODULE ${_srcs} ${_shim_srcs} ${_dir}/mutant_name.cpp ${_objs})
    target_include_directories(${_tgt} BEFORE PRIVATE ${_dir} ${PROJECT_SOURCE_DIR} ${M_INCLUDES}
                                                      ${PROJECT_SOURCE_DIR}/harness/include)
    # A mutant may delete the only use of a parameter or variable.
    target_compile_options(${_tgt} PRIVATE ${_flags})
    set(_out plugins)
    if(_n STREQUAL "${M_CONTROL}")
      set(_out control)
    endif()
    set_target_properties(${_tgt} PROPERTIES CXX_VISIBILITY_PRESET hidden PREFIX "" OUTPUT_NAME ${_n}
                                             LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${_out})
    target_link_options(${_tgt} PRIVATE -Wl,-Bsymbolic)
    vipcts_unsanitized(${_tgt})
    list(APPEND _all ${_tgt})
  endforeach()
  add_custom_target(${M_SUITE}_mutants DEPENDS ${_all})
endfunction()
