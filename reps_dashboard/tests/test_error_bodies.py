"""What an error body reveals: each error class, provoked through HTTP, must answer JSON that
says what went wrong for a person, and nothing of the machinery behind it (no stack trace, SQL,
file path, module, model or class name). A 500 is the generic JSON body."""

import json
import re
import uuid

import pytest
from rest_framework.test import APIClient

from leads.tests.factories import LeadFactory
from reps_dashboard.project_apps import project_apps

LEAKS = [
    re.compile(r"Traceback|File \"|, line \d+|\.py\b|/srv/|/work/|site-packages"),
    re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE FROM|WHERE|JOIN)\b|\"\w+_\w+\"\."),
    re.compile(r"\b(django|rest_framework|psycopg2?|sqlite3?|postgres)\b", re.IGNORECASE),
    re.compile(r"\b\w*(Error|Exception|DoesNotExist|Serializer|ViewSet|View|Manager|QuerySet)\b"),
]


def model_names():
    return {model.__name__ for config in project_apps() for model in config.get_models()}


def assert_reveals_nothing(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    text = response.content.decode()
    body = json.loads(text)
    assert isinstance(body, dict) and body, text
    for pattern in LEAKS:
        assert not pattern.search(text), f"{status} reveals {pattern.search(text).group(0)!r}: {text}"
    names = [name for name in model_names() if re.search(rf"\b{name}\b", text)]
    assert not names, f"{status} names models {names}: {text}"
    return body


@pytest.fixture
def anonymous(db):
    return APIClient(raise_request_exception=False)


def test_400_validation_names_fields_only(admin_client):
    body = assert_reveals_nothing(admin_client.post("/api/leads", {"first_name": ""}, format="json"), 400)
    assert {"first_name", "last_name", "phone"} <= body.keys()


def test_400_malformed_json(admin_client):
    response = admin_client.generic("POST", "/api/leads", b'{"first_name": ', content_type="application/json")
    assert "JSON parse error" in assert_reveals_nothing(response, 400)["detail"]


def test_400_unknown_id_in_a_body(admin_client):
    body = assert_reveals_nothing(admin_client.post("/api/calls", {"lead_id": str(uuid.uuid4())}, format="json"), 400)
    assert "lead_id" in body


def test_401_without_and_with_a_forged_token(anonymous):
    assert_reveals_nothing(anonymous.get("/api/leads"), 401)
    forged = anonymous.get("/api/leads", HTTP_AUTHORIZATION="Bearer eyJhbGciOiJub25lIn0.eyJ1c2VyX2lkIjoxfQ.")
    assert_reveals_nothing(forged, 401)


def test_403_for_a_role_that_may_not(agent_client, gym):
    lead = LeadFactory(gym=gym)
    assert_reveals_nothing(agent_client.delete(f"/api/leads/{lead.id}"), 403)


@pytest.mark.parametrize("path", ["/api/leads/6f1c2b9e-4d0a-4c55-9a4e-2f0b8f6f1d3a", "/api/leads/not-a-uuid", "/api/no-such-route",
                                  "/no-such-page"])
def test_404_for_missing_objects_and_routes(admin_client, path):
    assert assert_reveals_nothing(admin_client.get(path), 404) == {"detail": "Not found."}


def test_405_for_a_method_the_route_lacks(admin_client):
    assert_reveals_nothing(admin_client.put("/api/leads", {}, format="json"), 405)


def test_409_for_a_duplicate(admin_client, gym):
    LeadFactory(gym=gym, phone="+12125550123")
    body = assert_reveals_nothing(admin_client.post(
        "/api/leads", {"first_name": "A", "last_name": "B", "phone": "+1 212 555 0123"}, format="json"), 409)
    assert "existing_id" in body


def test_413_for_a_body_over_the_limit(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin_client.generic("POST", "/api/leads", b'{"notes": "' + b"x" * 2000 + b'"}',
                                    content_type="application/json")
    assert_reveals_nothing(response, 413)


def test_415_for_a_foreign_content_type(admin_client):
    response = admin_client.generic("POST", "/api/leads", b"<lead/>", content_type="application/xml")
    assert_reveals_nothing(response, 415)


def test_429_for_too_many_logins(anonymous):
    for _ in range(12):
        response = anonymous.post("/api/auth/login", {"username": "nobody@example.com", "password": "wrong-password"},
                                  format="json")
    assert_reveals_nothing(response, 429)
    assert response["Retry-After"]


@pytest.mark.urls("reps_dashboard.tests.urls_boom")
@pytest.mark.parametrize("path", ["/api/failing-api-view", "/api/failing-django-view"])
def test_500_is_the_generic_json_body(anonymous, path):
    body = assert_reveals_nothing(anonymous.get(path), 500)
    assert body == {"detail": "Internal server error."}
