"""Throttle and lockout for every door that checks a password: the API login, the admin login
(through ``tenants.auth_backend``) and the change-password endpoint.

* Throttle: at most ``LOGIN_THROTTLE_RATE`` attempts (default 10 a minute) per client address and
  per login name, right or wrong.
* Lockout: ``LOGIN_LOCKOUT_USERNAME_FAILURES`` failures for one login name, or
  ``LOGIN_LOCKOUT_IP_FAILURES`` from one client address, lock it for ``LOGIN_LOCKOUT_SECONDS``,
  even with the right password.

Login names must be canonical (``tenants.identity.canonical_email``); addresses come from
``reps_dashboard.client_address.client_ip``. Counters live in the cache (Redis when ``REDIS_URL``
is set, so every worker shares them); keys are hashes, since a login name is free text.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class LoginRefused(Exception):
    """Locked out or throttled: ``wait`` seconds before trying again."""

    def __init__(self, wait: int, message: str):
        super().__init__(message)
        self.wait = wait
        self.message = message


def _key(kind: str, value: str) -> str:
    return f"login-guard:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _subjects(login, ip):
    subjects = []
    if ip:
        subjects.append(("ip", ip, settings.LOGIN_LOCKOUT_IP_FAILURES))
    if login:
        subjects.append(("user", login, settings.LOGIN_LOCKOUT_USERNAME_FAILURES))
    return subjects


def _rate():
    count, _, period = settings.LOGIN_THROTTLE_RATE.partition("/")
    return int(count), _PERIODS[period.strip()[:1].lower()]


def _now() -> float:
    return time.time()


def _increment(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def admit(*, login: str, ip: str | None) -> None:
    """Before a password is checked: ``LoginRefused`` when locked out or over the rate. Counts the attempt."""
    for kind, value, limit in _subjects(login, ip):
        if (cache.get(_key(f"failures:{kind}", value)) or 0) >= limit:
            minutes = max(1, round(settings.LOGIN_LOCKOUT_SECONDS / 60))
            raise LoginRefused(settings.LOGIN_LOCKOUT_SECONDS,
                               f"Too many failed login attempts. Try again in {minutes} minutes.")
    allowed, period = _rate()
    now = _now()
    window = int(now // period)
    for kind, value, _ in _subjects(login, ip):
        if _increment(_key(f"attempts:{kind}:{window}", value), period) > allowed:
            wait = max(1, int(period - now % period))
            raise LoginRefused(wait, f"Too many login attempts. Try again in {wait} seconds.")


def record_failure(*, login: str, ip: str | None) -> None:
    for kind, value, _ in _subjects(login, ip):
        _increment(_key(f"failures:{kind}", value), settings.LOGIN_LOCKOUT_SECONDS)


def record_success(*, login: str) -> None:
    cache.delete(_key("failures:user", login))
