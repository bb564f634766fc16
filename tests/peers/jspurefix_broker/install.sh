#!/usr/bin/env bash
# Installs the jspurefix broker's npm dependencies (jspurefix 5.11.4, pinned by
# package.json + package-lock.json beside this script) into DIR:
#   usage: install.sh DIR        then: node broker.js --modules DIR ...
# DIR is a build/test folder, never this source folder. Installs nodejs/npm
# with apt-get when missing (root). Idempotent: a stamp in DIR records what was
# installed; a second run with the same lockfile does nothing.
set -euo pipefail

die() { echo "jspurefix_broker/install.sh: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: install.sh DIR"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1" || die "cannot create $1"
DIR=$(cd "$1" && pwd)
[[ $DIR != "$HERE" ]] || die "DIR must not be the source folder"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "node/npm missing and not root"
  echo "jspurefix_broker/install.sh: installing nodejs npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq </dev/null || die "apt-get update failed"
  timeout 900 apt-get install -y -qq nodejs npm </dev/null || die "apt-get install nodejs npm failed"
fi

want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
PKG=$DIR/node_modules/jspurefix
if [[ -f $DIR/.jspurefix-installed && $(cat "$DIR/.jspurefix-installed") == "$want" &&
      -f $PKG/package.json && -f $PKG/data/FIX44.xml && -d $PKG/data/fix_repo/FIX.4.4 ]]; then
  echo "jspurefix_broker/install.sh: $DIR up to date"
  exit 0
fi

cp "$HERE/package.json" "$HERE/package-lock.json" "$DIR/"
rm -f "$DIR/.jspurefix-installed"
echo "jspurefix_broker/install.sh: npm ci in $DIR"
# --ignore-scripts: npm 11 would not run jspurefix's postinstall anyway; we
# do its one step (unzip data/fix_repo.zip) ourselves below.
( cd "$DIR" && timeout 900 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null ) ||
  die "npm ci failed in $DIR"
[[ -f $PKG/package.json ]] || die "jspurefix missing after npm ci"
ver=$(node -p "require('$PKG/package.json').version")
[[ $ver == 5.11.4 ]] || die "expected jspurefix 5.11.4, got $ver"

# jspurefix's postinstall: unzip the FIX repository (needed only by the repo*
# dictionaries; broker.js uses the QuickFIX-format data/FIX4x.xml ones, but
# --dict repo44 then works too). Same command as its package.json.
if [[ ! -d $PKG/data/fix_repo/FIX.4.4 ]]; then
  ( cd "$PKG/data" && timeout 300 node ../src/util/unzip fix_repo.zip >/dev/null ) || die "unzipping fix_repo.zip failed"
  [[ -d $PKG/data/fix_repo/FIX.4.4 ]] || die "fix_repo.zip did not unpack"
fi
echo "$want" >"$DIR/.jspurefix-installed"
echo "jspurefix_broker/install.sh: ok: jspurefix $ver in $DIR/node_modules"
