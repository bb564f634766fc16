#!/usr/bin/env bash
# Configures and builds one CMake preset (default: dev) after making sure the
# dependencies are installed. Usage: scripts/build.sh [dev|release|asan-ubsan|tsan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
scripts/deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
