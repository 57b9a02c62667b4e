"""gunicorn settings: `gunicorn -c gunicorn.conf.py reps_dashboard.wsgi:application` (the Procfile's web).

Each value can be changed through the environment (README, Configuration). Sync workers, cores + 1:
the worker sweep in docs/performance.md found more workers or threads slower on the same cores.
"""

import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from reps_dashboard.logs import gunicorn_logconfig  # noqa: E402  (needs the path above)

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request taking longer than this is killed (and logged): imports stream, nothing legitimate is slower.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))  # behind a proxy that keeps connections open
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Trust X-Forwarded-* only from the proxy in front (gunicorn also reads FORWARDED_ALLOW_IPS itself).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: the same format as the app's (JSON lines in production); the access line names the request
# id the app returned, so an access line and the app's lines of the same request can be joined.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s bytes %(M)sms request_id=%({x-request-id}o)s user_agent="%(a)s"'
)
_debug = os.environ.get("DJANGO_DEBUG", "true").lower() in ("1", "true", "yes", "on")
logconfig_dict = gunicorn_logconfig(
    json=os.environ.get("LOG_FORMAT", "console" if _debug else "json") == "json",
    level=os.environ.get("LOG_LEVEL", "INFO").upper(),
)


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a dead worker's gauges leave the metrics page."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
