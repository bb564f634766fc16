# The Debian package as an operator gets it: `cpack -G DEB` on this build,
# then the .deb's control data (Depends on the libraries the programs link,
# conffiles, maintainer scripts), its files, and what the files do when the
# package is unpacked (`dpkg-deb -x`) into a scratch root:
# - every program answers --version, and has a man page that renders;
# - the unit is Type=notify with a watchdog, checks the configuration in
#   ExecStartPre, names the package's /usr/bin/fixgw, and passes
#   systemd-analyze verify (where installed);
# - the example settings (share/doc/fixgw/fixgw.cfg) pass the unpacked
#   fixgw's --check-config (exit 0) with the files they name in place: the
#   dictionary, /etc/fixgw/risk.toml (the documented example),
#   /etc/fixgw/admin-tokens (made with fixgw --new-admin-token) and
#   /var/lib/fixgw. The root is a scratch directory, so those absolute
#   paths are moved under it, and nothing else is changed; a bad key then
#   fails the check with exit 2 and one line naming it.
# cmake -DBUILD_DIR=... -DWORK=... -P deb_check.cmake
foreach(var BUILD_DIR WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "deb_check.cmake: -D${var}= is required")
  endif()
endforeach()
set(programs fixgw fixsim fixload fixreplay fixlog fixctl)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run)
  cmake_parse_arguments(R "" "RC;OUT;ERR" "COMMAND" ${ARGN})
  execute_process(COMMAND ${R_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 300)
  if(R_RC)
    set(${R_RC} "${rc}" PARENT_SCOPE)
  elseif(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${R_COMMAND}")
    message(FATAL_ERROR "${shown}: exit ${rc}\n${out}\n${err}")
  endif()
  if(R_OUT)
    set(${R_OUT} "${out}" PARENT_SCOPE)
  endif()
  if(R_ERR)
    set(${R_ERR} "${err}" PARENT_SCOPE)
  endif()
endfunction()

# 1. Build the package.
run(COMMAND "${CMAKE_CPACK_COMMAND}" -G DEB
            --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK}/cpack"
    OUT cpack_out)
file(GLOB debs "${WORK}/cpack/*.deb")
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "cpack made ${n} .deb files:\n${cpack_out}")
endif()
list(GET debs 0 deb)
file(SIZE "${deb}" deb_size)
message(STATUS "package: ${deb} (${deb_size} bytes)")

# 2. Control data.
run(COMMAND dpkg-deb --field "${deb}" Package Version Depends OUT control)
message(STATUS "control:\n${control}")
foreach(dep libquickfix libsqlite3 libssl libfmt libspdlog libtomlplusplus
            adduser)
  if(NOT control MATCHES "Depends:[^\n]*${dep}")
    message(FATAL_ERROR "${deb}: Depends lacks ${dep}:\n${control}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK}/control")
run(COMMAND dpkg-deb --control "${deb}" "${WORK}/control")
file(READ "${WORK}/control/conffiles" conffiles)
if(NOT conffiles MATCHES "/etc/logrotate.d/fixgw")
  message(FATAL_ERROR "conffiles lacks /etc/logrotate.d/fixgw: ${conffiles}")
endif()
foreach(script postinst postrm)
  if(NOT EXISTS "${WORK}/control/${script}")
    message(FATAL_ERROR "${deb}: no ${script}")
  endif()
  run(COMMAND sh -n "${WORK}/control/${script}")
endforeach()

# 3. Files.
set(root "${WORK}/root")
run(COMMAND dpkg-deb -x "${deb}" "${root}")
set(expected
  usr/share/fixgw/FIX44.xml usr/share/fixgw/FIX42.xml
  usr/share/doc/fixgw/README.md usr/share/doc/fixgw/operations.md
  usr/share/doc/fixgw/fixreplay.md usr/share/doc/fixgw/fixgw.cfg
  usr/share/doc/fixgw/risk.toml usr/share/doc/fixgw/fixgw.service
  usr/lib/systemd/system/fixgw.service etc/logrotate.d/fixgw)
foreach(program ${programs})
  list(APPEND expected usr/bin/${program} usr/share/man/man1/${program}.1.gz)
endforeach()
foreach(f ${expected})
  if(NOT EXISTS "${root}/${f}")
    run(COMMAND dpkg-deb -c "${deb}" OUT listing)
    message(FATAL_ERROR "${deb} does not install /${f}:\n${listing}")
  endif()
endforeach()

# 4. Programs and man pages.
find_program(MAN man)
foreach(program ${programs})
  run(COMMAND "${root}/usr/bin/${program}" --version OUT out)
  if(NOT out MATCHES "^${program} [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    message(FATAL_ERROR "${program} --version: '${out}'")
  endif()
  run(COMMAND gzip -dc "${root}/usr/share/man/man1/${program}.1.gz" OUT page)
  if(NOT page MATCHES "^\\.TH ${program}" AND
     NOT page MATCHES "^\\.TH [A-Z]+ 1 ")
    message(FATAL_ERROR "${program}.1.gz is no man page:\n${page}")
  endif()
  foreach(section NAME SYNOPSIS OPTIONS)
    if(NOT page MATCHES "\n\\.SH ${section}\n")
      message(FATAL_ERROR "${program}.1.gz has no ${section}:\n${page}")
    endif()
  endforeach()
  if(NOT page MATCHES "\\\\-\\\\-version")
    message(FATAL_ERROR "${program}.1.gz does not list --version:\n${page}")
  endif()
  if(MAN)
    run(COMMAND "${MAN}" -l "${root}/usr/share/man/man1/${program}.1.gz"
        OUT shown ERR warnings)
    if(NOT shown MATCHES "${program}")
      message(FATAL_ERROR "man -l ${program}.1.gz:\n${shown}\n${warnings}")
    endif()
  endif()
endforeach()

# 5. The unit.
file(READ "${root}/usr/lib/systemd/system/fixgw.service" unit)
foreach(line
    "Type=notify" "NotifyAccess=main" "WatchdogSec="
    "ExecStartPre=/usr/bin/fixgw --config /etc/fixgw/fixgw.cfg --check-config"
    "ExecStart=/usr/bin/fixgw --config /etc/fixgw/fixgw.cfg")
  string(FIND "${unit}" "\n${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "fixgw.service lacks '${line}':\n${unit}")
  endif()
endforeach()
if(unit MATCHES "/usr/local/")
  message(FATAL_ERROR "the package's fixgw.service names /usr/local/")
endif()
# systemd's own check of the unit (it wants ExecStart's program to exist:
# the unpacked one).
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(SYSTEMD_ANALYZE)
  string(REPLACE "/usr/bin/fixgw" "${root}/usr/bin/fixgw" checked "${unit}")
  file(WRITE "${WORK}/fixgw.service" "${checked}")
  run(COMMAND "${SYSTEMD_ANALYZE}" verify "${WORK}/fixgw.service"
      RC rc OUT out ERR err)
  if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
    message(FATAL_ERROR "systemd-analyze verify fixgw.service: exit ${rc}\n"
                        "${out}${err}")
  endif()
endif()

# 6. The example settings, checked by the unpacked fixgw.
set(doc "${root}/usr/share/doc/fixgw")
file(READ "${doc}/fixgw.cfg" cfg)
foreach(line "DataDictionary=/usr/share/fixgw/FIX44.xml"
             "JournalPath=/var/lib/fixgw/journal.db"
             "RiskConfig=/etc/fixgw/risk.toml"
             "AdminTokenFile=/etc/fixgw/admin-tokens")
  string(FIND "${cfg}" "\n${line}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${doc}/fixgw.cfg lacks '${line}':\n${cfg}")
  endif()
endforeach()
if(cfg MATCHES "@[A-Za-z_]+@")
  message(FATAL_ERROR "${doc}/fixgw.cfg keeps a placeholder:\n${cfg}")
endif()
foreach(dir /usr/share/fixgw/ /etc/fixgw/ /var/lib/fixgw/)
  string(REPLACE "=${dir}" "=${root}${dir}" cfg "${cfg}")
endforeach()
file(WRITE "${WORK}/fixgw.cfg" "${cfg}")
file(MAKE_DIRECTORY "${root}/etc/fixgw" "${root}/var/lib/fixgw")
file(CHMOD "${root}/var/lib/fixgw" DIRECTORY_PERMISSIONS
     OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
file(COPY_FILE "${doc}/risk.toml" "${root}/etc/fixgw/risk.toml")
run(COMMAND "${root}/usr/bin/fixgw" --new-admin-token ops OUT token)
file(WRITE "${root}/etc/fixgw/admin-tokens" "${token}")
file(CHMOD "${root}/etc/fixgw/admin-tokens" PERMISSIONS OWNER_READ OWNER_WRITE)
run(COMMAND "${root}/usr/bin/fixgw" --config "${WORK}/fixgw.cfg" --check-config
    RC rc OUT out ERR err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "configuration OK")
  message(FATAL_ERROR "fixgw --check-config on the example settings: exit "
                      "${rc}\n${out}\n${err}\n--- settings:\n${cfg}")
endif()
message(STATUS "example settings: ${out}${err}")
file(GLOB created "${root}/var/lib/fixgw/*")
if(created)
  message(FATAL_ERROR "--check-config created ${created}")
endif()
file(WRITE "${WORK}/bad.cfg" "${cfg}NoSuchKey=1\n")
run(COMMAND "${root}/usr/bin/fixgw" --config "${WORK}/bad.cfg" --check-config
    RC rc OUT out ERR err)
string(STRIP "${err}" err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "NoSuchKey" OR NOT err MATCHES "bad.cfg"
   OR err MATCHES "\n")
  message(FATAL_ERROR "fixgw --check-config on a bad key: exit ${rc} (want "
                      "2 and one line naming the key and file):\n${out}\n${err}")
endif()
message(STATUS "bad key: ${err}")
file(REMOVE_RECURSE "${WORK}")
