"""The machine-facing pages: health probes and the metrics page.

Answered by the first middleware, before the host check, the HTTPS redirect, the tenant middleware and
request logging: a load balancer or Prometheus addressing the box by its IP (not in
``DJANGO_ALLOWED_HOSTS``), over plain HTTP, gets its answer, and probes do not fill the logs.
"""

from django.http import JsonResponse

from . import health, metrics

ROUTES = {
    "/health": health.database,
    "/health/live": health.live,
    "/health/ready": health.ready,
    "/metrics": metrics.metrics,
}


class ProbeMiddleware:
    """Serves ``ROUTES`` (with or without a trailing slash); every other request passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ROUTES.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405,
                                headers={"Allow": "GET, HEAD"})
        return view(request)
