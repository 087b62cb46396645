#!/usr/bin/env python3
"""A scripted LLM server on loopback for WindFlow's tests. It speaks the real wire formats of OpenAI's
/v1/chat/completions, Anthropic's /v1/messages and Ollama's /api/chat, streaming and not, and answers each call
with the next scripted response.

Script it over HTTP:
  POST /_script   {"responses": [{"content": "...", "status": 200, "headers": {}, "delay": 0, "truncate": false}]}
  POST /_reset    forget the script and the recorded requests
  GET  /_requests the requests received so far: path, headers, JSON body
With no scripted response left it answers 500, so a test that calls more than it scripted fails loudly.
Prints its port on the first line of stdout, then serves until killed."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = []
REQUESTS = []
LOCK = threading.Lock()


def chunks(text, size=24):
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]



def strict_problem(schema, path="schema"):
    """What OpenAI's strict structured outputs refuse: an object without additionalProperties false, or a property
    that is not required; string length keywords it does not support."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            if schema.get("additionalProperties") is not False:
                return f"{path}: strict mode needs additionalProperties: false"
            props = list(schema.get("properties", {}).keys())
            missing = [p for p in props if p not in schema.get("required", [])]
            if missing:
                return f"{path}: strict mode needs every property required, missing {missing}"
        for key in ("minLength", "maxLength"):
            if key in schema:
                return f"{path}: strict mode does not take {key}"
        for key, value in schema.items():
            found = strict_problem(value, f"{path}.{key}")
            if found:
                return found
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found = strict_problem(value, f"{path}[{index}]")
            if found:
                return found
    return None


def schema_problem(path, body):
    """The request shapes each API takes for a structured answer."""
    if path == "/v1/chat/completions" and "response_format" in body:
        rf = body["response_format"]
        if rf.get("type") != "json_schema" or not isinstance(rf.get("json_schema", {}).get("schema"), dict):
            return "response_format must be {type: json_schema, json_schema: {name, schema}}"
        if rf["json_schema"].get("strict"):
            return strict_problem(rf["json_schema"]["schema"])
    if path == "/v1/messages" and body.get("tools"):
        tool = body["tools"][0]
        if not isinstance(tool.get("input_schema"), dict) or tool["input_schema"].get("type") != "object":
            return "tools[0].input_schema must be a JSON Schema of type object"
    if path == "/api/chat" and "format" in body and not (body["format"] == "json" or isinstance(body["format"], dict)):
        return "format must be 'json' or a JSON Schema"
    return None

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, headers=None):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def start_stream(self, content_type="text/event-stream"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def event(self, payload, name=None):
        text = (f"event: {name}\n" if name else "") + "data: " + (payload if isinstance(payload, str) else json.dumps(payload)) + "\n\n"
        self.wfile.write(text.encode())
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/_requests":
            with LOCK:
                return self.send_json(200, REQUESTS)
        if self.path in ("/health", "/v1/models"):
            return self.send_json(200, {"status": "ok", "data": [{"id": "scripted"}]})
        self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self.send_json(400, {"error": {"message": "the body is not JSON"}})
        if self.path == "/_script":
            with LOCK:
                SCRIPT.extend(body.get("responses", []))
            return self.send_json(200, {"queued": len(SCRIPT)})
        if self.path == "/_reset":
            with LOCK:
                SCRIPT.clear()
                REQUESTS.clear()
            return self.send_json(200, {})
        if self.path not in ("/v1/chat/completions", "/v1/messages", "/api/chat"):
            return self.send_json(404, {"error": {"message": f"no route {self.path}"}})
        problem = schema_problem(self.path, body)
        with LOCK:
            REQUESTS.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                             "raw": raw.decode("utf-8", "replace")})
            step = SCRIPT.pop(0) if problem is None and SCRIPT else None
        if problem is not None:
            # As the real APIs do: a schema they cannot take is a 400 that names it.
            payload = {"type": "error", "error": {"type": "invalid_request_error", "message": problem}} if self.path == "/v1/messages" \
                else {"error": {"message": problem, "type": "invalid_request_error"}}
            return self.send_json(400, payload)
        if step is None:
            return self.send_json(500, {"error": {"message": "the scripted server has no response left"}})
        time.sleep(float(step.get("delay", 0)))
        status = int(step.get("status", 200))
        if status != 200:
            message = step.get("error", f"scripted failure {status}")
            payload = {"type": "error", "error": {"type": "api_error", "message": message}} if self.path == "/v1/messages" else {"error": {"message": message}}
            return self.send_json(status, payload, step.get("headers"))
        content = step.get("content", "")
        prompt_tokens = len(json.dumps(body.get("messages", []))) // 4 + len(str(body.get("system", ""))) // 4
        completion_tokens = max(1, len(content) // 4)
        stream = bool(body.get("stream"))
        truncate = bool(step.get("truncate"))
        if truncate:
            content = content[: len(content) // 2]
        if self.path == "/v1/chat/completions":
            return self.openai(content, stream, truncate, prompt_tokens, completion_tokens)
        if self.path == "/v1/messages":
            return self.anthropic(body, content, stream, truncate, prompt_tokens, completion_tokens)
        return self.ollama(content, stream, truncate, prompt_tokens, completion_tokens)

    def openai(self, content, stream, truncate, prompt_tokens, completion_tokens):
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}
        finish = "length" if truncate else "stop"
        if not stream:
            return self.send_json(200, {"id": "chatcmpl-1", "object": "chat.completion", "model": "scripted",
                                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
                                        "usage": usage})
        self.start_stream()
        self.event({"id": "chatcmpl-1", "model": "scripted", "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]})
        for piece in chunks(content):
            self.event({"id": "chatcmpl-1", "model": "scripted", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        if truncate:
            return  # the connection closes mid-answer
        self.event({"id": "chatcmpl-1", "model": "scripted", "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        self.event({"id": "chatcmpl-1", "model": "scripted", "choices": [], "usage": usage})
        self.event("[DONE]")

    def anthropic(self, body, content, stream, truncate, prompt_tokens, completion_tokens):
        use_tool = bool(body.get("tools"))
        try:
            tool_input = json.loads(content) if use_tool else None
        except ValueError:
            tool_input = None
        stop = "max_tokens" if truncate else ("tool_use" if tool_input is not None else "end_turn")
        if not stream:
            block = {"type": "tool_use", "id": "toolu_1", "name": body["tools"][0]["name"], "input": tool_input} if tool_input is not None \
                else {"type": "text", "text": content}
            return self.send_json(200, {"id": "msg_1", "type": "message", "role": "assistant", "model": "scripted", "content": [block],
                                        "stop_reason": stop, "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens}})
        self.start_stream()
        self.event({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "scripted",
                                                         "content": [], "usage": {"input_tokens": prompt_tokens, "output_tokens": 1}}}, "message_start")
        if tool_input is not None or (use_tool and truncate):
            self.event({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_1", "name": body["tools"][0]["name"], "input": {}}}, "content_block_start")
            for piece in chunks(content):
                self.event({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": piece}}, "content_block_delta")
        else:
            self.event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start")
            for piece in chunks(content):
                self.event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}, "content_block_delta")
        if truncate:
            return
        self.event({"type": "content_block_stop", "index": 0}, "content_block_stop")
        self.event({"type": "message_delta", "delta": {"stop_reason": stop}, "usage": {"output_tokens": completion_tokens}}, "message_delta")
        self.event({"type": "message_stop"}, "message_stop")

    def ollama(self, content, stream, truncate, prompt_tokens, completion_tokens):
        final = {"model": "scripted", "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "length" if truncate else "stop",
                 "prompt_eval_count": prompt_tokens, "eval_count": completion_tokens}
        if not stream:
            final["message"]["content"] = content
            return self.send_json(200, final)
        self.start_stream("application/x-ndjson")
        for piece in chunks(content):
            self.wfile.write((json.dumps({"model": "scripted", "message": {"role": "assistant", "content": piece}, "done": False}) + "\n").encode())
            self.wfile.flush()
        if truncate:
            return
        self.wfile.write((json.dumps(final) + "\n").encode())
        self.wfile.flush()


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
