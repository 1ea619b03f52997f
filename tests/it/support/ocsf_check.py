"""Checks OCSF events (one JSON object a line on stdin) against an OCSF
schema repository, with the third-party `ocsf-validator` package doing the
schema work: it loads the repository and resolves every `$include`,
`extends` and profile (the same processing it validates schemas with).
`ocsf-validator` validates schemas, not events, so the per-event checks are
here: the class exists and its uids add up, every required attribute is
there (a profile's only when the event names the profile), no attribute the
class or object does not define, enum ids from the enum, types as the
dictionary says, objects checked recursively, `at_least_one` constraints.

usage: python ocsf_check.py SCHEMA_DIR < events.jsonl
Prints one line per problem and exits 1 if there is any; else prints
"ok N events" and the classes seen."""

import json
import sys
from pathlib import Path

from ocsf_validator.errors import Collector, RedundantProfileIncludeError
from ocsf_validator.processor import process_includes
from ocsf_validator.reader import FileReader, ReaderOptions

base = Path(sys.argv[1])
# read_extensions=False stops the reader's directory walk early (it
# `break`s on the extensions folder); the fixture has no extensions.
reader = FileReader(
    ReaderOptions(base_path=base, metaschema_path=base / "metaschema", read_extensions=True)
)
collector = Collector(throw=False)
process_includes(reader, collector=collector)
# The validator's own runner rates a redundant profile include as
# information; anything else means the schema did not load as it should.
schema_errors = [
    e for e in collector.exceptions() if not isinstance(e, RedundantProfileIncludeError)
]
for err in schema_errors:
    print("schema:", err)
if schema_errors:
    sys.exit(1)

categories = {k: v["uid"] for k, v in reader["/categories.json"]["attributes"].items()}
types = reader["/dictionary.json"]["types"]["attributes"]
classes = {}
for path in reader.match():
    if path.startswith("/events/") and path.endswith(".json"):
        d = reader[path]
        if "uid" in d and d.get("category") in categories:
            classes[categories[d["category"]] * 1000 + d["uid"]] = d
objects = {
    reader[p].get("name"): reader[p]
    for p in reader.match()
    if p.startswith("/objects/") and isinstance(reader[p], dict)
}
profile_attrs = {}
for p in reader.match():
    if p.startswith("/profiles/"):
        d = reader[p]
        profile_attrs[d.get("name")] = set(d.get("attributes", {}).keys())


def base_type(t):
    while t in types and "type" in types[t]:
        t = types[t]["type"]
    return t


def check_scalar(value, t, where, problems):
    bt = base_type(t)
    ok = {
        "integer_t": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "long_t": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float_t": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean_t": lambda v: isinstance(v, bool),
        "string_t": lambda v: isinstance(v, str),
        "json_t": lambda v: True,
    }.get(bt, lambda v: isinstance(v, str))
    if not ok(value):
        problems.append(f"{where}: {value!r} is not a {t}")


def check_record(record, defn, where, profiles, problems):
    if not isinstance(record, dict):
        problems.append(f"{where}: not an object")
        return
    attrs = {k: v for k, v in defn.get("attributes", {}).items() if isinstance(v, dict)}
    from_profiles = set()
    for name, names in profile_attrs.items():
        if name not in profiles:
            from_profiles |= names
    for name, a in attrs.items():
        if a.get("requirement") == "required" and name not in record:
            if name in from_profiles and name not in defn.get("_own", set()):
                continue
            problems.append(f"{where}: required attribute {name} is missing")
    for name, value in record.items():
        if name not in attrs:
            problems.append(f"{where}: {name} is not an attribute of {defn.get('name')}")
            continue
        a = attrs[name]
        items = value if a.get("is_array") else [value]
        if a.get("is_array") and not isinstance(value, list):
            problems.append(f"{where}.{name}: should be an array")
            continue
        for i, v in enumerate(items):
            here = f"{where}.{name}" + (f"[{i}]" if a.get("is_array") else "")
            t = a.get("type")
            if t == "object" or a.get("object_type") == "object":
                # Free-form (`unmapped`): any JSON object.
                if not isinstance(v, dict):
                    problems.append(f"{here}: not an object")
            elif t == "object_t" or (t not in types and t in objects):
                obj = objects.get(a.get("object_type") or t)
                if obj is None:
                    if not isinstance(v, dict):
                        problems.append(f"{here}: not an object")
                    continue
                check_record(v, obj, here, profiles, problems)
            else:
                check_scalar(v, t, here, problems)
                enum = a.get("enum")
                if enum and name.endswith("_id") and str(v) not in enum:
                    problems.append(f"{here}: {v} is not one of {sorted(enum)}")
    one_of = defn.get("constraints", {}).get("at_least_one")
    if one_of and not any(k in record for k in one_of):
        problems.append(f"{where}: needs at least one of {one_of}")


problems = []
seen = {}
count = 0
for n, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    count += 1
    ev = json.loads(line)
    where = f"event {n}"
    cls = classes.get(ev.get("class_uid"))
    if cls is None:
        problems.append(f"{where}: unknown class_uid {ev.get('class_uid')}")
        continue
    seen[cls["caption"]] = seen.get(cls["caption"], 0) + 1
    if ev.get("category_uid") != categories[cls["category"]]:
        problems.append(f"{where}: category_uid does not match class {cls['name']}")
    if ev.get("type_uid") != ev.get("class_uid", 0) * 100 + ev.get("activity_id", -1):
        problems.append(f"{where}: type_uid is not class_uid * 100 + activity_id")
    profiles = set(ev.get("metadata", {}).get("profiles", []))
    check_record(ev, cls, where, profiles, problems)

for p in problems[:50]:
    print(p)
if problems or count == 0:
    print(f"FAILED: {len(problems)} problems in {count} events")
    sys.exit(1)
print(f"ok {count} events", json.dumps(seen, sort_keys=True))
