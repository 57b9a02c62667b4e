"""Production settings, checked as production loads them: a fresh process with production
environment variables (settings are computed from the environment at import time)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
APP_ORIGIN = "https://app.example.com"


def production_env(**overrides):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "JWT_", "CORS_", "FIELD_ENCRYPTION_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "reps_dashboard.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "CORS_ALLOWED_ORIGINS": APP_ORIGIN,
        # Nothing here needs a table: an empty in-memory database keeps the check off any real one.
        "DATABASE_URL": "sqlite:///:memory:",
    })
    env.update(overrides)
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_environment_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "JWT_SIGNING_KEY", "FIELD_ENCRYPTION_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_real_secret_or_hosts(missing):
    result = run(["manage.py", "check"], production_env(**{missing: ""}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


def test_production_refuses_a_jwt_key_equal_to_the_secret_key():
    key = secrets.token_urlsafe(50)
    result = run(["manage.py", "check"], production_env(DJANGO_SECRET_KEY=key, JWT_SIGNING_KEY=key))
    assert result.returncode != 0 and "must differ" in result.stderr


# Requests made inside a production-configured process; it prints what it saw as JSON.
PROBE = r"""
import json
import django
django.setup()
from django.test import Client
from rest_framework.settings import api_settings

client = Client(HTTP_HOST="api.example.com")

def seen(response):
    return {"status": response.status_code, "headers": {k.lower(): v for k, v in response.headers.items()},
            "body": response.content.decode(errors="replace")}

print(json.dumps({
    "renderers": [r.__name__ for r in api_settings.DEFAULT_RENDERER_CLASSES],
    "https_api": seen(client.get("/api/auth/me", secure=True)),
    "http_api": seen(client.get("/api/auth/me")),
    "http_health": seen(client.get("/health")),
    "preflight_allowed": seen(client.options("/api/leads", secure=True, HTTP_ORIGIN="__ORIGIN__",
                                             HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")),
    "preflight_other": seen(client.options("/api/leads", secure=True, HTTP_ORIGIN="https://evil.example.net",
                                           HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")),
    "get_other_origin": seen(client.get("/api/auth/me", secure=True, HTTP_ORIGIN="https://evil.example.net")),
    "browsable": seen(client.get("/api/auth/me", secure=True, HTTP_ACCEPT="text/html")),
}))
""".replace("__ORIGIN__", APP_ORIGIN)


@pytest.fixture(scope="module")
def production():
    result = run(["-c", PROBE], production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_api_answers_carry_the_security_headers_over_https(production):
    headers = production["https_api"]["headers"]
    assert production["https_api"]["status"] == 401
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "no-store" in headers["cache-control"]
    assert headers["content-type"].startswith("application/json")


def test_plain_http_is_redirected_to_https_except_the_health_probe(production):
    assert production["http_api"]["status"] == 301
    assert production["http_api"]["headers"]["location"] == "https://api.example.com/api/auth/me"
    assert production["http_health"]["status"] == 200


def test_cors_answers_the_configured_origin_only(production):
    allowed, other = production["preflight_allowed"]["headers"], production["preflight_other"]["headers"]
    assert allowed["access-control-allow-origin"] == APP_ORIGIN
    assert "authorization" in allowed["access-control-allow-headers"]
    assert "access-control-allow-origin" not in other
    assert "access-control-allow-origin" not in production["get_other_origin"]["headers"]


def test_the_browsable_api_is_off_in_production(production):
    assert production["renderers"] == ["ORJSONRenderer"]
    browsable = production["browsable"]
    assert browsable["status"] == 406 or browsable["headers"]["content-type"].startswith("application/json")
    assert "<html" not in browsable["body"].lower()


def test_authenticated_api_answers_are_not_stored_by_caches(admin_client):
    response = admin_client.get("/api/leads")
    assert response.status_code == 200
    assert "no-store" in response["cache-control"] and "private" in response["cache-control"]
