"""The isolation suite: every API route, proven closed to another gym.

Routes come from the URL resolver and from the OpenAPI schema, and the two lists must agree.
For each operation, acting as the home gym's admin (so no role check hides a leak):

* path ids of the other gym answer exactly like a random id (404) on every method, and the
  other gym's rows are unchanged afterwards;
* reads never return a byte of the other gym (its marker strings and ids), even when searching
  for its marker;
* ids of the other gym in query filters and in bodies are rejected exactly like random ids.

Nothing here names a resource: apps register their rows and id parameters in
``<app>/tests/isolation.py`` (see ``isolation_world``).
"""

import json
from functools import lru_cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from reps_dashboard.tests.hardening import resolve
from reps_dashboard.tests.isolation_world import World, id_params, random_id
from reps_dashboard.tests.routes import PARAM, normalise, routes, view_class
from tenants.authentication import ApiKeyAuthentication
from tenants.permissions import PublicEndpoint

# Documentation routes are outside the schema by design, and outside any gym.
UNSCHEMED = {"/api/schema", "/api/docs", "/api/redoc"}
UNKNOWN_ID = random_id()
# Ids of other systems (the voice platform's agent and call ids), not rows of a gym: the only
# id-shaped parameters the suite may leave alone.
EXTERNAL_IDS = {"agent_id", "external_call_id"}


@lru_cache(maxsize=1)
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations():
    ops = []
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append(pytest.param(path, method, operation, id=f"{method.upper()} {path}"))
    return ops


def test_every_api_route_is_in_the_schema_and_every_schema_path_is_routed():
    routed = {route.path for route in routes()} - UNSCHEMED
    documented = {normalise(path) for path in schema()["paths"]}
    assert routed == documented, {"routed only": routed - documented, "documented only": documented - routed}


def _id_shaped(name, node):
    node = _resolve(node)
    items = _resolve(node.get("items", {})) if node.get("type") == "array" else {}
    return "uuid" in (node.get("format"), items.get("format")) or name.endswith("_id")


def _parameters(operation):
    """(where, name, schema) of every path and query parameter and writable body field."""
    found = [(p["in"], p["name"], p.get("schema", {})) for p in operation.get("parameters", [])]
    for content in operation.get("requestBody", {}).get("content", {}).values():
        body = _resolve(content["schema"])
        found += [("body", name, prop) for name, prop in body.get("properties", {}).items()
                  if not _resolve(prop).get("readOnly")]
    return found


def test_every_id_parameter_has_a_model_in_the_isolation_world():
    """A parameter carrying an id that the suite knows no model for would be skipped silently."""
    known, unknown = id_params(), []
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for where, name, node in _parameters(operation):
                if name in ("id", "pk") and where == "path":
                    if _view_model(path) is None:
                        unknown.append(f"{method.upper()} {path}: {{{name}}} has no model on its view")
                elif _id_shaped(name, node) and name not in known and name not in EXTERNAL_IDS:
                    unknown.append(f"{method.upper()} {path}: {where} {name!r} (add it to an app's ID_PARAMS, "
                                   "or to EXTERNAL_IDS if it names no row of ours)")
    assert unknown == []


def _populated(world, model, what):
    if model not in world.other.objects:
        pytest.fail(f"{what}: the isolation world has no {model.__name__}; populate it in tests/isolation.py")


# --- building requests from the schema -------------------------------------------------


def _resolve(node):
    return resolve(node, schema())


def _example(node):
    node = _resolve(node)
    if "enum" in node:
        return next((value for value in node["enum"] if value is not None), None)
    kind = node.get("type")
    fmt = node.get("format")
    if kind == "string":
        if fmt == "uuid":  # fixed: the two bodies compared below differ in the tested id only
            return UNKNOWN_ID
        if fmt == "date-time":
            return "2030-01-07T10:00:00Z"
        if fmt == "date":
            return "2030-01-07"
        if fmt == "email":
            return "someone@example.com"
        if fmt == "uri":
            return "https://example.com/"
        if fmt == "binary":
            return SimpleUploadedFile("data.csv", b"first_name,last_name,phone\nA,B,+12125550123\n", "text/csv")
        return "x" * max(node.get("minLength", 1), 12)
    if kind == "integer":
        return node.get("minimum", 1)
    if kind == "number":
        return node.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {name: _example(prop) for name, prop in node.get("properties", {}).items()
                if not _resolve(prop).get("readOnly")}
    return "x"


def _request_body(operation):
    content = operation.get("requestBody", {}).get("content", {})
    for media, fmt in (("application/json", "json"), ("multipart/form-data", "multipart")):
        if media in content:
            return _resolve(content[media]["schema"]), fmt
    return None, None


def _fill_path(path, ids):
    names = PARAM.findall(path)
    for name in names:
        path = path.replace(name, ids[name.strip("{}")], 1)
    return path


def _path_ids(path, side, view_model):
    """An id of ``side`` for every path parameter: ``{id}`` is the route's own model."""
    params = id_params()
    ids = {}
    for name in (n.strip("{}") for n in PARAM.findall(path)):
        model = view_model if name in ("id", "pk") else params.get(name)
        if model is None:
            pytest.fail(f"{path}: no model known for path parameter {name!r}; add it to an app's ID_PARAMS")
        if model not in side.objects:
            pytest.fail(f"{path}: the isolation world has no {model.__name__}; populate it in tests/isolation.py")
        ids[name] = str(side.get(model).pk)
    return ids


def _view_model(path):
    return getattr(view_class(path), "model", None)


def _is_public(path):
    """No caller and so no caller's gym: a route authenticated by its own means (the voice
    platform's signed webhook, whose path names its integration)."""
    return any(issubclass(p, PublicEndpoint) for p in view_class(path).permission_classes)


def _call(client, method, path, body=None, fmt="json", query=None):
    kwargs = {}
    if body is not None:
        kwargs = {"data": body, "format": fmt}
    elif query:
        kwargs = {"data": query}
    return getattr(client, method)(path, **kwargs)


def _content(response):
    """The body, also of a streamed answer (a CSV export)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _same_rejection(a, b, foreign, fake):
    def norm(response):
        return response.status_code, _content(response).decode().replace(foreign, "<ID>").replace(fake, "<ID>")

    return norm(a) == norm(b)


def _snapshot(side):
    return {(type(row), row.pk): model_to_dict(type(row)._base_manager.get(pk=row.pk))
            for rows in side.objects.values() for row in rows}


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def home_client(world, api_client):
    """The home gym's client for a path: its admin, or its API key on the machine endpoints."""

    def for_path(path):
        if ApiKeyAuthentication in view_class(path).authentication_classes:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.home.api_key}")
            return client
        return api_client(world.home.admin)

    return for_path


def _assert_no_leak(response, world, what, sent=None):
    """``sent``: an id the request itself carried; echoing it back reveals nothing."""
    text = _content(response).decode(errors="replace")
    if sent:
        text = text.replace(sent, "<SENT>")
    for marker in world.other_markers():
        assert marker not in text, f"{what}: the other gym's {marker!r} leaked into the response"


@pytest.mark.parametrize("path,method,operation", operations())
def test_other_gyms_objects_are_invisible(path, method, operation, world, home_client):
    home_client = home_client(path)
    view_model = _view_model(path)
    body_schema, fmt = _request_body(operation)

    # 1. Path ids of the other gym: the same answer as a random id, on every method.
    if PARAM.search(path):
        before = _snapshot(world.other)
        foreign_ids = _path_ids(path, world.other, view_model)
        fake_ids = {name: random_id() for name in foreign_ids}
        body = _example(body_schema) if body_schema else None
        foreign = _call(home_client, method, _fill_path(path, foreign_ids), body, fmt)
        body = _example(body_schema) if body_schema else None
        fake = _call(home_client, method, _fill_path(path, fake_ids), body, fmt)
        if _is_public(path):
            # Its own credential (a signature) is what refuses the request; nothing changes, nothing leaks.
            assert foreign.status_code in (401, 404), f"{method.upper()} {path}: {foreign.status_code}"
            _assert_no_leak(foreign, world, f"{method.upper()} {path}")
        else:
            assert foreign.status_code == 404, f"{method.upper()} {path} with another gym's id: {foreign.status_code}"
            for name in foreign_ids:
                assert _same_rejection(foreign, fake, foreign_ids[name], fake_ids[name]), (
                    f"{method.upper()} {path}: another gym's id is answered differently from a missing one")
        assert _snapshot(world.other) == before, f"{method.upper()} {path} changed the other gym's rows"
        own_path = _fill_path(path, _path_ids(path, world.home, view_model))
    else:
        own_path = path

    params = id_params()
    query_names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]

    # 2. Reads never show the other gym, even when searching for its marker.
    if method == "get":
        query = {name: world.other.marker for name in query_names if name in ("search", "q")}
        if "limit" in query_names:
            query["limit"] = 100
        response = _call(home_client, "get", own_path, query=query)
        assert response.status_code < 500, f"GET {own_path}: {response.status_code}"
        _assert_no_leak(response, world, f"GET {path}")

    # 3. The other gym's ids in query filters are rejected exactly like random ids.
    for name in query_names:
        model = params.get(name)
        if model is None:
            continue
        _populated(world, model, f"{method.upper()} {path}?{name}")
        foreign_id, fake_id = str(world.other.get(model).pk), random_id()
        foreign = _call(home_client, method, own_path, query={name: foreign_id})
        fake = _call(home_client, method, own_path, query={name: fake_id})
        assert foreign.status_code == 400, f"{method.upper()} {path}?{name}=<other gym's id>: {foreign.status_code}"
        assert _same_rejection(foreign, fake, foreign_id, fake_id), f"{path}?{name}: answered differently"
        _assert_no_leak(foreign, world, f"{method.upper()} {path}?{name}", sent=foreign_id)

    # 4. The other gym's ids in bodies are rejected exactly like random ids.
    if body_schema is None:
        return
    if body_schema.get("type") == "array":  # a bare list of ids, e.g. POST /leads/{id}/tags
        model = view_model_for_list_body(path)
        if model is None:
            pytest.fail(f"{method.upper()} {path} takes a list of ids; register its model in ID_PARAMS")
        checks = [(None, model)]
    else:
        checks = [(name, params[name]) for name, prop in body_schema.get("properties", {}).items()
                  if name in params and not _resolve(prop).get("readOnly")]
    for name, model in checks:
        _populated(world, model, f"{method.upper()} {path} body {name}")
        foreign_id, fake_id = str(world.other.get(model).pk), random_id()
        answers = []
        for value in (foreign_id, fake_id):
            if name is None:
                body = [value]
            else:
                body = _example(body_schema)
                is_list = _resolve(body_schema["properties"][name]).get("type") == "array"
                body[name] = [value] if is_list else value
            payload = json.dumps(body) if fmt == "json" else body
            answers.append(home_client.generic(method.upper(), own_path, payload, content_type="application/json")
                           if fmt == "json" else _call(home_client, method, own_path, body, fmt))
        foreign, fake = answers
        assert 400 <= foreign.status_code < 500, (
            f"{method.upper()} {path} accepted another gym's id in {name or 'the body'}: {foreign.status_code}")
        assert _same_rejection(foreign, fake, foreign_id, fake_id), (
            f"{method.upper()} {path}: another gym's id in {name or 'the body'} is answered differently")
        _assert_no_leak(foreign, world, f"{method.upper()} {path} body {name}", sent=foreign_id)


def view_model_for_list_body(path):
    """Routes whose body is a bare JSON array name the model of its ids in ID_PARAMS under the
    last path segment (``/leads/{id}/tags`` -> ``tags``)."""
    return id_params().get(path.rstrip("/").rsplit("/", 1)[-1])
