#!/usr/bin/env bash
# Builds WindFlow and runs every test. Usage: scripts/test.sh [swift test options, e.g. --filter Validator]
# Starts the servers the tests share (a Docker daemon, an S3-compatible moto server) and stops them afterwards; the others (PostgreSQL, the scripted
# LLM, HTTP and SMTP peers) are started by the tests themselves. Without arguments it then runs the editor's browser
# tests (scripts/browser-tests.sh: headless Chromium against the built binary) and schemathesis against a running
# service (scripts/test-peers/schemathesis.sh, docs/API.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests

docker_dir=$(mktemp -d /tmp/windflow-dockerd.XXXXXX)
moto_dir=$(mktemp -d /tmp/windflow-moto.XXXXXX)
stop_peers() {
    scripts/test-peers/dockerd.sh stop "$docker_dir" || true
    scripts/test-peers/moto.sh stop "$moto_dir" || true
}
trap stop_peers EXIT
socket=$(scripts/test-peers/dockerd.sh start "$docker_dir")
export WINDFLOW_TEST_DOCKER_HOST="unix://$socket"
# An S3-compatible server (moto) that checks signatures: endpoint, access key and secret key of a bucket windflow-test.
read -r WINDFLOW_TEST_S3_ENDPOINT WINDFLOW_TEST_S3_ACCESS_KEY WINDFLOW_TEST_S3_SECRET_KEY < <(scripts/test-peers/moto.sh start "$moto_dir")
export WINDFLOW_TEST_S3_ENDPOINT WINDFLOW_TEST_S3_ACCESS_KEY WINDFLOW_TEST_S3_SECRET_KEY

swift test --skip-build "$@"

if (($# == 0)); then
    # The API against its own OpenAPI document (schemathesis, every check; about five minutes).
    scripts/test-peers/schemathesis.sh
    scripts/browser-tests.sh
fi
