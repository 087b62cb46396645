#!/usr/bin/env bash
# A throwaway S3-compatible server (moto's server mode, from PyPI: moto[server]) on loopback for WindFlow's tests.
# moto because it installs with pip alone (no Debian package or binary download), speaks the S3 REST API including
# multipart uploads and presigned URLs, and checks signatures once INITIAL_NO_AUTH_ACTION_COUNT is set.
#   moto.sh start DIR   -> starts moto on a free port with signature checks on, creates a user allowed everything,
#                          its access key and the bucket windflow-test; prints "ENDPOINT ACCESS_KEY SECRET_KEY"
#   moto.sh stop DIR    -> stops it and removes DIR
set -euo pipefail
command=${1:?start or stop}
dir=${2:?directory}
case "$command" in
start)
    python3 -c 'import moto, boto3, flask' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check "moto[server]" boto3 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "moto[server]" boto3
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    # Three unauthenticated calls: create the user, allow it everything, make its key. Every later call is checked.
    INITIAL_NO_AUTH_ACTION_COUNT=3 setsid python3 -m moto.server -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/" && break
        sleep 0.1
    done
    python3 - "http://127.0.0.1:$port" <<'PY'
import json, sys, boto3
endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="windflow")
iam.put_user_policy(UserName="windflow", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="windflow")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="windflow-test")
print(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
PY
    ;;
stop)
    if [[ -f "$dir/pid" ]]; then kill -- -"$(cat "$dir/pid")" 2>/dev/null || kill "$(cat "$dir/pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
    ;;
esac
