#!/usr/bin/env bash
# Installs what building and testing WindFlow needs on a Debian machine that has Swift.
# Safe to run again: it installs only what is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

need_apt=()
# GRDB builds against the system SQLite.
if [[ ! -f /usr/include/sqlite3.h ]]; then need_apt+=(libsqlite3-dev); fi
# Every outgoing call goes through libcurl; PostgreSQL through libpq.
if ! pkg-config --exists libcurl 2>/dev/null; then need_apt+=(libcurl4-openssl-dev pkg-config); fi
if ! pkg-config --exists libpq 2>/dev/null; then need_apt+=(libpq-dev pkg-config); fi
# Tests start a real PostgreSQL server and use git on local repositories.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need_apt+=(postgresql); fi
if ! command -v git >/dev/null 2>&1; then need_apt+=(git); fi
if ! command -v openssl >/dev/null 2>&1; then need_apt+=(openssl); fi
# The deployment tests start a real Docker daemon and import a busybox image made from a local rootfs.
if ! command -v dockerd >/dev/null 2>&1; then need_apt+=(docker.io); fi
if [[ ! -x /bin/busybox ]]; then need_apt+=(busybox-static); fi
if ! command -v iptables >/dev/null 2>&1; then need_apt+=(iptables); fi
if ! command -v gzip >/dev/null 2>&1; then need_apt+=(gzip); fi
# scripts/test-peers/schemathesis.sh keeps the service it fuzzes in a network namespace of its own.
if ! command -v unshare >/dev/null 2>&1; then need_apt+=(util-linux); fi
if ! command -v ip >/dev/null 2>&1; then need_apt+=(iproute2); fi
# Script nodes run bash, sh and python3.
if ! command -v python3 >/dev/null 2>&1; then need_apt+=(python3 python3-pip); fi
# The JSON Schema test checks `windflow schema` with an independent validator (Python's jsonschema).
if ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
    if python3 -m pip --version >/dev/null 2>&1; then
        python3 -m pip install --quiet --disable-pip-version-check pyyaml jsonschema \
            || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pyyaml jsonschema \
            || need_apt+=(python3-yaml python3-jsonschema)
    else
        need_apt+=(python3 python3-yaml python3-jsonschema)
    fi
fi

if ((${#need_apt[@]})); then
    sudo=""
    if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
    echo "install-deps: installing ${need_apt[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
