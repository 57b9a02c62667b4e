"""Prometheus metrics of our own, and the token-protected ``/metrics`` page.

django-prometheus measures requests (rate, latency and answers by view and status) and database
queries (count, errors, duration); this module adds Celery task outcomes and dial outcomes. With
several processes (gunicorn workers, Celery children) ``PROMETHEUS_MULTIPROC_DIR`` names a directory
they all write to, and the page sums them (docs/operations.md).
"""

import hmac
import re

from django.conf import settings
from django.http import JsonResponse
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter

TASKS = Counter("reps_celery_tasks_total", "Celery tasks finished, by task name and state (succeeded, failed, retried).",
                ["task", "state"])
DIAL_OUTCOMES = Counter("reps_dial_outcomes_total", "Outbound calls the dialer tried to place, by outcome.", ["outcome"])

_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def record_dial_outcome(outcome) -> None:
    """Counts one dial attempt (e.g. ``placed``, ``failed``, ``skipped``, or a call status); anything
    that is not a short snake_case word is counted as ``other`` so a label cannot explode."""
    label = str(getattr(outcome, "value", outcome))
    DIAL_OUTCOMES.labels(outcome=label if _LABEL.match(label) else "other").inc()


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or "unknown"


def task_succeeded(sender=None, **kwargs):
    TASKS.labels(task=_task_name(sender), state="succeeded").inc()


def task_failed(sender=None, **kwargs):
    TASKS.labels(task=_task_name(sender), state="failed").inc()


def task_retried(sender=None, **kwargs):
    TASKS.labels(task=_task_name(sender), state="retried").inc()


def metrics(request):
    """The Prometheus page, for ``Authorization: Bearer <METRICS_TOKEN>`` only; 404 while no token is
    configured (the page is then not served at all)."""
    token = settings.METRICS_TOKEN
    if not token:
        return JsonResponse({"detail": "Not found."}, status=404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return JsonResponse({"detail": "The metrics token is missing or wrong."}, status=401,
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return ExportToDjangoView(request)
