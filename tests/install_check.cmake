# `cmake --install` into a scratch prefix, then checks what an operator
# finds there: the programs (each answers --version) and their man pages,
# the dictionaries, in share/doc/fixgw the README, operations and fixreplay
# documents, the unit, and an example fixgw.cfg with real values (no
# @PLACEHOLDER@ left) naming the installed dictionary; the unit in
# lib/systemd/system naming the prefix's fixgw; the logrotate file in
# etc/logrotate.d (the prefix is not /usr).
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
          share/doc/fixgw/risk.toml share/doc/fixgw/fixgw.cfg
          share/man/man1/fixgw.1.gz share/man/man1/fixsim.1.gz
          share/man/man1/fixload.1.gz share/man/man1/fixreplay.1.gz
          share/man/man1/fixlog.1.gz lib/systemd/system/fixgw.service
          etc/logrotate.d/fixgw)
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
file(READ "${PREFIX}/lib/systemd/system/fixgw.service" unit)
string(FIND "${unit}" "\nExecStart=${PREFIX}/bin/fixgw --config" at)
if(at EQUAL -1 OR unit MATCHES "/usr/local/")
  message(FATAL_ERROR "lib/systemd/system/fixgw.service does not name "
                      "${PREFIX}/bin/fixgw:\n${unit}")
endif()
foreach(program fixgw fixsim fixload fixreplay fixlog fixctl)
  execute_process(COMMAND "${PREFIX}/bin/${program}" --version
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^${program} [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    message(FATAL_ERROR "${program} --version: rc ${rc}, '${out}'")
  endif()
endforeach()
file(REMOVE_RECURSE "${PREFIX}")
