from django.db import connection
from django.http import JsonResponse


def health(request):
    """Liveness and database reachability, for load balancers; no auth, no tenant data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure is reported as unavailable, without details
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
