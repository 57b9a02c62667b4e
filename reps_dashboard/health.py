"""Health probes for load balancers and orchestrators: no auth, no tenant data.

* ``/health/live``: the process answers (nothing else is touched).
* ``/health/ready``: the database answers, every migration is applied, and the Celery broker answers
  when one is configured (``CELERY_BROKER_URL``, else ``REDIS_URL``). 503 naming what failed.
* ``/health``: the database only (the original probe, kept for existing load balancer checks).

They are served by ``reps_dashboard.probes`` (before the host check). Failures are logged (without
secrets), never shown in the answer.
"""

import logging

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)

OK, FAILED = "ok", "unavailable"
_state = {"migrated": False}  # once every migration is applied, this process need not look again


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure is "unavailable"; the reason goes to the log only
        logger.warning("health: database unreachable", exc_info=True)
        return False
    return True


def migrations_applied() -> bool:
    if not _state["migrated"]:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception:
            logger.warning("health: migrations could not be read", exc_info=True)
            return False
        if pending:
            logger.warning("health: %d migrations not applied", len(pending))
        _state["migrated"] = not pending
    return _state["migrated"]


def broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or settings.REDIS_URL


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def broker_ok(url: str) -> bool:
    """A Redis broker answers PING; any other (RabbitMQ...) accepts a connection through kombu,
    Celery's own transport library."""
    try:
        if url.startswith(REDIS_SCHEMES):
            import redis

            with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as client:
                return bool(client.ping())
        from kombu import Connection

        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
        return True
    except Exception:
        logger.warning("health: broker unreachable", exc_info=True)
        return False


def _answer(checks: dict) -> JsonResponse:
    healthy = all(value in (OK, "not configured") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def live(request):
    return JsonResponse({"status": "ok"})


def ready(request):
    database = database_ok()
    checks = {
        "database": OK if database else FAILED,
        "migrations": OK if database and migrations_applied() else FAILED,
    }
    url = broker_url()
    checks["broker"] = (OK if broker_ok(url) else FAILED) if url else "not configured"
    return _answer(checks)


def database(request):
    return _answer({"database": OK if database_ok() else FAILED})
