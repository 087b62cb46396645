#!/usr/bin/env python3
"""A real HTTP server on loopback for WindFlow's tests: slow, redirecting, huge, chunked, SSE, dropping, flaky,
authenticated and Prometheus responses. Prints its port on the first line of stdout, then serves until killed.
Usage: http_server.py [CERT KEY] — with a certificate and key it speaks HTTPS."""
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

COUNTS = {}
HOOKS = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", content_type="text/plain", headers=None):
        if status in (204, 304):
            body = b""  # these answers have no body (RFC 9110); one sent anyway would be read as the next answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        if not hasattr(self, "_body"):
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length else b""
        return self._body

    def handle_any(self):
        # Read the request's body whatever the route, so a kept-alive connection is left at the next request (one
        # handler serves every request of its connection).
        self.__dict__.pop("_body", None)
        self.body()
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        path = url.path
        if path.startswith("/bucket-in-eu-west-3/"):
            # What AWS answers a request signed for another region than its bucket's (path-style S3).
            if "/eu-west-3/s3/aws4_request" in (self.headers.get("Authorization") or ""):
                return self.send(200, b"in eu-west-3", "text/plain", {"ETag": '"0123456789abcdef0123456789abcdef"'})
            scope = (self.headers.get("Authorization") or "").split("Credential=")[-1].split("/")
            signed = scope[2] if len(scope) > 2 else "none"
            error = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>"
                     f"<Message>The authorization header is malformed; the region '{signed}' is wrong; expecting 'eu-west-3'</Message>"
                     "<Region>eu-west-3</Region><RequestId>WF0000000000</RequestId></Error>")
            return self.send(400, error.encode(), "application/xml")
        if path.startswith("/status/"):
            code = int(path.split("/")[2])
            return self.send(code, f"status {code}".encode())
        if path == "/json":
            return self.send(200, json.dumps({"ok": True, "items": [1, 2], "name": "windflow"}).encode(), "application/json")
        if path == "/echo":
            payload = {"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                       "body": self.body().decode("utf-8", "replace")}
            return self.send(200, json.dumps(payload).encode(), "application/json")
        if path == "/slow":
            time.sleep(float(query.get("seconds", "5")))
            return self.send(200, b"slow")
        if path == "/redirect":
            remaining = int(query.get("n", "1"))
            target = query.get("to", "/json")
            location = target if remaining <= 1 else f"/redirect?n={remaining - 1}&to={target}"
            return self.send(302, b"", headers={"Location": location})
        if path == "/huge":
            return self.send(200, b"x" * int(query.get("bytes", "1000000")))
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for index in range(5):
                chunk = f"chunk {index}\n".encode()
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for index in range(int(query.get("n", "3"))):
                self.wfile.write(f"event: tick\ndata: {index}\n\n".encode())
                self.wfile.flush()
                time.sleep(float(query.get("gap", "0.05")))
            self.close_connection = True
            return
        if path == "/drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if path == "/flaky":
            key = query.get("key", "default")
            with LOCK:
                COUNTS[key] = COUNTS.get(key, 0) + 1
                count = COUNTS[key]
            if count <= int(query.get("fail", "2")):
                # A transient failure: 503 by default, another status with status=, or the connection cut with mode=drop.
                if query.get("mode") == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                return self.send(int(query.get("status", "503")), b"try again", headers={"Retry-After": "0"})
            return self.send(200, json.dumps({"attempts": count}).encode(), "application/json")
        if path == "/auth":
            if self.headers.get("Authorization") == "Bearer good":
                return self.send(200, b"welcome")
            return self.send(401, b"bad credentials", headers={"WWW-Authenticate": "Bearer"})
        if path.startswith("/git/"):
            # A private git repository over smart HTTP: every request needs credentials, and none is good.
            return self.send(401, b"authentication required", headers={"WWW-Authenticate": 'Basic realm="git"'})
        if path.startswith("/hook"):
            if self.command == "POST":
                with LOCK:
                    HOOKS.append({"path": path, "body": self.body().decode("utf-8", "replace")})
                return self.send(200, b"ok")
            with LOCK:
                return self.send(200, json.dumps(HOOKS).encode(), "application/json")
        if path == "/api/v1/query":
            result = [{"metric": {"job": "web", "instance": "a"}, "value": [1700000000, "0.5"]},
                      {"metric": {"job": "web", "instance": "b"}, "value": [1700000000, "1.5"]}]
            return self.send(200, json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode(),
                             "application/json")
        if path == "/metrics":
            text = ("# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
                    'http_requests_total{method="get",code="200"} 1027\n'
                    'http_requests_total{method="post",code="200"} 3\n'
                    "process_cpu_seconds_total 12.5\n")
            return self.send(200, text.encode(), "text/plain; version=0.0.4")
        return self.send(404, b"not found")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) > 2:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
