"""Rate limits of machine clients: per API key, so one leaking form cannot flood the gym."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class IntakeKeyThrottle(SimpleRateThrottle):
    """``INTAKE_THROTTLE_RATE`` enquiries per API key (default 60/min); 429 beyond."""

    scope = "intake"

    def get_rate(self):
        return settings.INTAKE_THROTTLE_RATE

    def get_cache_key(self, request, view):
        key = getattr(request.user, "key", None)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}
