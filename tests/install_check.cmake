# `cmake --install` into a scratch prefix, then checks what an operator
# finds there: the programs (each answers --version), the dictionaries, and
# in share/doc/fixgw the README, operations and fixreplay documents, the
# unit, and an example fixgw.cfg with real values (no @PLACEHOLDER@ left)
# naming the installed dictionary.
# cmake -DBUILD_DIR=... -DPREFIX=... -P install_check.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}"
                        --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}\n${err}")
endif()
set(doc "${PREFIX}/share/doc/fixgw")
foreach(f bin/fixgw bin/fixsim bin/fixload bin/fixreplay bin/fixlog bin/fixctl
          share/fixgw/FIX44.xml share/fixgw/FIX42.xml
          share/doc/fixgw/README.md share/doc/fixgw/operations.md
          share/doc/fixgw/fixreplay.md share/doc/fixgw/fixgw.service
          share/doc/fixgw/risk.toml share/doc/fixgw/fixgw.cfg)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
file(READ "${doc}/fixgw.cfg" cfg)
string(REGEX MATCH "@[A-Za-z_]+@" placeholder "${cfg}")
if(placeholder)
  message(FATAL_ERROR "${doc}/fixgw.cfg keeps the placeholder ${placeholder}")
endif()
string(FIND "${cfg}" "DataDictionary=${PREFIX}/share/fixgw/FIX44.xml" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${doc}/fixgw.cfg does not name the installed "
                      "dictionary:\n${cfg}")
endif()
foreach(program fixgw fixsim fixload fixreplay fixlog fixctl)
  execute_process(COMMAND "${PREFIX}/bin/${program}" --version
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^${program} [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    message(FATAL_ERROR "${program} --version: rc ${rc}, '${out}'")
  endif()
endforeach()
file(REMOVE_RECURSE "${PREFIX}")
