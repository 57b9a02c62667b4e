"""Helpers shared by the hardening suites (schemathesis, the bad-input corpus, atomic writes)."""

import json
import re
from functools import lru_cache

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from reps_dashboard.project_apps import project_apps
from reps_dashboard.tests.isolation_world import Side, contributions, id_params
from reps_dashboard.tests.routes import view_class
from tenants import tokens
from tenants.api_keys import api_key_create

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


@lru_cache(maxsize=1)
def raw_schema():
    """The served OpenAPI document, as JSON types."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def resolve(node, document):
    """A schema node of ``document`` with its ``$ref`` followed, ``allOf`` merged and the first
    ``oneOf`` taken (the isolation and bad-input suites build requests from it)."""
    while isinstance(node, dict) and "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(node, dict) and "allOf" in node:
        merged = {}
        for part in node["allOf"]:
            merged.update(resolve(part, document))
        return merged
    if isinstance(node, dict) and "oneOf" in node:
        return resolve(node["oneOf"][0], document)
    return node


def seed_gym(label="FUZZ"):
    """One gym holding a row of every model the apps register for the isolation world
    (``<app>/tests/isolation.py``): a new app's rows are covered without edits here."""
    side = Side(label)
    for _, populate in contributions():
        populate(side)
    return side


def tenant_state():
    """Row count and newest ``updated_at`` of every table of our apps, in one query: an insert or a
    delete anywhere, or an update of a row that keeps ``updated_at``, changes it."""
    quote = connection.ops.quote_name
    parts = []
    for config in project_apps():
        for model in config.get_models():
            if getattr(model, "written_when_refused", False):  # a count of refused requests, on purpose
                continue
            newest = "NULL"
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                newest = f"CAST(MAX({quote('updated_at')}) AS TEXT)"
            parts.append(f"SELECT '{model._meta.label}', COUNT(*), {newest} FROM {quote(model._meta.db_table)}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {label: (count, newest) for label, count, newest in cursor.fetchall()}


def view_model(path):
    """The model behind a schema path's view (the model of its ``{id}``)."""
    return getattr(view_class(path), "model", None)


class InProcessWSGI(WSGIHandler):
    """Django's WSGI application, minus closing the database connection when a request ends: the
    request runs on the test's connection, inside its transaction (as Django's test client does)."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


class KnownIds:
    """Swaps generated UUIDs for ids of the seeded gym's rows, so requests reach real objects.

    Three generated ids in four are swapped (chosen from the id itself, so runs repeat); the fourth
    stays unknown and exercises the 404/400 answers. One UUID for another keeps a request exactly as
    valid or invalid as it was generated."""

    def __init__(self, side):
        self.side = side
        self.params = id_params()

    def _known(self, model, value):
        if model not in self.side.objects or not isinstance(value, str) or not UUID.match(value):
            return value
        if int(value.replace("-", ""), 16) % 4 == 0:
            return value
        return str(self.side.get(model).pk)

    def _swap(self, value, model):
        if isinstance(value, list):
            return [self._known(model, item) for item in value]
        return self._known(model, value)

    def apply(self, case):
        path = case.operation.path
        for name, value in (case.path_parameters or {}).items():
            model = view_model(path) if name in ("id", "pk") else self.params.get(name)
            case.path_parameters[name] = self._swap(value, model)
        for name, value in (case.query or {}).items():
            case.query[name] = self._swap(value, self.params.get(name))
        if isinstance(case.body, dict):
            for name, value in case.body.items():
                case.body[name] = self._swap(value, self.params.get(name))
        elif isinstance(case.body, list):  # a bare array of ids, named after the path's last part
            case.body[:] = self._swap(case.body, self.params.get(path.rstrip("/").rsplit("/", 1)[-1]))


class Credentials:
    """The seeded gym's admin token, or an API key of the gym, as each operation's security says."""

    def __init__(self, side, raw_schema):
        self.schema = raw_schema
        self.bearer = f"Bearer {tokens.issue_pair(side.admin)['access_token']}"
        self.api_key = api_key_create(gym=side.gym, name="schemathesis")[1]
        self.intake_key = api_key_create(gym=side.gym, name="schemathesis intake", scope="intake")[1]

    def headers(self, operation):
        return self.for_operation(operation.path, operation.method.lower())

    def for_operation(self, path, method):
        schemes = self.schema["components"].get("securitySchemes", {})
        definition = self.schema["paths"][path][method]
        for requirement in definition.get("security", []):
            for name in requirement:
                scheme = schemes[name]
                if scheme["type"] == "http" and scheme.get("scheme", "").lower() == "bearer":
                    return {"Authorization": self.bearer}
                header = scheme.get("name", "Authorization") if scheme["type"] == "apiKey" else "Authorization"
                raw = self.intake_key if path.startswith("/api/intake/") else self.api_key  # the key's scope
                value = f"Api-Key {raw}" if header.lower() == "authorization" else raw
                return {header: value}
        return {}
