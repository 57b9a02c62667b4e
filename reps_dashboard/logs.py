"""Structured logs (structlog, through the standard library's logging).

One JSON object per line in production (``DJANGO_DEBUG=false``), readable lines when debugging. Every
line carries ``timestamp`` (UTC, ISO 8601), ``level`` and ``logger``; lines written while serving a
request carry its ``request_id`` (the proxy's ``X-Request-ID`` when it sent one, else a new UUID,
returned in the response's ``X-Request-ID``), and ``gym_id`` / ``user_id`` once they are known (the
gym scope and the tenant middleware bind them). Celery tasks log the same fields plus ``task_id``:
django-structlog carries the request id of the request that queued a task into the worker.
Records of other libraries (Django, gunicorn, Celery) go through the same formatter.
"""

import logging
import re

import structlog

# Applied to every record, structlog's own and the standard library's.
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def configure_structlog() -> None:
    logging.captureWarnings(True)  # Python warnings become log lines of the same format ("py.warnings")
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(*, json: bool) -> dict:
    """A ``logging.config.dictConfig`` formatter entry."""
    if json:
        render = [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=False)]
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        "foreign_pre_chain": SHARED_PROCESSORS,
    }


def logging_config(*, json: bool, level: str) -> dict:
    """Django's ``LOGGING`` (also applied by the Celery worker, which loads Django's settings)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter(json=json)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Errors are logged by the request middleware with the request id; Django's own line
            # for every 4xx would say the same thing again.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


def gunicorn_logconfig(*, json: bool, level: str) -> dict:
    """gunicorn's ``logconfig_dict``: its error and access logs in the same format as the app's."""
    config = logging_config(json=json, level=level)
    config["loggers"] = {
        "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    }
    return config


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class UpstreamRequestIdMiddleware:
    """Runs before django-structlog's request middleware: an ``X-Request-ID`` that is not a short
    token (letters, digits, ``. _ : -``, at most 128) is dropped, so a new id is generated instead of
    echoing whatever a client sent into the logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID")
        if given is not None and not _REQUEST_ID.match(given):
            del request.META["HTTP_X_REQUEST_ID"]
        return self.get_response(request)


class RequestIdMiddleware:
    """Returns the request id (bound by django-structlog's request middleware, which runs just
    before this one) in the response, so a client or proxy can quote it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        response = self.get_response(request)
        if request_id:
            response["X-Request-ID"] = request_id
        return response


def _texts(values: dict) -> dict:
    return {name: (str(value) if value is not None else None) for name, value in values.items()}


def bind(**values) -> None:
    """Adds fields (ids, as text) to every log line of the current request or task."""
    structlog.contextvars.bind_contextvars(**_texts(values))


def bound(**values):
    """Context manager: the fields are on every log line inside, then put back as they were."""
    return structlog.contextvars.bound_contextvars(**_texts(values))

