"""Health probes: live, ready (database, migrations, broker) and the original /health."""

import pytest

from reps_dashboard import health

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_checks_the_database_and_migrations_and_says_when_no_broker_is_configured(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = ""
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok", "broker": "not configured"}


def test_ready_is_503_when_a_migration_is_not_applied(client, monkeypatch):
    monkeypatch.setitem(health._state, "migrated", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.migration_plan",
                        lambda self, targets: [("a pending migration", False)])
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["migrations"] == "unavailable" and response.json()["status"] == "error"


def test_ready_pings_the_configured_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/13"
    assert client.get("/health/ready").json()["broker"] == "ok"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["broker"] == "unavailable"


def test_the_broker_falls_back_to_redis_url(settings):
    settings.CELERY_BROKER_URL = ""
    settings.REDIS_URL = "redis://127.0.0.1:6379/13"
    assert health.broker_url() == "redis://127.0.0.1:6379/13"


def test_a_probe_by_ip_outside_allowed_hosts_gets_its_answer(client, settings, caplog):
    settings.ALLOWED_HOSTS = ["api.example.com"]
    for path in ("/health", "/health/live", "/health/ready"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    # Other paths still refuse the unknown host.
    assert client.get("/api/leads", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_probes_accept_only_reads(client):
    response = client.post("/health/ready")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_a_broker_other_than_redis_is_checked_through_kombu(client, settings):
    pytest.importorskip("kombu")
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["broker"] == "unavailable"
