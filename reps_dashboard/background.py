"""How background work is declared and enqueued.

Every task is one of two kinds, like every request:

- ``@gym_task()``: called with ``gym_id``; loads the gym, opens its scope (row-level security binds
  the task as it binds a request) and runs the function with ``gym=``.
- ``@cross_gym_task(reason=...)``: works across gyms (a sweep that finds which gyms have work); runs
  inside the audited ``unscoped()`` bypass and hands each gym's work to a ``gym_task``.

Both log the task, the gym (for a gym task) and the outcome the function returns, and retry with
exponential backoff when the database or the broker is briefly unreachable. Tasks are enqueued with
``enqueue`` only, after the surrounding transaction commits, so a task never sees a row that was rolled
back. ``reps_dashboard/tests/test_background.py`` refuses a task of neither kind.
"""

import logging

from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

from tenants.models import Gym
from tenants.scope import gym_scope, unscoped

from .celery import app

logger = logging.getLogger(__name__)

GYM = "gym"
CROSS_GYM = "cross_gym"
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 5, "retry_backoff_max": 600, "retry_jitter": True,
         "max_retries": 8}


def _name(func):
    return f"{func.__module__}.{func.__name__}"


def _register(func, run, tenancy, options):
    # Not functools.wraps: Celery checks arguments against the signature of ``run`` (gym_id), not func's.
    run.__name__, run.__qualname__, run.__module__, run.__doc__ = (func.__name__, func.__qualname__,
                                                                   func.__module__, func.__doc__)
    task = app.task(name=_name(func), **{**RETRY, **options})(run)
    task.tenancy = tenancy
    return task


def gym_task(**options):
    """A task for one gym: ``func(*, gym, **kwargs)``, called as ``task.delay(gym_id=..., **kwargs)``."""

    def decorate(func):
        def run(*, gym_id, **kwargs):
            gym = Gym.objects.filter(pk=gym_id).first()
            if gym is None:
                logger.info("%s: gym %s no longer exists; nothing to do", _name(func), gym_id,
                            extra={"gym_id": str(gym_id), "outcome": "gym_gone"})
                return None
            with gym_scope(gym):
                outcome = func(gym=gym, **kwargs)
            logger.info("%s for gym %s: %s", _name(func), gym_id, outcome,
                        extra={"gym_id": str(gym_id), "task": _name(func), "outcome": str(outcome)})
            return None

        return _register(func, run, GYM, options)

    return decorate


def cross_gym_task(*, reason: str, **options):
    """A task across gyms, inside ``unscoped(reason)`` (audited): ``func(**kwargs)``."""
    if not reason:
        raise ValueError("A cross-gym task needs a reason for the audit log.")

    def decorate(func):
        def run(**kwargs):
            with unscoped(reason):
                outcome = func(**kwargs)
            logger.info("%s: %s", _name(func), outcome, extra={"task": _name(func), "outcome": str(outcome)})
            return None

        task = _register(func, run, CROSS_GYM, options)
        task.reason = reason
        return task

    return decorate


def enqueue(task, **kwargs):
    """Sends ``task`` with ``kwargs`` once the current transaction commits (at once outside one). A
    broker that cannot be reached is logged, not raised: the write stands, and the periodic sweep
    picks the work up when the broker is back."""

    def send():
        try:
            task.apply_async(kwargs=kwargs)
        except BrokerError:
            logger.warning("could not enqueue %s %s: the broker is unreachable; the next sweep will do it",
                           task.name, kwargs, exc_info=True, extra={"task": task.name, "outcome": "not_enqueued"})

    transaction.on_commit(send)
