#!/usr/bin/env bash
# Real tools some tests use, installed from Debian's packages when missing (tests never skip
# because a tool is absent: CI installs it here).
set -euo pipefail
need=()
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# Debian's prometheus package ships both `prometheus` and `promtool`.
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
# A real headless browser renders the backtest's report.html in its test.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} for the tests" >&2
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
