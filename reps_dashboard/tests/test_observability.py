"""Structured logs with the request id, gym and user; the metrics page; JSON API errors in debug."""

import io
import json
import logging
import uuid

import pytest
import structlog

from reps_dashboard import logs, metrics, worker_hooks
from tenants.scope import gym_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Every log line written during the test, as the production JSON formatter writes it."""
    stream = io.StringIO()
    config = logs.formatter(json=True)
    factory = config.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**config))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_request_id_from_the_proxy_is_logged_and_returned(admin_client, json_lines):
    response = admin_client.get("/api/leads", HTTP_X_REQUEST_ID="proxy-id-42")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "proxy-id-42"
    finished = [line for line in json_lines() if line["event"] == "request_finished"]
    assert finished and all(line["request_id"] == "proxy-id-42" for line in finished)


def test_the_spa_may_read_the_request_id_and_retry_after_across_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = client.get("/api/leads", HTTP_ORIGIN="https://app.example.com")
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed


@pytest.mark.parametrize("given", ["x" * 129, "has space", "<script>", ""])
def test_a_request_id_that_is_not_a_short_token_is_replaced(client, given):
    returned = client.get("/api/leads", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert returned != given
    uuid.UUID(returned)


def test_without_a_proxy_id_one_is_generated_per_request(client):
    first, second = client.get("/api/leads")["X-Request-ID"], client.get("/api/leads")["X-Request-ID"]
    assert first != second
    uuid.UUID(first), uuid.UUID(second)


def test_log_lines_carry_time_level_logger_gym_and_user(admin_client, admin_user, json_lines):
    admin_client.get("/api/leads", HTTP_X_REQUEST_ID="req-1")
    line = next(line for line in json_lines() if line["event"] == "request_finished")
    assert line["level"] == "info" and line["logger"] == "django_structlog.middlewares.request"
    assert line["timestamp"].endswith("Z") and line["code"] == 200 and line["request"] == "GET /api/leads"
    assert line["gym_id"] == str(admin_user.gym_id) and line["user_id"] == str(admin_user.pk)


def test_standard_library_records_get_the_same_fields_inside_a_gym_scope(gym, json_lines):
    with gym_scope(gym):
        logging.getLogger("leads.importer").warning("row %d skipped", 7)
    line = json_lines()[-1]
    assert line == {**line, "event": "row 7 skipped", "level": "warning", "logger": "leads.importer",
                    "gym_id": str(gym.pk)}
    assert "gym_id" not in structlog.contextvars.get_contextvars()  # the scope put it back


def test_an_exception_is_one_json_line_with_its_traceback(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    line = json_lines()[-1]
    assert line["event"] == "failed" and line["level"] == "error"
    assert line["exception"][0]["exc_type"] == "ValueError"


# --- metrics -------------------------------------------------------------------------------


def test_metrics_are_not_served_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_metrics_show_requests_by_view_database_time_tasks_and_dial_outcomes(admin_client, client, settings):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    admin_client.get("/api/leads")
    admin_client.get(f"/api/leads/{uuid.uuid4()}")
    metrics.record_dial_outcome("placed")
    metrics.record_dial_outcome("Not a label!")
    metrics.task_failed(sender=type("Task", (), {"name": "voice.tasks.dial"})())
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus", HTTP_HOST="10.0.0.9")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="lead-list"}' in text
    assert 'django_http_responses_total_by_status_view_method_total{method="GET",status="404",view="lead-detail"}' in text
    assert "django_db_query_duration_seconds_count" in text
    assert 'reps_dial_outcomes_total{outcome="placed"}' in text and 'reps_dial_outcomes_total{outcome="other"}' in text
    assert 'reps_celery_tasks_total{state="failed",task="voice.tasks.dial"}' in text


def test_task_outcomes_are_counted_from_celerys_signals():
    signals = pytest.importorskip("celery.signals")
    assert worker_hooks.connect()
    task = type("Task", (), {"name": "tests.sample"})()
    before = metrics.TASKS.labels(task="tests.sample", state="succeeded")._value.get()
    signals.task_success.send(sender=task, result=None)
    signals.task_retry.send(sender=task, request=None, reason="later")
    assert metrics.TASKS.labels(task="tests.sample", state="succeeded")._value.get() == before + 1
    assert metrics.TASKS.labels(task="tests.sample", state="retried")._value.get() >= 1


# --- JSON errors while debugging -------------------------------------------------------------


def test_a_malformed_id_is_a_json_404_even_in_debug_mode(admin_client, settings):
    settings.DEBUG = True
    response = admin_client.get("/api/leads/not-a-uuid")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}
    assert admin_client.get("/api/no-such-thing/").json() == {"detail": "Not found."}


def test_the_worker_keeps_djangos_logging_binds_task_ids_and_checks_its_database_role(monkeypatch):
    signals = pytest.importorskip("celery.signals")
    from celery import Celery
    from django_structlog.celery.steps import DjangoStructLogInitStep

    assert worker_hooks.connect()
    assert signals.setup_logging.receivers  # a receiver: Celery does not replace our handlers
    app = Celery("reps-ops-test")
    signals.celeryd_init.send(sender="worker@test", instance=type("Worker", (), {"app": app})(), conf=app.conf)
    assert DjangoStructLogInitStep in app.steps["worker"]
    checked = []
    monkeypatch.setattr("reps_dashboard.db_role.warn_if_rls_does_not_bind", lambda: checked.append(True))
    signals.worker_ready.send(sender=None)
    assert checked == [True]
