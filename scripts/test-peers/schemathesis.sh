#!/usr/bin/env bash
# Checks the running service against its own OpenAPI document with schemathesis (every check, every phase).
# Usage: scripts/test-peers/schemathesis.sh [extra schemathesis options]
#   WINDFLOW_BIN   the binary (default .build/debug/windflow; built by scripts/test.sh)
#   ST_MAX_EXAMPLES  examples per operation (default 25: about five minutes on two cores)
# Installs schemathesis (pinned) with pip when missing, starts `windflow serve` on a free loopback port over a
# scratch database, runs, stops the server and exits with schemathesis' status.
#
# The server runs in a network namespace of its own with only a loopback interface:
# schemathesis creates and runs workflows made of generated data, and none of their nodes may reach any other
# address. The working directory is a scratch folder, so what their scripts write lands there.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
version=4.32.5
# The CLI through python3, wherever pip put its console scripts.
schemathesis() { python3 -c 'import sys; sys.argv[0] = "schemathesis"; from schemathesis.cli import schemathesis; sys.exit(schemathesis())' "$@"; }

if [[ "${WINDFLOW_IN_NAMESPACE:-}" != 1 ]]; then
    if [[ "$(schemathesis --version 2>/dev/null || true)" != *"$version"* ]]; then
        python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$version" \
            || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "schemathesis==$version"
    fi
    # Again inside a fresh network namespace (only `lo`, brought up here). Without one, generated workflows could
    # reach other addresses, so the check refuses to run rather than run unconfined.
    if ! unshare --net --map-root-user true 2>/dev/null || ! command -v ip >/dev/null; then
        echo "schemathesis.sh needs 'unshare --net' and 'ip' (util-linux, iproute2) to keep generated workflows on loopback" >&2
        exit 1
    fi
    exec unshare --net --map-root-user env WINDFLOW_IN_NAMESPACE=1 bash -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

bin="${WINDFLOW_BIN:-.build/debug/windflow}"
[[ -x "$bin" ]] || { echo "no $bin: build first (swift build)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d /tmp/windflow-schemathesis.XXXXXX)
server=""
stop() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap stop EXIT

# Deployment actions point at a socket that does not exist, so they fail at once instead of reaching a daemon.
(cd "$work" && exec "$bin" serve --db "$work/db.sqlite" --port 0 --workers 2 --docker-host "unix://$work/no-docker.sock" \
    --stacks-dir "$work/stacks" --data-dir "$work" >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/server.log" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
base=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/server.log" | head -1)
key=$(grep -o 'wf_[0-9a-f]*' "$work/server.log" | head -1)
[[ -n "$base" && -n "$key" ]] || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "schemathesis $version against $base"

export WINDFLOW_API_KEY=$key
set +e
schemathesis --config-file "$root/scripts/test-peers/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --checks all --max-examples "${ST_MAX_EXAMPLES:-25}" --seed 1 --generation-database none \
    --request-timeout 10 --no-color "$@"
status=$?
set -e
if ((status != 0)); then echo "--- server log (last 40 lines)"; tail -40 "$work/server.log"; fi
exit $status
