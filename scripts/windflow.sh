#!/usr/bin/env bash
# Builds the windflow binary (release) and runs it with the given arguments, e.g.
#   scripts/windflow.sh validate Templates/*.yaml
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scripts_dir="$root/scripts"
"$scripts_dir/install-deps.sh" >/dev/null
swift build -c release --package-path "$root" --product windflow >&2
exec "$root/.build/release/windflow" "$@"
