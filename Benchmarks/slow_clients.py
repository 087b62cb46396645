#!/usr/bin/env python3
"""Slow clients against a real `windflow serve`: N connections send their request head one byte per second while a
normal client asks GET /healthz every 100 ms. Prints the normal requests' latencies, the server's resident memory
before, during and after, and when the server closed the slow connections (its idle timeout).

Usage: Benchmarks/slow_clients.py [--bin .build/release/windflow] [--connections 200] [--seconds 15]
Loopback only; every loop is bounded by --seconds.
"""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


def start(binary: str, work: str) -> tuple[subprocess.Popen, int]:
    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen([binary, "serve", "--db", os.path.join(work, "db.sqlite"), "--port", "0", "--workers", "2"],
                              stdout=log, stderr=subprocess.STDOUT, cwd=work)
    deadline = time.time() + 30
    while time.time() < deadline:
        log.seek(0)
        found = re.search(r"listening on http://[0-9.]+:(\d+)", log.read())
        if found:
            return server, int(found.group(1))
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def healthz(port: int) -> float:
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200
    connection.close()
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/windflow")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    options = parser.parse_args()
    head = b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: " + b"s" * 200
    with tempfile.TemporaryDirectory(prefix="windflow-slow-") as work:
        server, port = start(os.path.abspath(options.bin), work)
        try:
            baseline = [healthz(port) for _ in range(20)]
            before = rss_kib(server.pid)
            slow = []
            for _ in range(options.connections):
                connection = socket.create_connection(("127.0.0.1", port))
                connection.setblocking(False)
                slow.append(connection)
            opened = time.time()
            closed_at: dict[int, float] = {}
            latencies: list[float] = []
            peak = before
            sent = 0
            while time.time() - opened < options.seconds:
                tick = time.time()
                for index, connection in enumerate(slow):
                    if index in closed_at:
                        continue
                    try:
                        if connection.recv(1) == b"":
                            closed_at[index] = time.time() - opened
                            continue
                    except BlockingIOError:
                        pass
                    except OSError:
                        closed_at[index] = time.time() - opened
                        continue
                    try:
                        connection.send(head[sent % len(head):sent % len(head) + 1])
                    except OSError:
                        closed_at[index] = time.time() - opened
                sent += 1
                peak = max(peak, rss_kib(server.pid))
                while time.time() - tick < 1:
                    latencies.append(healthz(port))
                    time.sleep(0.1)
            after = rss_kib(server.pid)
            for connection in slow:
                connection.close()
            time.sleep(1)
            settled = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    closes = sorted(closed_at.values())
    print(f"{options.connections} slow connections, one header byte per second, for {options.seconds:.0f} s")
    print(f"normal GET /healthz before: median {statistics.median(baseline):.2f} ms")
    print(f"normal GET /healthz during: {len(latencies)} requests, median {statistics.median(latencies):.2f} ms, "
          f"max {max(latencies):.2f} ms, over 1 s: {sum(1 for value in latencies if value > 1000)}")
    print(f"closed by the server: {len(closes)} of {options.connections}"
          + (f", after {closes[0]:.1f}–{closes[-1]:.1f} s" if closes else ""))
    print(f"resident memory: before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
          f"end {after / 1024:.1f} MiB, 1 s after the clients left {settled / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
