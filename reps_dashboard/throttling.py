"""API throttles beyond login: one budget per user (JWT) and one per API key (the voice agent).

Rates come from ``API_THROTTLE_USER_RATE`` / ``API_THROTTLE_API_KEY_RATE`` (``<n>/<second|minute|hour|day>``,
or ``off``), read on every request so a test or an operator's settings change applies at once. Over
the budget: 429 with ``Retry-After`` (DRF). Counters live in the default cache: with ``REDIS_URL``
every process shares them; without it each process counts alone. Anonymous requests (login, the
signed voice webhook) are not counted here: login has its own throttle and lockout.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from tenants.api_keys import ApiKeyPrincipal


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        rate = settings.API_THROTTLE_RATES.get(self.scope)
        return None if rate in (None, "", "off") else rate


class UserRateThrottle(_SettingsRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if not getattr(user, "is_authenticated", False) or isinstance(user, ApiKeyPrincipal):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ApiKeyRateThrottle(_SettingsRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.user, ApiKeyPrincipal):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.key.pk}
