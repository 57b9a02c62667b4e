"""The gym scope: which gym the current request (or command) works for.

The tenant middleware opens the scope for the lifetime of a request and closes it in a
``finally``; management commands open it explicitly. Gym-scoped managers read it and fail
closed: outside a scope they return no rows. ``unscoped()`` is the one explicit bypass (admin
superusers, system jobs); every use is logged so it can be audited.

On PostgreSQL the scope is also handed to the database (``tenants/rls.py``): row-level security
admits only the scope's gym, or every gym inside ``unscoped()``. Inside a transaction the setting is
transaction-local; leaving the scope restores exactly what was set before.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

from reps_dashboard import logs

from . import rls

logger = logging.getLogger("tenants.scope")

ALL_GYMS = object()  # sentinel: an explicit, audited bypass of gym scoping

_current_gym: ContextVar = ContextVar("current_gym", default=None)


def current_gym():
    """The gym of the open scope, ``ALL_GYMS`` inside ``unscoped()``, else ``None``."""
    return _current_gym.get()


@contextmanager
def _scoped(value, *, restore_db=True):
    token = _current_gym.set(value)
    previous = None
    if rls.active():
        local = connection.in_atomic_block
        previous = rls.enter_scope(gym_id=getattr(value, "pk", None), bypass=value is ALL_GYMS, local=local)
    try:
        with logs.bound(gym_id="all" if value is ALL_GYMS else getattr(value, "pk", None)):
            yield value
    finally:
        _current_gym.reset(token)
        if previous is not None and restore_db and not rls.transaction_broken():
            rls.restore_scope(previous, local=local)


def gym_scope(gym, *, restore_db=True):
    """Queries inside act for ``gym`` (``None``: for no gym, so they see nothing).

    ``restore_db=False`` is for the tenant middleware only: the request's outermost transaction
    ends right after the scope, and with it the transaction-local database setting."""
    return _scoped(gym, restore_db=restore_db)


@contextmanager
def unscoped(reason: str):
    if not reason:
        raise ValueError("unscoped() needs a reason for the audit log")
    logger.info("gym scope bypassed: %s", reason)
    with _scoped(ALL_GYMS):
        yield


def in_current_scope(iterable):
    """For a streamed response body: it is produced after the view returned, when the request's
    gym scope and transaction are closed. This re-opens both, for the same gym (or the same
    audited all-gyms bypass), around the iteration."""
    value = current_gym()

    def generate():
        with transaction.atomic(), _scoped(value):
            yield from iterable

    return generate()
