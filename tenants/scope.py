"""The gym scope: which gym the current request (or command) works for.

The tenant middleware opens the scope for the lifetime of a request and closes it in a
``finally``; management commands open it explicitly. Gym-scoped managers read it and fail
closed: outside a scope they return no rows. ``unscoped()`` is the one explicit bypass (admin
superusers, system jobs); every use is logged so it can be audited.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger("tenants.scope")

ALL_GYMS = object()  # sentinel: an explicit, audited bypass of gym scoping

_current_gym: ContextVar = ContextVar("current_gym", default=None)


def current_gym():
    """The gym of the open scope, ``ALL_GYMS`` inside ``unscoped()``, else ``None``."""
    return _current_gym.get()


@contextmanager
def gym_scope(gym):
    token = _current_gym.set(gym)
    try:
        yield gym
    finally:
        _current_gym.reset(token)


@contextmanager
def unscoped(reason: str):
    if not reason:
        raise ValueError("unscoped() needs a reason for the audit log")
    logger.info("gym scope bypassed: %s", reason)
    token = _current_gym.set(ALL_GYMS)
    try:
        yield
    finally:
        _current_gym.reset(token)
