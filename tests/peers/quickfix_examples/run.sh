#!/usr/bin/env bash
# Runs a built QuickFIX example with a settings file:
#   usage: run.sh BINARY CFG
# `ordermatch` reads commands from stdin (`#symbols`, `#quit`, a symbol) and
# busy-loops printing when stdin is at EOF (CI has no stdin). So stdin is a
# FIFO opened read-write: it never reports EOF and nothing ever writes to it.
# exec: the example keeps this process's PID, so SIGTERM reaches it directly.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: run.sh BINARY CFG" >&2; exit 2; }
BIN=$1 CFG=$2
[[ -x $BIN ]] || { echo "run.sh: $BIN is not executable (run build.sh)" >&2; exit 2; }
[[ -f $CFG ]] || { echo "run.sh: no settings file $CFG" >&2; exit 2; }
fifo=$(mktemp -u "${TMPDIR:-/tmp}/qfex-stdin.XXXXXX")
mkfifo -m 600 "$fifo"
exec 0<>"$fifo"
rm -f "$fifo"
exec "$BIN" "$CFG"
