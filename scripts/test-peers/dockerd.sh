#!/usr/bin/env bash
# A throwaway Docker daemon for WindFlow's tests, with a busybox image imported from a local rootfs (no registry is
# reachable here).
#   dockerd.sh start DIR  -> starts dockerd with everything under DIR, imports windflow/busybox:test, prints the socket
#   dockerd.sh stop DIR   -> removes its containers, stops it and removes DIR
# Needs root, docker.io, busybox-static and iptables (scripts/install-deps.sh installs them).
set -euo pipefail
command=${1:?start or stop}
dir=${2:?directory}
socket="$dir/docker.sock"
client() { docker -H "unix://$socket" "$@"; }

start_daemon() {
    local driver=$1
    cat >"$dir/daemon.json" <<JSON
{
  "hosts": ["unix://$socket"],
  "data-root": "$dir/data",
  "exec-root": "$dir/exec",
  "pidfile": "$dir/docker.pid",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "storage-driver": "$driver",
  "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 20000, "Hard": 20000}},
  "default-address-pools": [{"base": "10.213.0.0/16", "size": 24}],
  "log-level": "warn"
}
JSON
    dockerd --config-file "$dir/daemon.json" >"$dir/dockerd.log" 2>&1 &
    echo $! >"$dir/dockerd.launcher.pid"
    for _ in $(seq 1 150); do
        if client version >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$(cat "$dir/dockerd.launcher.pid")" 2>/dev/null; then return 1; fi
        sleep 0.2
    done
    return 1
}

stop_daemon() {
    local pid
    pid=$(cat "$dir/docker.pid" 2>/dev/null || cat "$dir/dockerd.launcher.pid" 2>/dev/null || true)
    [[ -n "$pid" ]] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

case "$command" in
start)
    mkdir -p "$dir"
    command -v dockerd >/dev/null || { echo "dockerd not found (install docker.io)" >&2; exit 1; }
    if ! start_daemon overlay2; then
        stop_daemon
        rm -rf "$dir/data" "$dir/exec"
        start_daemon vfs || { echo "dockerd did not start; its log:" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1; }
    fi
    if ! client image inspect windflow/busybox:test >/dev/null 2>&1; then
        rootfs="$dir/rootfs"
        mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/www" "$rootfs/data"
        cp /bin/busybox "$rootfs/bin/busybox"
        for applet in $("$rootfs/bin/busybox" --list); do
            [[ "$applet" == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
        done
        echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
        echo "root:x:0:" >"$rootfs/etc/group"
        echo ok >"$rootfs/www/health"
        tar -C "$rootfs" -cf "$dir/rootfs.tar" .
        client import --change 'ENV PATH=/bin' "$dir/rootfs.tar" windflow/busybox:test >/dev/null
        rm -rf "$rootfs" "$dir/rootfs.tar"
    fi
    echo "$socket"
    ;;
stop)
    if [[ -S "$socket" ]]; then
        ids=$(client ps -aq 2>/dev/null || true)
        if [[ -n "$ids" ]]; then client rm -f $ids >/dev/null 2>&1 || true; fi
    fi
    stop_daemon
    # Mounts left by the daemon would make the removal fail.
    grep " $dir/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir"
    ;;
esac
