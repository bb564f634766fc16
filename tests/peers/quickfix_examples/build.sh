#!/usr/bin/env bash
# Builds QuickFIX's own example programs `executor` and `ordermatch` (from
# Debian's libquickfix-doc, sources under /usr/share/doc) into OUTDIR.
#   usage: build.sh OUTDIR
# Installs libquickfix-doc / libquickfix-dev / g++ / pkg-config with apt-get
# when missing (root). Idempotent: does nothing when OUTDIR already holds
# binaries newer than the sources. Nothing here is committed third-party code:
# the sources come from the Debian package at build time.
set -euo pipefail

die() { echo "quickfix_examples/build.sh: $*" >&2; exit 1; }
[[ $# -eq 1 ]] || die "usage: build.sh OUTDIR"
OUT=$1
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
EX=/usr/share/doc/libquickfix-doc/examples

# --- prerequisites -----------------------------------------------------------
missing=()
[[ -d $EX/executor/C++ && -d $EX/ordermatch ]] || missing+=(libquickfix-doc)
[[ -f /usr/include/quickfix/Session.h ]] || missing+=(libquickfix-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]} and not root; install them with apt-get"
  echo "quickfix_examples/build.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq </dev/null || die "apt-get update failed"
  timeout 900 apt-get install -y -qq "${missing[@]}" </dev/null || die "apt-get install ${missing[*]} failed"
fi
# Slim images' dpkg path-exclude drops /usr/share/doc content: then unpack
# the package's .deb ourselves into OUTDIR/deb.
have_src() { [[ -f $1/executor/C++/Application.cpp.gz || -f $1/executor/C++/Application.cpp ]]; }
if ! have_src "$EX"; then
  DEB=$OUT/deb
  if ! have_src "$DEB/usr/share/doc/libquickfix-doc/examples"; then
    echo "quickfix_examples/build.sh: $EX has no sources; unpacking libquickfix-doc's .deb" >&2
    mkdir -p "$DEB"
    ( cd "$DEB" && rm -f libquickfix-doc_*.deb &&
      { timeout 600 apt-get download libquickfix-doc </dev/null ||
        { timeout 600 apt-get update -qq </dev/null && timeout 600 apt-get download libquickfix-doc </dev/null; }; } &&
      dpkg-deb -x libquickfix-doc_*.deb . && rm -f libquickfix-doc_*.deb ) || die "cannot get libquickfix-doc's sources"
  fi
  EX=$DEB/usr/share/doc/libquickfix-doc/examples
  have_src "$EX" || die "no example sources in libquickfix-doc"
fi
pkg-config --exists quickfix || die "pkg-config does not know quickfix (libquickfix-dev)"

# --- sources: copy (gunzip where Debian compressed them) ---------------------
SRC=$OUT/src
copy_tree() {  # copy_tree FROMDIR TODIR : *.cpp/*.h, decompressing *.gz
  local from=$1 to=$2 f base
  mkdir -p "$to"
  for f in "$from"/*.cpp "$from"/*.h "$from"/*.cpp.gz "$from"/*.h.gz; do
    [[ -e $f ]] || continue
    base=$(basename "$f")
    if [[ $f == *.gz ]]; then
      base=${base%.gz}
      [[ -f $to/$base && $to/$base -nt $f ]] || gzip -dc "$f" >"$to/$base"
    else
      [[ -f $to/$base && $to/$base -nt $f ]] || cp "$f" "$to/$base"
    fi
  done
}
copy_tree "$EX/executor/C++" "$SRC/executor"
copy_tree "$EX/ordermatch" "$SRC/ordermatch"

# The examples #include "config.h" (autoconf's, not installed). Ours:
# std::unique_ptr/shared_ptr as QuickFIX 1.15.1 uses on a modern toolchain;
# no SSL (the examples then build their plain SocketAcceptor only).
cat >"$OUT/config.h.new" <<'H'
/* config.h for building QuickFIX examples against Debian's libquickfix-dev */
#define HAVE_STD_UNIQUE_PTR 1
#define HAVE_STD_SHARED_PTR 1
H
if cmp -s "$OUT/config.h.new" "$OUT/config.h" 2>/dev/null; then rm -f "$OUT/config.h.new"; else mv "$OUT/config.h.new" "$OUT/config.h"; fi

# --- build -------------------------------------------------------------------
# -std=c++14: QuickFIX 1.15.1 headers use dynamic exception specifications.
CXXFLAGS=(-std=c++14 -O1 -w -pthread -I"$OUT" $(pkg-config --cflags quickfix))
LIBS=($(pkg-config --libs quickfix) -pthread)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SHIM=$HERE/loopback_acceptor.cpp
[[ -f $SHIM ]] || die "missing $SHIM"
# Our loopback_acceptor.cpp replaces FIX::socket_createAcceptor (INADDR_ANY in
# QuickFIX 1.15.1) so the examples listen on 127.0.0.1 only.
LDEXPORT=(-Wl,--export-dynamic-symbol=_ZN3FIX21socket_createAcceptorEib)

build() {  # build NAME SRCDIR
  local name=$1 dir=$2 need=0 f
  local bin=$OUT/$name
  if [[ ! -x $bin ]]; then need=1; else
    for f in "$dir"/*.cpp "$dir"/*.h "$OUT/config.h" "$SHIM" "${BASH_SOURCE[0]}"; do [[ $f -nt $bin ]] && need=1; done
  fi
  if [[ $need -eq 0 ]]; then echo "quickfix_examples/build.sh: $bin up to date"; return 0; fi
  echo "quickfix_examples/build.sh: building $bin"
  local srcs=()
  for f in "$dir"/*.cpp; do srcs+=("$f"); done
  srcs+=("$SHIM")
  if ! timeout 600 g++ "${CXXFLAGS[@]}" -I"$dir" -o "$bin.tmp" "${srcs[@]}" "${LDEXPORT[@]}" "${LIBS[@]}" >"$OUT/$name.build.log" 2>&1; then
    # Retry with ssl/crypto in case the library needs them at link time.
    if ! timeout 600 g++ "${CXXFLAGS[@]}" -I"$dir" -o "$bin.tmp" "${srcs[@]}" "${LDEXPORT[@]}" "${LIBS[@]}" -lssl -lcrypto >>"$OUT/$name.build.log" 2>&1; then
      tail -n 30 "$OUT/$name.build.log" >&2
      rm -f "$bin.tmp"
      die "building $name failed (log: $OUT/$name.build.log)"
    fi
  fi
  # The shim must be exported, or libquickfix would still bind INADDR_ANY.
  if command -v nm >/dev/null && [[ $(nm -D --defined-only "$bin.tmp") != *_ZN3FIX21socket_createAcceptorEib* ]]; then
    rm -f "$bin.tmp"; die "$name does not export the loopback socket_createAcceptor"
  fi
  mv "$bin.tmp" "$bin"
}
build executor "$SRC/executor"
build ordermatch "$SRC/ordermatch"
echo "quickfix_examples/build.sh: ok: $OUT/executor $OUT/ordermatch"
