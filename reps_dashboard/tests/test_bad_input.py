"""The bad-input corpus, sent to every list and write operation of the OpenAPI schema.

Nothing here names a resource: operations, their parameters and bodies come from the schema, ids
from a gym holding a row of every registered model, so a new endpoint is covered without edits.

* Refused inputs (``page``/``limit`` extremes, impossible or reversed dates, UTC offsets beyond
  ±14:00, unknown enum values, malformed ids, NUL bytes, strings over a documented maxLength, JSON
  nested 1,000 deep, 1e309, duplicate keys, malformed JSON, bodies over the limit, foreign content
  types) must be a 4xx whose JSON body a person can act on, naming the offending field where there
  is one, and must write nothing: every tenant table keeps its row count and last ``updated_at``.
* Odd but valid inputs (offsets of exactly ±14:00, right-to-left and combining characters, emoji,
  10,000-character search terms) must never be a 5xx; accepted texts come back as sent.
* Every answer is one of the status codes the operation documents.
"""

import json
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from reps_dashboard.tests.hardening import (
    Credentials,
    raw_schema,
    resolve,
    seed_gym,
    tenant_state,
    view_model,
)
from reps_dashboard.tests.isolation_world import id_params
from reps_dashboard.tests.routes import PARAM

LONG = "x" * 10_000
NUL = "a\x00b"
ODD_TEXTS = {
    "right-to-left": "\u202eevil\u202c مرحبا بالعالم שלום",
    "combining": "Z\u0334\u0321\u0327a\u0336\u0353l\u0337g\u0338o\u0335 e\u0301\u0302\u0303",
    "emoji": "💪🏋️‍♀️🔥 👨‍👩‍👧‍👦 🇺🇸",
}
BAD_DATETIMES = ["2026-02-30T10:00:00", "2026-03-01T10:00:00+14:01", "2026-03-01T10:00:00-14:30",
                 "99999-01-01T00:00:00Z", "yesterday"]
EDGE_DATETIMES = ["2026-03-01T00:00:00+14:00", "2026-03-01T00:00:00-14:00"]
DATE_QUERY_NAMES = {"start_date", "end_date", "date"}
# Answers about the request as a whole (credentials or a signature, state, size, type or rate), which name
# no field.
WHOLE_REQUEST = {401, 409, 413, 415, 429}


@dataclass
class Case:
    label: str
    expect: str  # "reject": a 4xx naming `fields` (if any); "survive": anything but a 5xx
    query: dict | None = None
    body: bytes | None = None
    content_type: str | None = None
    fields: tuple = ()
    # Texts an accepted write shows back exactly as sent (or not at all: a rule may clear a field,
    # e.g. lost_reason while the lead is not lost; no rule may mangle one).
    echoed: dict | None = None


# --- the schema ---------------------------------------------------------------------------


def _resolve(node):
    return resolve(node, raw_schema())


def _operations(predicate):
    found = []
    for path, item in raw_schema()["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete") and predicate(method, operation):
                found.append(pytest.param(path, method, operation, id=f"{method.upper()} {path}"))
    return found


def _query_params(operation):
    return [p for p in operation.get("parameters", []) if p["in"] == "query"]


def _body_schema(operation):
    content = operation.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return _resolve(content[media]["schema"]), media
    return None, None


def _example(node, name=""):
    """A value the schema admits (ids: see ``_with_known_ids``)."""
    node = _resolve(node)
    if "enum" in node:
        return next(value for value in node["enum"] if value is not None)
    kind, fmt = node.get("type"), node.get("format")
    if kind == "string":
        return {"uuid": "00000000-0000-4000-8000-000000000001", "date-time": "2030-01-07T10:00:00Z",
                "date": "2030-01-07", "email": "someone@example.com", "uri": "https://example.com/"}.get(
            fmt, "+12125550199" if "phone" in name else "Reasonable text")
    if kind == "integer":
        return node.get("minimum", 1)
    if kind == "number":
        return node.get("minimum", 0)
    if kind == "boolean":
        return True
    if kind == "array":
        return [_example(node.get("items", {}), name)] if node.get("minItems") else []
    if kind == "object":
        return {key: _example(prop, key) for key, prop in node.get("properties", {}).items()
                if not _resolve(prop).get("readOnly")}
    return "x"


def _string_fields(body_schema):
    """Body fields that take a plain string: (name, schema)."""
    fields = []
    for name, prop in body_schema.get("properties", {}).items():
        prop = _resolve(prop)
        if prop.get("readOnly") or prop.get("type") != "string" or "enum" in prop:
            continue
        fields.append((name, prop))
    return fields


# --- the corpus ------------------------------------------------------------------------------


def query_cases(operation):
    params = {p["name"]: _resolve(p["schema"]) for p in _query_params(operation)}
    cases = []
    for name, schema in params.items():
        kind, fmt = schema.get("type"), schema.get("format")
        items = _resolve(schema.get("items", {}))
        cases.append(Case(f"NUL in {name}", "reject", query={name: NUL}, fields=(name,)))
        if kind == "integer":
            bad = ["abc", "1.5", str(10**20), "-1"] + (["0"] if schema.get("minimum", 0) >= 1 else [])
            if "maximum" in schema:
                bad.append(str(schema["maximum"] + 1))
            cases += [Case(f"{name}={value[:25]}", "reject", query={name: value}, fields=(name,)) for value in bad]
        elif "enum" in schema or "enum" in items:
            cases.append(Case(f"{name}=bogus", "reject", query={name: "bogus"}, fields=(name,)))
        elif fmt == "uuid":
            cases.append(Case(f"{name} not a uuid", "reject", query={name: "not-a-uuid"}, fields=(name,)))
        elif kind == "boolean":
            cases.append(Case(f"{name}=maybe", "reject", query={name: "maybe"}, fields=(name,)))
        elif name in DATE_QUERY_NAMES or fmt in ("date", "date-time"):
            bad = ["2026-02-30", "2026-13-01"] + BAD_DATETIMES
            cases += [Case(f"{name}={value}", "reject", query={name: value}, fields=(name,)) for value in bad]
            cases += [Case(f"{name}={value}", "survive", query={name: value})
                      for value in EDGE_DATETIMES + ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00"]]
        elif kind == "string" and not fmt and "pattern" not in schema:
            cases.append(Case(f"{name} 10,000 characters", "survive", query={name: LONG}))
            cases += [Case(f"{name} {label}", "survive", query={name: text}) for label, text in ODD_TEXTS.items()]
    if {"start_date", "end_date"} <= params.keys():
        cases.append(Case("reversed range", "reject", query={"start_date": "2026-03-10", "end_date": "2026-03-01"}))
        cases.append(Case("reversed datetimes", "reject", query={
            "start_date": "2026-03-01T10:00:00+00:00", "end_date": "2026-03-01T09:00:00+00:00"}))
    return cases


def body_cases(operation, side, limit):
    body_schema, media = _body_schema(operation)
    cases = [
        Case("text/plain body", "reject", body=b'{"a": 1}', content_type="text/plain"),
        Case("XML body", "reject", body=b"<lead><name>x</name></lead>", content_type="application/xml"),
        Case("body over the size limit", "reject", body=b'{"a": "' + b"x" * limit + b'"}',
             content_type="application/json" if media == "application/json" else "multipart/form-data; boundary=x"),
    ]
    if media != "application/json":
        return cases
    cases += [
        Case("JSON nested 1,000 deep", "reject", body=b'{"a": ' * 1000 + b"1" + b"}" * 1000),
        Case("array nested 1,000 deep", "reject", body=b"[" * 1000 + b"]" * 1000),
        Case("1e309", "reject", body=b'{"a": 1e309}'),
        Case("NaN", "reject", body=b'{"a": NaN}'),
        Case("duplicate keys", "reject", body=b'{"a": 1, "a": 2}'),
        Case("malformed JSON", "reject", body=b'{"a": '),
        Case("invalid UTF-8", "reject", body=b'{"a": "\xff\xfe"}'),
        Case("NUL escaped in JSON", "reject" if body_schema.get("type") == "object" else "survive",
             body=json.dumps({name: NUL for name, _ in _string_fields(body_schema)} or {"a": NUL}).encode()),
    ]
    if body_schema.get("type") != "object":
        return cases
    base = _with_known_ids(_example(body_schema), side)
    strings = _string_fields(body_schema)

    def with_values(values):
        return json.dumps({**base, **values}).encode()

    if strings:
        cases.append(Case("NUL in every string field", "reject", body=with_values({n: NUL for n, _ in strings}),
                          fields=tuple(n for n, _ in strings)))
        bounded = [n for n, s in strings if s.get("maxLength", 10**9) < len(LONG)]
        cases.append(Case("10,000 characters in every string field", "reject" if bounded else "survive",
                          body=with_values({n: LONG for n, _ in strings}), fields=tuple(bounded)))
        free = {n: s for n, s in strings if not s.get("format") and "pattern" not in s}
        for label, text in ODD_TEXTS.items():
            values = {n: text for n in free}
            cases.append(Case(f"{label} text", "survive", body=with_values(values), echoed=values))
    stamps = [n for n, p in body_schema.get("properties", {}).items() if _resolve(p).get("format") == "date-time"
              and not _resolve(p).get("readOnly")]
    for value in BAD_DATETIMES:
        if stamps:
            cases.append(Case(f"datetimes {value}", "reject", body=with_values({n: value for n in stamps}),
                              fields=tuple(stamps)))
    for value in EDGE_DATETIMES:
        if stamps:
            cases.append(Case(f"datetimes {value}", "survive", body=with_values({n: value for n in stamps})))
    days = [n for n, p in body_schema.get("properties", {}).items() if _resolve(p).get("format") == "date"]
    if days:
        cases.append(Case("date 2026-02-30", "reject", body=with_values({n: "2026-02-30" for n in days}),
                          fields=tuple(days)))
    numbers = [(n, _resolve(p)) for n, p in body_schema.get("properties", {}).items()
               if _resolve(p).get("type") in ("integer", "number") and not _resolve(p).get("readOnly")]
    for name, prop in numbers:
        bounded = "maximum" in prop
        cases.append(Case(f"{name}=10**20", "reject" if bounded else "survive",
                          body=with_values({name: 10**20}), fields=(name,) if bounded else ()))
        cases.append(Case(f"{name}=text", "reject", body=with_values({name: "abc"}), fields=(name,)))
    return cases


# --- checking the answers ------------------------------------------------------------------


def _messages(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return []


def _problems(case, response, before, after):
    status = response.status_code
    if status >= 500:
        return [f"{status}"]
    if case.expect == "survive" and status < 400:
        shown = response.json() if response.get("Content-Type", "").startswith("application/json") else None
        if case.echoed and isinstance(shown, dict):
            return [f"{name} came back as {shown[name]!r}" for name, value in case.echoed.items()
                    if shown.get(name) and shown[name] != value]
        return []
    if case.expect == "reject" and status < 400:
        return [f"answered {status}, expected a 4xx"]
    problems = []
    if not response.get("Content-Type", "").startswith("application/json"):
        return problems + [f"{status} is not JSON: {response.get('Content-Type')}"]
    body = response.json()
    if not isinstance(body, dict) or not any(len(m) >= 10 for m in _messages(body)):
        problems.append(f"{status} body says nothing a person can act on: {str(body)[:200]}")
    elif case.expect == "reject" and status not in WHOLE_REQUEST:
        detail = str(body.get("detail", ""))
        unnamed = [f for f in case.fields if f not in body and f not in detail]
        if unnamed:
            problems.append(f"the error does not name {unnamed}: {str(body)[:300]}")
    if before != after:
        changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
        problems.append(f"a refused request wrote rows: {changed}")
    return problems


@pytest.fixture
def gym_world(db, offline):
    side = seed_gym("CORPUS")
    client = APIClient(raise_request_exception=False)
    return side, client, Credentials(side, raw_schema())


def _own_path(path, side):
    params = id_params()
    for name in (n.strip("{}") for n in PARAM.findall(path)):
        model = view_model(path) if name in ("id", "pk") else params.get(name)
        assert model in side.objects, f"{path}: no seeded row for {{{name}}}; register it in an app's ID_PARAMS"
        path = path.replace(f"{{{name}}}", str(side.get(model).pk))
    return path


def _with_known_ids(values, side):
    """``values`` with every id parameter (by name, see ID_PARAMS) set to a row of the seeded gym, so
    the rest of a request is valid and only the value under test is not."""
    params = id_params()
    known = {}
    for name, value in values.items():
        model = params.get(name)
        if model in side.objects:
            value = [str(side.get(model).pk)] if isinstance(value, list) else str(side.get(model).pk)
        known[name] = value
    return known


def _base_query(operation, side):
    """The operation's required query parameters, with valid values."""
    required = {p["name"]: _example(p["schema"], p["name"]) for p in _query_params(operation) if p.get("required")}
    return _with_known_ids(required, side)


def _run(cases, send, path, operation):
    failures = []
    for case in cases:
        before = tenant_state()
        response = send(case)
        problems = _problems(case, response, before, tenant_state())
        if str(response.status_code) not in operation["responses"]:
            problems.append(f"{response.status_code} is not among the documented answers {sorted(operation['responses'])}")
        failures += [f"{path} [{case.label}]: {problem}" for problem in problems]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path,method,operation", _operations(lambda m, op: m == "get" and _query_params(op)))
def test_bad_query_parameters_are_refused_clearly_and_odd_ones_survive(path, method, operation, gym_world):
    side, client, credentials = gym_world
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in credentials.for_operation(path, method).items()}
    url = _own_path(path, side)
    base = _base_query(operation, side)
    cases = query_cases(operation)
    assert cases, f"GET {path} takes query parameters but the corpus built no case for them"
    _run(cases, lambda case: client.get(url, {**base, **case.query}, **headers), f"GET {path}", operation)


@pytest.mark.parametrize("path,method,operation", _operations(lambda m, op: "requestBody" in op))
def test_bad_bodies_are_refused_clearly_and_write_nothing(path, method, operation, gym_world, settings):
    side, client, credentials = gym_world
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in credentials.for_operation(path, method).items()}
    # Small limits keep the oversized bodies small; the middleware reads them per request.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = settings.MAX_UPLOAD_BYTES = 200_000
    url = _own_path(path, side)
    cases = body_cases(operation, side, limit=300_000)
    for case in cases:
        case.content_type = case.content_type or "application/json"
    _run(cases, lambda case: client.generic(method.upper(), url, case.body, content_type=case.content_type,
                                            **headers), f"{method.upper()} {path}", operation)
