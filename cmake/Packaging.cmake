# `cpack -G DEB` (from the build directory, or `cpack -G DEB --config
# BUILD/CPackConfig.cmake`): a Debian 12 package of what `cmake --install`
# installs, with the prefix /usr: the five programs (stripped), the FIX
# dictionaries, man pages, documents and example settings, the systemd unit
# (/usr/lib/systemd/system/fixgw.service) and /etc/logrotate.d/fixgw (a
# conffile). Depends: the shared libraries the programs link, found by
# dpkg-shlibdeps (dpkg-dev), plus adduser for the postinst, which creates
# the fixgw system user and /etc/fixgw; nothing is enabled or started (the
# gateway needs its settings first: docs/operations.md). Checked by the
# `deb_package` test (tests/deb_check.cmake).
# With the Ninja presets cpack packages what the build made and builds
# nothing (Ninja has no preinstall target): build first.
set(CPACK_PACKAGE_NAME fixgw)
set(CPACK_PACKAGE_VENDOR "fixgw")
set(CPACK_PACKAGE_CONTACT "fixgw maintainers <fixgw@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "FIX 4.2/4.4 order gateway with pre-trade risk and an exactly-once journal")
# The extended description; CPack puts the summary line first and indents.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"fixgw sits between brokers' FIX sessions and an exchange: every order is
validated, checked against pre-trade risk limits, journaled in SQLite with
exactly-once semantics and routed to the exchange; execution reports flow
back to the broker that owns the order. Also: fixsim (an exchange
simulator), fixload (a scripted FIX client and load generator), fixreplay
(the journal's audit trail and hash-chain check), fixlog (FIX logs with
field names) and fixctl (the operator's command line over the admin API).")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Install with DESTDIR and the real prefix, so that files written at install
# time (the example settings, the unit) name /usr, not the staging
# directory.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
  ${CMAKE_CURRENT_LIST_DIR}/debian/postrm
  ${CMAKE_CURRENT_LIST_DIR}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Only the package generator this file is for.
set(CPACK_GENERATOR DEB)
include(CPack)
