#!/usr/bin/env python3
"""Validate workflow files against WindFlow's generated JSON Schema with an independent implementation.

Usage: check-schema.py SCHEMA.json FILE.yaml...
Also checks that a few broken documents are rejected, so a schema that accepts everything fails.
"""
import json
import sys

import jsonschema
import yaml

schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
failed = False
for path in sys.argv[2:]:
    document = yaml.safe_load(open(path))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for error in errors[:5]:
        print(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
    failed = failed or bool(errors)
broken = [
    {"workflow": {"name": "x", "nodes": [{"id": "a", "type": "integration.htp"}]}},
    {"workflow": {"name": "x", "nodes": [{"id": "a", "type": "integration.http", "configuration": {"method": "FETCH", "url": "u"}}]}},
    {"workflow": {"name": "x", "nodes": [{"id": "bad-id", "type": "logic.stop"}]}},
    {"workflow": {"name": "x", "nodes": [{"id": "a", "type": "integration.http", "configuration": {}}]}},
]
for document in broken:
    if validator.is_valid(document):
        print(f"schema accepted a broken document: {json.dumps(document)}")
        failed = True
print("schema check:", "failed" if failed else f"ok ({len(sys.argv) - 2} files)")
sys.exit(1 if failed else 0)
