#!/usr/bin/env bash
# Builds WindFlow and runs every test. Usage: scripts/test.sh [swift test options, e.g. --filter Validator]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
