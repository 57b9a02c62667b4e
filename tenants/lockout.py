"""Login lockout: too many failed logins for one username, or from one IP, lock them out for
a cool-off period, even with the right password. Counters live in the cache (Redis when
``REDIS_URL`` is set, so every worker shares them)."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind, value):
    return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _keys(username, ip):
    keys = [(_key("ip", ip or "unknown"), settings.LOGIN_LOCKOUT_IP_FAILURES)]
    if username:
        keys.append((_key("user", username), settings.LOGIN_LOCKOUT_USERNAME_FAILURES))
    return keys


def locked_for(username: str, ip: str) -> int:
    """Seconds left of a lockout (0 when login may be tried)."""
    for key, limit in _keys(username, ip):
        if (cache.get(key) or 0) >= limit:
            return settings.LOGIN_LOCKOUT_SECONDS
    return 0


def record_failure(username: str, ip: str) -> None:
    for key, _ in _keys(username, ip):
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def record_success(username: str) -> None:
    cache.delete(_key("user", username))
