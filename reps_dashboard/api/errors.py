"""JSON errors everywhere: DRF exceptions, the domain errors services raise
(``reps_dashboard.errors``), Django's 404/500 handlers, integrity conflicts and 413.

Validation errors keep DRF's ``{"field": ["message"]}``; everything else is ``{"detail": "..."}``.
No stack trace, SQL or internal name ever reaches a client.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from reps_dashboard import errors

logger = logging.getLogger(__name__)


class ConflictError(exceptions.APIException):
    """409: the HTTP form of ``errors.Conflict`` (and ``InvalidTransition``)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = errors.Conflict.default_message
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def _body_value(value):
    return value if isinstance(value, (list, dict, type(None), bool, int, float)) else str(value)


def _from_domain(exc: errors.DomainError) -> exceptions.APIException:
    """The HTTP form of a domain error (table in ``reps_dashboard.errors``)."""
    if isinstance(exc, errors.NotFound):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, errors.Conflict):
        return ConflictError(exc.message)
    if isinstance(exc, errors.BusinessRuleViolation):
        return exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
    raise TypeError(f"no status code for the domain error {type(exc).__name__}")


def exception_handler(exc, context):
    extra = {}
    if isinstance(exc, errors.DomainError):
        extra = exc.extra
        exc = _from_domain(exc)
    elif isinstance(exc, Http404):  # Django's message names the model; say nothing more than "not found"
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge("The request body is larger than the server accepts.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, IntegrityError):
        logger.warning("integrity error turned into 409: %s", exc)
        exc = ConflictError("The change conflicts with existing data.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if extra:
        response.data = {**response.data, **{key: _body_value(value) for key, value in extra.items()}}
    if isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def json_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def json_server_error(request):
    return JsonResponse({"detail": "Internal server error."}, status=500)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def json_permission_denied(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
