"""The processes the browser tests drive: the real `windflow serve` on a temporary database, the scripted LLM server
it designs with, and headless Chromium through chromedriver. Every start and stop is bounded in time."""
import json
import os
import pathlib
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".build" / "screenshots"


class LineReader:
    """Reads a process's stdout on a thread so the test can wait for a line with a timeout."""

    def __init__(self, process, name):
        self.lines = queue.Queue()
        self.seen = []
        self.name = name
        threading.Thread(target=self._pump, args=(process.stdout,), daemon=True).start()

    def _pump(self, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            self.seen.append(line)
            self.lines.put(line)

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(line):
                return line
        raise TimeoutError(f"{self.name} did not print the expected line within {timeout}s; it printed: {self.seen[-20:]}")


class Process:
    def __init__(self, name, arguments, env=None):
        self.name = name
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.output = LineReader(self.process, name)

    def stop(self, timeout=10):
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class Environment:
    """Starts the LLM server and WindFlow; `api()` calls the API with the key WindFlow printed."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="windflow-browser-")
        self.processes = []
        self.llm_port = None
        self.base = None
        self.key = None

    def start(self):
        binary = os.environ.get("WINDFLOW_BIN", str(ROOT / ".build" / "debug" / "windflow"))
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"no windflow binary at {binary}: build it, or set WINDFLOW_BIN")
        llm = Process("llm_server.py", [sys.executable, str(ROOT / "scripts" / "test-peers" / "llm_server.py")])
        self.processes.append(llm)
        self.llm_port = int(llm.output.wait_for(lambda line: line.strip().isdigit(), 15))
        # The scripted server stands for a hosted model: its answers are written for the example prompt, not a draft.
        env = dict(os.environ, WINDFLOW_LLM_API_KEY="sk-browser-test-key", WINDFLOW_DESIGN_START="example")
        env.pop("WINDFLOW_EDITOR_DIR", None)
        arguments = [binary, "serve", "--db", os.path.join(self.directory, "windflow.sqlite"), "--port", "0", "--workers", "2",
                     "--provider", "openai", "--base-url", f"http://127.0.0.1:{self.llm_port}", "--model", "scripted",
                     "--timeout", "20", "--max-repairs", "0", "--shutdown-grace", "2"]
        if os.environ.get("WINDFLOW_EDITOR_DIR_FOR_TESTS"):
            arguments += ["--editor-dir", os.environ["WINDFLOW_EDITOR_DIR_FOR_TESTS"]]
        server = Process("windflow serve", arguments, env=env)
        self.processes.append(server)
        key_line = server.output.wait_for(lambda line: "API key" in line or "WindFlow listening on" in line, 30)
        if "API key" in key_line:
            self.key = key_line.split(":", 1)[1].strip().split()[0]
            listening = server.output.wait_for(lambda line: "WindFlow listening on" in line, 30)
        else:
            listening = key_line
            self.key = server.output.wait_for(lambda line: "API key" in line, 10).split(":", 1)[1].strip().split()[0]
        self.base = listening.split("WindFlow listening on ", 1)[1].split()[0].rstrip("/")
        return self

    def stop(self):
        for process in reversed(self.processes):
            try:
                process.stop()
            except Exception as error:  # keep stopping the others
                print(f"stopping {process.name}: {error}", file=sys.stderr)
        shutil.rmtree(self.directory, ignore_errors=True)

    def api(self, method, path, body=None, raw=False):
        data = None
        headers = {"Authorization": f"Bearer {self.key}"}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{self.base}/api/v1/{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                text = response.read().decode()
                return response.status, (text if raw else json.loads(text or "null"))
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text

    def script_llm(self, *contents):
        body = json.dumps({"responses": [{"content": content} for content in contents]}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.llm_port}/_script", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def wait_for_execution(self, execution_id, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, record = self.api("GET", f"executions/{execution_id}")
            if status == 200 and record["status"] in ("succeeded", "failed", "cancelled"):
                return record
            time.sleep(0.2)
        raise TimeoutError(f"execution {execution_id} did not finish within {timeout}s")


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    binary = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1500,950",
                     "--disable-extensions", "--no-first-run", "--password-store=basic"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver
