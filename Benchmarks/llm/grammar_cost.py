#!/usr/bin/env python3
"""The cost of the plan grammar per generated token on a real llama-server: the same prompt answered with and
without the plan's JSON Schema (response_format), N times each, generation speed from llama-server's own timings.
Usage: windflow plan --schema > /tmp/plan-schema.json; python3 Benchmarks/llm/grammar_cost.py http://127.0.0.1:8091 /tmp/plan-schema.json [N]"""
import collections, json, statistics, sys, urllib.request

base, schema_path = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
schema = json.load(open(schema_path), object_pairs_hook=collections.OrderedDict)
prompt = ("Reply with a JSON plan {\"name\", \"trigger\": {\"type\", \"with\"}, \"steps\": [...]} for: every 5 minutes call "
          "https://shop.example.org/health and tell Slack when it fails.")


def ask(with_schema, seed):
    body = {"model": "x", "messages": [{"role": "user", "content": prompt}], "max_tokens": 160, "temperature": 0.1, "seed": seed,
            "cache_prompt": True}
    if with_schema:
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "plan", "schema": schema}}
    request = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    timings = json.loads(urllib.request.urlopen(request, timeout=600).read())["timings"]
    return timings["predicted_per_second"], timings["predicted_n"]


for label, flag in (("without schema", False), ("with the plan schema", True)):
    speeds = [ask(flag, seed) for seed in range(runs)]
    per_second = statistics.median(s for s, _ in speeds)
    print(f"{label}: median {per_second:.1f} tokens/s ({1000 / per_second:.1f} ms/token) over {runs} runs of {speeds[0][1]} tokens")
