"""What the Celery worker needs from us, connected at Django's start when Celery is installed
(``reps_dashboard/apps.py``), so the Celery app module needs nothing of its own for it:

* logging: Celery leaves Django's ``LOGGING`` in place (same format and fields as the web), and
  django-structlog's worker step binds ``task_id`` and the queuing request's ``request_id``;
* metrics: task outcomes are counted (``reps_dashboard/metrics.py``);
* the database role: the worker warns at start, like the web, when row-level security cannot bind it.
"""

import logging.config

from django.conf import settings

from . import db_role, metrics


def _keep_django_logging(**kwargs):
    """``setup_logging``: with a receiver connected, Celery does not install its own handlers."""
    logging.config.dictConfig(settings.LOGGING)


def _add_structlog_step(sender=None, instance=None, **kwargs):
    """``celeryd_init`` runs before the worker builds its steps from ``app.steps``."""
    from django_structlog.celery.steps import DjangoStructLogInitStep

    instance.app.steps["worker"].add(DjangoStructLogInitStep)


def _check_database_role(**kwargs):
    db_role.warn_if_rls_does_not_bind()


def connect() -> bool:
    """False (and nothing connected) when Celery is not installed."""
    try:
        from celery import signals
    except ImportError:
        return False
    signals.setup_logging.connect(_keep_django_logging, weak=False, dispatch_uid="reps.worker.logging")
    signals.celeryd_init.connect(_add_structlog_step, weak=False, dispatch_uid="reps.worker.structlog")
    signals.worker_ready.connect(_check_database_role, weak=False, dispatch_uid="reps.worker.db_role")
    signals.task_success.connect(metrics.task_succeeded, weak=False, dispatch_uid="reps.metrics.task_success")
    signals.task_failure.connect(metrics.task_failed, weak=False, dispatch_uid="reps.metrics.task_failure")
    signals.task_retry.connect(metrics.task_retried, weak=False, dispatch_uid="reps.metrics.task_retry")
    return True
