from urllib.parse import parse_qsl

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control

from reps_dashboard.api.errors import json_bad_request, json_not_found, json_permission_denied, json_server_error


class RequestGuardMiddleware:
    """Cheap checks before any view runs, and no caching of API answers.

    * A declared body over the limit is a 413 before it is read (DRF's JSON parser reads the
      stream directly, so Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check would not apply).
      Multipart uploads may be up to MAX_UPLOAD_BYTES, paths listed in REQUEST_BODY_LIMITS (the voice
      platform's webhooks) up to their own limit, other bodies DATA_UPLOAD_MAX_MEMORY_SIZE.
    * A NUL byte in the query string is a 400 (PostgreSQL cannot store or compare it).
    * API responses carry ``Cache-Control: no-store``: they hold one gym's private data.
    * API errors are JSON even when Django answered them itself in HTML (``DEBUG`` pages).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return _nul_in_query(query)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.MAX_UPLOAD_BYTES + 64 * 1024 if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        for prefix, path_limit in settings.REQUEST_BODY_LIMITS.items():
            if request.path.startswith(prefix):
                limit = path_limit
        if length > limit:
            return JsonResponse({"detail": f"The request body is too large (limit {limit} bytes)."}, status=413)
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response = _json_error(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


def _json_error(response):
    """An API error that Django answered itself in HTML (its debug 404 and 500 pages, which bypass
    the JSON error handlers while DEBUG is on) becomes the same JSON body as in production."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
        return response
    answer = {404: json_not_found, 403: json_permission_denied, 400: json_bad_request}.get(response.status_code)
    if answer is not None:
        return answer(None)
    if response.status_code >= 500:
        return json_server_error(None)
    return response


def _nul_in_query(query):
    """400 naming the parameters whose value holds a NUL (a name holding one is named by position)."""
    errors = {}
    for position, (name, value) in enumerate(parse_qsl(query, keep_blank_values=True), start=1):
        if "\x00" in name:
            errors.setdefault("non_field_errors", []).append(f"Parameter {position} has a NUL character in its name.")
        elif "\x00" in value:
            errors[name] = ["NUL characters are not allowed."]
    return JsonResponse(errors or {"detail": "The query string contains a NUL character."}, status=400)
