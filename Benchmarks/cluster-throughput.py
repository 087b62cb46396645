#!/usr/bin/env python3
"""Executions per second through `windflow serve` processes sharing one PostgreSQL database (docs/PERFORMANCE.md).

Usage: Benchmarks/cluster-throughput.py [--processes N] [--executions M] [--workers W] [--binary PATH]
Starts a throwaway PostgreSQL (scripts/test-peers/postgres.sh), N serve processes on it, queues M executions of a
one-node workflow (a script that appends its execution id to a file) through their APIs in turn, and measures the
time from the first start to the last success; checks each execution ran once. Bounded: gives up after 300 s."""
import argparse, json, os, subprocess, sys, tempfile, time, urllib.error, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--processes", type=int, default=2)
parser.add_argument("--executions", type=int, default=300, help="at most 500")
parser.add_argument("--workers", type=int, default=4)
parser.add_argument("--binary", default=os.path.join(root, ".build/release/windflow"))
args = parser.parse_args()
scratch = tempfile.mkdtemp(prefix="windflow-cluster-bench-")
os.chmod(scratch, 0o755)  # the PostgreSQL server runs as the postgres user, which must reach its folder
pg_dir = os.path.join(scratch, "pg")
url = subprocess.run([os.path.join(root, "scripts/test-peers/postgres.sh"), "start", pg_dir], check=True,
                     capture_output=True, text=True).stdout.strip() + "?sslmode=disable"
servers, key = [], None
try:
    for index in range(args.processes):
        out = open(os.path.join(scratch, f"serve-{index}.out"), "w+")
        process = subprocess.Popen([args.binary, "serve", "--port", "0", "--db", url, "--workers", str(args.workers)],
                                   stdout=out, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        base = None
        while time.time() < deadline and base is None:
            out.seek(0)
            for line in out.read().splitlines():
                if line.startswith("API key"):
                    key = key or line.split()[-1]
                if line.startswith("WindFlow listening on "):
                    base = line.split()[3]
            time.sleep(0.05)
        if base is None:
            sys.exit("serve did not start")
        servers.append((process, base))

    def call(base, method, path, body=None):
        request = urllib.request.Request(base + path, method=method, data=body.encode() if body else None,
                                         headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            sys.exit(f"{method} {path}: {error.code} {error.read().decode()[:400]}")

    ran = os.path.join(scratch, "ran.log")
    workflow = call(servers[0][1], "POST", "/api/v1/workflows",
                    "name: bench\nnodes:\n  - {id: start, type: trigger.manual}\n"
                    f"  - {{id: note, type: integration.script, configuration: {{script: \"echo $WINDFLOW_EXECUTION_ID >> {ran}\"}}}}\n")
    started = time.time()
    ids = [call(servers[i % len(servers)][1], "POST", f"/api/v1/workflows/{workflow['id']}/run", "{}")["execution_id"]
           for i in range(args.executions)]
    queued = time.time() - started
    while time.time() - started < 300:
        done = call(servers[0][1], "GET", f"/api/v1/executions?workflow={workflow['id']}&status=succeeded&limit=500")
        if len(done) >= args.executions:
            break
        time.sleep(0.1)
    elapsed = time.time() - started
    lines = open(ran).read().split() if os.path.exists(ran) else []
    once = len(lines) == args.executions and set(lines) == set(ids)
    print(f"{args.processes} process(es) × {args.workers} workers: {args.executions} executions in {elapsed:.1f} s "
          f"({args.executions / elapsed:.0f}/s; queueing them took {queued:.1f} s); each ran once: {once}")
finally:
    for process, _ in servers:
        process.kill()
    subprocess.run([os.path.join(root, "scripts/test-peers/postgres.sh"), "stop", pg_dir], capture_output=True)
