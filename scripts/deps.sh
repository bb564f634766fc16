#!/usr/bin/env bash
# Installs the build and test dependencies on Debian 12 when any is missing.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config nlohmann-json3-dev
  libquickfix-dev libsqlite3-dev libssl-dev openssl libfmt-dev libcli11-dev
  googletest libgtest-dev libgmock-dev clang libclang-rt-14-dev
  libtomlplusplus-dev libbenchmark-dev libcpp-httplib-dev libspdlog-dev
  chromium dpkg-dev file logrotate prometheus
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
