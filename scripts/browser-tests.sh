#!/usr/bin/env bash
# Runs the editor's browser tests (Tests/Browser/run.py) against the built `windflow` in headless Chromium.
# Installs what is missing first: Debian's chromium and chromium-driver, and selenium from PyPI.
# Usage: scripts/browser-tests.sh [run.py options, e.g. -k design]   (WINDFLOW_BIN: the binary, default .build/debug/windflow)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
if ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
if ! command -v chromedriver >/dev/null 2>&1; then need_apt+=(chromium-driver); fi
if ((${#need_apt[@]})); then
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    echo "browser-tests: installing ${need_apt[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
if ! python3 -c 'import selenium' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check selenium \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages selenium
fi

export WINDFLOW_BIN="${WINDFLOW_BIN:-.build/debug/windflow}"
# The whole suite takes about a minute; the bound stops a hung browser from holding CI.
exec timeout --kill-after=10 600 python3 Tests/Browser/run.py "$@"
