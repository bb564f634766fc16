#!/bin/sh
# promtool check rules + promtool test rules on the alert rules in DIR
# (docs/prometheus). promtool is in Debian's `prometheus` package, which
# scripts/deps.sh installs; without it the test is skipped (exit 77) unless
# CI=true, where a missing promtool is a failure.
# Usage: prometheus_rules_check.sh DIR
set -eu
dir="$1"
if ! command -v promtool >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "promtool not found (apt-get install prometheus; scripts/deps.sh)" >&2
    exit 1
  fi
  echo "SKIP: promtool not found (Debian package prometheus; scripts/deps.sh installs it)"
  exit 77
fi
cd "$dir"
promtool check rules fixgw-alerts.yml
promtool test rules fixgw-alerts.test.yml
