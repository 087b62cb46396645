#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for WindFlow's tests.
#   postgres.sh start DIR   -> creates a cluster in DIR, starts it on a free port, prints its connection URL
#   postgres.sh start DIR PID -> the same, and stops it once process PID has ended (a test process that keeps one
#                             server for all its tests, and may end without stopping it)
#   postgres.sh halt DIR    -> stops the server, keeping its data (to test a lost database)
#   postgres.sh resume DIR  -> starts a halted server again, on the same port
#   postgres.sh stop DIR    -> stops it and removes DIR
# As root, the cluster belongs to the 'postgres' user (PostgreSQL refuses to run as root).
# WINDFLOW_PG_OPTIONS: more server settings (benchmarks: "-c fsync=on -c shared_preload_libraries=pg_stat_statements");
# the tests' default is fsync=off, as a throwaway server needs no durability.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "PostgreSQL server binaries not found (install postgresql)" >&2; exit 1; }
as_owner() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$command" in
start)
    mkdir -p "$dir"
    if [[ $(id -u) == 0 ]]; then chown postgres "$dir"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_owner "$bin/initdb" -D "$dir/data" -U windflow --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off ${WINDFLOW_PG_OPTIONS:-}" start >/dev/null
    echo "$port" >"$dir/port"
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U windflow windflow_test
    if [[ -n "${3:-}" ]]; then
        watched=$3
        (
            while kill -0 "$watched" 2>/dev/null; do sleep 1; done
            "$0" stop "$dir"
        ) </dev/null >/dev/null 2>&1 &
    fi
    echo "postgresql://windflow@127.0.0.1:$port/windflow_test"
    ;;
halt)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off ${WINDFLOW_PG_OPTIONS:-}" start >/dev/null
    ;;
stop)
    if [[ -d "$dir/data" ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
esac
