#!/usr/bin/env python3
"""The cluster figures of docs/PERFORMANCE.md, on a throwaway PostgreSQL beside an SQLite file, in one run.

  Benchmarks/cluster-figures.py webhooks [--requests N] [--concurrency C] [--processes 1,2,4] [--workers W]
      Webhook -> execution end to end: the 3-node workflow of the SQLite service figure (webhook -> condition -> stop),
      N webhooks at concurrency C. SQLite: one serve with W workers. PostgreSQL: one API serve (--workers 0) and K
      `windflow worker` processes with W workers each, for each K. Reports executions/s, ms per execution, and the
      statements (round trips) and transactions per execution from pg_stat_statements / pg_stat_database.
  Benchmarks/cluster-figures.py claims [--executions N]
      Claim latency: an API serve (--workers 0) queues N executions one at a time, 50 ms apart; one worker process
      takes them. Enqueue -> start (the execution's started_at - created_at), p50/p99, with LISTEN/NOTIFY and with
      polling only (--no-listen).
  Benchmarks/cluster-figures.py chain [--executions N]
      One execution at a time of the engine figure's 40-node chain of in-process nodes (logic.condition), started
      through the API of one serve with W workers, on SQLite and on PostgreSQL: from the run request to the finished
      execution read back (p50/p95, client side), and on PostgreSQL the statements and transactions per execution.

PostgreSQL runs with fsync on and synchronous_commit off: durable against a crash of any process, as SQLite's WAL
with synchronous = NORMAL is (an OS crash may lose the last commits in both). Bounded: each configuration gives up
after 300 s. Uses the release binary (swift build -c release --product windflow)."""
import argparse, concurrent.futures, datetime, http.client, json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.parse

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("figure", choices=["webhooks", "claims", "chain"])
parser.add_argument("--requests", type=int, default=3000)
parser.add_argument("--concurrency", type=int, default=32)
parser.add_argument("--processes", default="1,2,4")
parser.add_argument("--workers", type=int, default=8)
parser.add_argument("--executions", type=int, default=200)
parser.add_argument("--binary", default=os.path.join(root, ".build/release/windflow"))
args = parser.parse_args()

scratch = tempfile.mkdtemp(prefix="windflow-figures-")
os.chmod(scratch, 0o755)  # the PostgreSQL server runs as the postgres user, which must reach its folder
pg_dir = os.path.join(scratch, "pg")
environment = dict(os.environ, WINDFLOW_PG_OPTIONS="-c fsync=on -c synchronous_commit=off -c shared_preload_libraries=pg_stat_statements")
pg_url = subprocess.run([os.path.join(root, "scripts/test-peers/postgres.sh"), "start", pg_dir], check=True, env=environment,
                        capture_output=True, text=True).stdout.strip()
psql = sorted(p for p in os.popen("ls -d /usr/lib/postgresql/*/bin").read().split())[-1] + "/psql"
processes = []


def sql(query, schema=None):
    options = f"-c search_path={schema}" if schema else ""
    return subprocess.run([psql, "-At", "-d", pg_url, "-c", query], check=True, capture_output=True, text=True,
                          env=dict(os.environ, PGOPTIONS=options)).stdout.strip()


def start(arguments, name):
    out = open(os.path.join(scratch, name + ".out"), "w+")
    process = subprocess.Popen([args.binary] + arguments, stdout=out, stderr=open(os.path.join(scratch, name + ".err"), "w"))
    processes.append(process)
    return process, out


def serve(db, workers, key=None, extra=()):
    process, out = start(["serve", "--port", "0", "--db", db, "--workers", str(workers), *extra], f"serve-{len(processes)}")
    deadline = time.time() + 30
    while time.time() < deadline:
        out.seek(0)
        text = out.read()
        for line in text.splitlines():
            if line.startswith("API key"):
                key = key or line.split()[-1]
            if line.startswith("WindFlow listening on "):
                return line.split()[3], key
        time.sleep(0.05)
    sys.exit("serve did not start: " + text)


class API:
    def __init__(self, base, key):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.key = parts.hostname, parts.port, key
        self.local = threading.local()

    def call(self, method, path, body=None, auth=True):
        if not hasattr(self.local, "connection"):
            self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.key}"
        self.local.connection.request(method, path, body=body, headers=headers)
        response = self.local.connection.getresponse()
        data = response.read()
        return response.status, data

    def json(self, method, path, body=None):
        status, data = self.call(method, path, body)
        if status >= 300:
            sys.exit(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data or b"null")

    def succeeded(self):
        _, data = self.call("GET", "/metrics")
        for line in data.decode().splitlines():
            if line.startswith('windflow_executions{status="succeeded"}'):
                return int(float(line.split()[-1]))
        return 0


WORKFLOW = """name: load
nodes:
  - {id: hook, type: trigger.webhook, configuration: {webhook_path: /load, authentication: none}}
  - {id: check, type: logic.condition, configuration: {condition: "{{ trigger.n >= 0 }}"}}
  - {id: done, type: logic.stop, configuration: {message: ok}}
edges: [{source: hook, target: check}, {source: check, target: done, branch: "true"}]
"""


def webhooks(label, api, schema=None):
    workflow = api.json("POST", "/api/v1/workflows", WORKFLOW)
    api.json("POST", f"/api/v1/workflows/{workflow['id']}/activate")
    if schema:
        sql("SELECT pg_stat_statements_reset()")
        commits_before = int(sql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))
    accepted = [0]
    lock = threading.Lock()

    def send(index):
        status, _ = api.call("POST", "/webhooks/load", json.dumps({"n": index}), auth=False)
        if status == 202:
            with lock:
                accepted[0] += 1

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(send, range(args.requests)))
    sent = time.time() - started
    while api.succeeded() < accepted[0] and time.time() - started < 300:
        time.sleep(0.05)
    elapsed = time.time() - started
    done = api.succeeded()
    line = (f"{label}: {args.requests} webhooks, {accepted[0]} accepted in {sent:.1f} s ({accepted[0] / sent:.0f}/s); "
            f"{done} executions succeeded in {elapsed:.1f} s: {done / elapsed:.0f} executions/s, {elapsed / max(done, 1) * 1000:.2f} ms each")
    if schema:
        calls = int(sql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'") or 0)
        commits = int(sql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) - commits_before
        line += f"; {calls / max(done, 1):.1f} statements and {commits / max(done, 1):.1f} transactions per execution"
    print(line, flush=True)


def claims(label, listen):
    schema = "claims_" + ("listen" if listen else "poll")
    db = f"{pg_url}?sslmode=disable&schema={schema}"
    base, key = serve(db, 0)
    api = API(base, key)
    start(["worker", "--db", db, "--workers", "4"] + ([] if listen else ["--no-listen"]), f"worker-{schema}")
    workflow = api.json("POST", "/api/v1/workflows", "name: claim\nnodes:\n  - {id: start, type: trigger.manual}\n  - {id: done, type: logic.stop}\n")
    time.sleep(2)
    ids = []
    for _ in range(args.executions):
        ids.append(api.json("POST", f"/api/v1/workflows/{workflow['id']}/run", "{}")["execution_id"])
        time.sleep(0.05)
    deadline = time.time() + 120
    latencies = []
    for execution in ids:
        while time.time() < deadline:
            record = api.json("GET", f"/api/v1/executions/{execution}")
            if record.get("started_at"):
                made, began = (datetime.datetime.fromisoformat(record[k].replace("Z", "+00:00")) for k in ("created_at", "started_at"))
                latencies.append((began - made).total_seconds() * 1000)
                break
            time.sleep(0.05)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{label}: {len(latencies)} executions, enqueue -> start p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms, "
          f"max {latencies[-1]:.1f} ms", flush=True)


def chain_workflow(length=40):
    lines = ["name: chain", "nodes:", "  - {id: start, type: trigger.manual}"]
    edges = []
    previous = "start"
    for index in range(1, length + 1):
        lines.append(f"  - {{id: c{index}, type: logic.condition, configuration: {{condition: \"{{{{ {index} > 0 }}}}\"}}}}")
        edges.append(f"{{source: {previous}, target: c{index}" + (", branch: \"true\"}" if previous != "start" else "}"))
        previous = f"c{index}"
    return "\n".join(lines + ["edges: [" + ", ".join(edges) + "]"]) + "\n"


def chain(label, db, schema=None):
    base, key = serve(db, args.workers)
    api = API(base, key)
    workflow = api.json("POST", "/api/v1/workflows", chain_workflow())
    def run_one():
        # Client-side: from the run request to the finished execution being readable through the API (polled every
        # 2 ms). The record's own started_at/finished_at cannot show it: the chain's in-process transitions are
        # computed in memory and committed together, in the same millisecond.
        began = time.perf_counter()
        execution = api.json("POST", f"/api/v1/workflows/{workflow['id']}/run", "{}")["execution_id"]
        deadline = time.time() + 30
        while time.time() < deadline:
            record = api.json("GET", f"/api/v1/executions/{execution}")
            if record.get("finished_at"):
                if record["status"] != "succeeded":
                    sys.exit(f"{execution}: {record['status']}")
                return (time.perf_counter() - began) * 1000
            time.sleep(0.002)
        sys.exit(f"{execution} did not finish in 30 s")
    for _ in range(10):  # warm-up: caches, prepared plans, the first WAL checkpoint
        run_one()
    if schema:
        sql("SELECT pg_stat_statements_reset()")
        commits_before = int(sql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))
    durations = sorted(run_one() for _ in range(args.executions))
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    line = (f"{label}: {len(durations)} executions of a 40-node chain, one at a time: run request -> finished, read through the API, p50 "
            f"{statistics.median(durations):.1f} ms ({statistics.median(durations) / 40:.2f} ms per node), p95 {p95:.1f} ms")
    if schema:
        # Everything the serve did meanwhile; SELECTs (the API's polling of the execution, the claims) counted apart.
        selects = int(sql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ILIKE 'select%' AND query NOT LIKE '%pg_stat%'") or 0)
        calls = int(sql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'") or 0)
        commits = int(sql("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) - commits_before
        line += (f"; {(calls - selects) / len(durations):.1f} other statements, {selects / len(durations):.1f} SELECTs (the API's polling included) "
                 f"and {commits / len(durations):.1f} transactions per execution")
    print(line, flush=True)
    for process in processes:
        process.kill()
    processes.clear()


try:
    sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    if args.figure == "webhooks":
        base, key = serve(os.path.join(scratch, "bench.sqlite"), args.workers)
        webhooks(f"SQLite, 1 serve x {args.workers} workers", API(base, key))
        for count in [int(n) for n in args.processes.split(",")]:
            schema = f"bench_{count}"
            db = f"{pg_url}?sslmode=disable&schema={schema}"
            base, key = serve(db, 0)
            for index in range(count):
                start(["worker", "--db", db, "--workers", str(args.workers)], f"worker-{count}-{index}")
            time.sleep(2)
            webhooks(f"PostgreSQL, API serve + {count} worker process(es) x {args.workers} workers", API(base, key), schema)
            for process in processes:
                process.kill()
            processes.clear()
    elif args.figure == "chain":
        chain(f"SQLite, 1 serve x {args.workers} workers", os.path.join(scratch, "chain.sqlite"))
        chain(f"PostgreSQL, 1 serve x {args.workers} workers", f"{pg_url}?sslmode=disable&schema=chain", "chain")
    else:
        claims("PostgreSQL, LISTEN/NOTIFY", True)
        claims("PostgreSQL, polling only (--no-listen)", False)
finally:
    for process in processes:
        process.kill()
    subprocess.run([os.path.join(root, "scripts/test-peers/postgres.sh"), "stop", pg_dir], capture_output=True)
