#!/usr/bin/env python3
"""A real SMTP server on loopback that accepts every message and stores it, for WindFlow's email tests.

Usage: smtp_sink.py DIRECTORY [CERT KEY]. Prints its port on the first line of stdout; each message is written to
DIRECTORY/<n>.eml with the envelope (and whether TLS was on) in DIRECTORY/<n>.json. Speaks EHLO/HELO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT, and STARTTLS when given a certificate and key. With SMTP_SINK_AUTH=USER:PASSWORD in its
environment it offers AUTH PLAIN and refuses (535) any other credentials, and a message sent without logging in."""
import base64
import json
import os
import socketserver
import ssl
import sys
import threading

DIRECTORY = sys.argv[1]
TLS = None
if len(sys.argv) > 3:
    TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    TLS.load_cert_chain(sys.argv[2], sys.argv[3])
AUTH = os.environ.get("SMTP_SINK_AUTH")
COUNTER = [0]
LOCK = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 windflow-test-sink ESMTP")
        sender, recipients, secure, logged_in = None, [], False, AUTH is None
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                extra = b"250-STARTTLS\r\n" if TLS and not secure else b""
                if AUTH:
                    extra += b"250-AUTH PLAIN\r\n"
                self.wfile.write(b"250-windflow-test-sink\r\n" + extra + b"250 8BITMIME\r\n")
                self.wfile.flush()
            elif verb == "STARTTLS" and TLS and not secure:
                self.reply("220 Ready to start TLS")
                self.connection = TLS.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                secure = True
            elif verb == "AUTH" and AUTH:
                parts = line.split(" ")
                if len(parts) < 3:
                    self.reply("334 ")
                    answer = self.rfile.readline().decode("utf-8", "replace").strip()
                else:
                    answer = parts[2]
                try:
                    _, user, password = base64.b64decode(answer).decode("utf-8", "replace").split("\0")
                except ValueError:
                    user, password = "", ""
                logged_in = f"{user}:{password}" == AUTH
                self.reply("235 2.7.0 Authentication successful" if logged_in else "535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL" and not logged_in:
                self.reply("530 5.7.0 Authentication required")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with LOCK:
                    COUNTER[0] += 1
                    number = COUNTER[0]
                with open(os.path.join(DIRECTORY, f"{number}.eml"), "wb") as handle:
                    handle.write(b"".join(data))
                with open(os.path.join(DIRECTORY, f"{number}.json"), "w") as handle:
                    json.dump({"from": sender, "to": recipients, "tls": secure}, handle)
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
