"""Validates OCSF events (one JSON object a line on stdin) with code no one
at Warden wrote: the `ocsf-json-schema` package turns its packaged OCSF
schema (the version given) into a JSON Schema (draft 2020-12) per event
class and profile set, and the `jsonschema` package validates each event
against it: required attributes, types, enums, no attribute the class or
object does not define, recursively.

usage: python ocsf_jsonschema_check.py VERSION < events.jsonl
Prints one line per problem ("event N: path: message") and exits 1 if
there is any; else prints "ok N events" and the class names seen."""

import json
import sys

from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=sys.argv[1]))
validators = {}
problems = []
classes = set()
count = 0
for n, line in enumerate(sys.stdin):
    if not line.strip():
        continue
    count += 1
    event = json.loads(line)
    try:
        name = schema.lookup_class_name_from_uid(event.get("class_uid"))
    except ValueError as e:
        problems.append(f"event {n}: {e}")
        continue
    profiles = tuple(sorted(event.get("metadata", {}).get("profiles", [])))
    key = (name, profiles)
    if key not in validators:
        validators[key] = Draft202012Validator(schema.get_class_schema(name, list(profiles)))
    classes.add(name)
    for err in sorted(validators[key].iter_errors(event), key=lambda e: list(e.path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(event)"
        problems.append(f"event {n}: {path}: {err.message}")

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"ok {count} events")
print("classes:", ", ".join(sorted(classes)))
