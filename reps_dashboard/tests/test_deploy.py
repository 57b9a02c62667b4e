"""The deploy as an operator runs it: collected static files served by the app with DEBUG off, gunicorn
started from gunicorn.conf.py, the Procfile, every documented variable, Sentry and Redis."""

import gzip
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from reps_dashboard.tests.test_production import ROOT, production_env, run
from tenants.tests.factories import TEST_PASSWORD

BIN = Path(sys.executable).parent


# --- static files ---------------------------------------------------------------------------

STATIC_PROBE = r"""
import json, re
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="api.example.com")
page = client.get("/admin/login/", secure=True).content.decode()
css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page).group(1)
plain = client.get(css, secure=True)
gzipped = client.get(css, secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({"css": css, "status": plain.status_code, "type": plain["Content-Type"],
                  "cache": plain["Cache-Control"], "body": b"".join(plain.streaming_content)[:200].decode(),
                  "encoding": gzipped.get("Content-Encoding"),
                  "missing": client.get("/static/admin/css/nothing.css", secure=True).status_code}))
"""


def test_collected_static_files_are_served_compressed_with_hashed_names_when_debug_is_off(tmp_path):
    env = production_env(DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    collected = run(["manage.py", "collectstatic", "--noinput"], env)
    assert collected.returncode == 0, collected.stderr
    result = run(["-c", STATIC_PROBE], env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and seen["type"].startswith("text/css")
    assert "immutable" in seen["cache"] and "max-age=315360000" in seen["cache"]
    assert seen["encoding"] == "gzip"
    assert seen["body"].strip()  # the stylesheet itself
    assert seen["missing"] == 404


# --- gunicorn, the Procfile -----------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_serves_with_its_config_and_logs_json_lines_with_the_request_id(tmp_path):
    port = free_port()
    env = production_env(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", DJANGO_BEHIND_PROXY="true")
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "reps_dashboard.wsgi:application"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = get(f"http://127.0.0.1:{port}/health/live")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, Path(log.name).read_text()
                time.sleep(0.3)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, headers, body = get(f"http://127.0.0.1:{port}/api/auth/me", Host="api.example.com",
                                    **{"X-Forwarded-Proto": "https", "X-Request-ID": "trace-me-77"})
        assert status == 401 and headers["X-Request-ID"] == "trace-me-77"
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [json.loads(line) for line in Path(log.name).read_text().splitlines() if line.strip()]
    assert lines, "gunicorn wrote nothing"
    assert all({"timestamp", "level", "logger", "event"} <= line.keys() for line in lines)
    app = [line for line in lines if line.get("request_id") == "trace-me-77"]
    assert app and app[-1]["event"] == "request_finished" and app[-1]["code"] == 401
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert any("request_id=trace-me-77" in line["event"] and '"GET /api/auth/me' in line["event"] for line in access)


def test_the_procfile_names_the_processes_and_honcho_accepts_it():
    processes = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(processes) == {"web", "worker", "beat", "release"}
    assert processes["web"].startswith("gunicorn -c gunicorn.conf.py reps_dashboard.wsgi:application")
    assert "migrate --noinput" in processes["release"] and "collectstatic --noinput" in processes["release"]
    honcho = shutil.which("honcho", path=str(BIN))
    if honcho is None:
        pytest.skip("honcho is not installed")
    result = subprocess.run([honcho, "check"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "web, worker, beat, release" in result.stderr + result.stdout


# --- configuration --------------------------------------------------------------------------

# A valid value for every variable of README's Configuration table. A variable documented there
# without a value here fails the test: every documented configuration is booted.
VALUES = {
    "DATABASE_URL": "sqlite:///:memory:",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "s" * 40,
    "JWT_SIGNING_KEY": "j" * 40,
    "DJANGO_ALLOWED_HOSTS": "api.example.com,10.0.0.5",
    "CORS_ALLOWED_ORIGINS": "https://app.example.com",
    "ADMIN_SITE_URL": "https://app.example.com/",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS": "true",
    "FIELD_ENCRYPTION_KEY": "uS4Kp3Xq3n0m3Qx7iGk5JH1tq5m8nRk9Jf2Zy6l1aWs=",
    "RETELL_API_BASE_URL": "https://retell.example.com",
    "RETELL_TIMEOUT_SECONDS": "5",
    "RETELL_WEBHOOK_MAX_BYTES": "5242880",
    "JWT_ACCESS_MINUTES": "10",
    "JWT_REFRESH_DAYS": "3",
    "LOGIN_THROTTLE_RATE": "5/min",
    "LOGIN_LOCKOUT_USERNAME_FAILURES": "3",
    "LOGIN_LOCKOUT_IP_FAILURES": "30",
    "LOGIN_LOCKOUT_SECONDS": "600",
    "MAX_UPLOAD_BYTES": "1048576",
    "DATABASE_APP_ROLE": "reps_app",
    "DB_CONN_MAX_AGE": "0",
    "DJANGO_BEHIND_PROXY": "true",
    "DJANGO_TRUSTED_PROXY_COUNT": "2",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_HSTS_SECONDS": "3600",
    "LOG_LEVEL": "warning",
    "LOG_FORMAT": "console",
    "DJANGO_STATIC_ROOT": "/tmp/reps-static",
    "API_THROTTLE_USER_RATE": "100/min",
    "API_THROTTLE_API_KEY_RATE": "off",
    "METRICS_TOKEN": "m" * 32,
    "SENTRY_DSN": "https://public@sentry.example.com/1",
    "SENTRY_ENVIRONMENT": "staging",
    "SENTRY_RELEASE": "1.2.3",
    "SENTRY_TRACES_SAMPLE_RATE": "0.1",
    "PROMETHEUS_MULTIPROC_DIR": "/tmp",
    "GUNICORN_BIND": "0.0.0.0:9000",
    "GUNICORN_WORKERS": "2",
    "GUNICORN_TIMEOUT": "20",
    "GUNICORN_GRACEFUL_TIMEOUT": "20",
    "GUNICORN_KEEPALIVE": "2",
    "GUNICORN_MAX_REQUESTS": "500",
    "GUNICORN_ACCESS_LOG": "-",
    "FORWARDED_ALLOW_IPS": "10.0.0.1",
    "PORT": "9000",
    "GYM_ADMIN_PASSWORD": "correct-horse-battery-staple",
    "DATABASE_APP_PASSWORD": "a-long-enough-password",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
}


def documented_variables():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = []
    for row in table.splitlines():
        if row.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    return names


BOOT = r"""
import importlib, json, os, sys
values = json.loads(sys.argv[1])
base = dict(os.environ)
import reps_dashboard.settings as settings_module
for name, value in values.items():  # the settings, booted with each variable set alone
    os.environ.clear(); os.environ.update(base); os.environ[name] = value
    importlib.reload(settings_module)
os.environ.update(values)  # then all of them together, through Django's own start
importlib.reload(settings_module)
import django
django.setup()
from django.core.management import call_command
call_command("check")
import gunicorn.config, runpy
config = runpy.run_path("gunicorn.conf.py")
print(json.dumps({"workers": config["workers"], "bind": config["bind"]}))
"""


def test_the_settings_boot_with_each_documented_variable_set():
    names = documented_variables()
    assert {"DATABASE_URL", "REDIS_URL", "METRICS_TOKEN", "SENTRY_DSN", "API_THROTTLE_USER_RATE"} <= set(names)
    missing = sorted(set(names) - VALUES.keys())
    assert not missing, f"documented in README without a test value: {missing}"
    result = run(["-c", BOOT, json.dumps({name: VALUES[name] for name in names})], production_env())
    assert result.returncode == 0, result.stderr[-3000:]
    if "GUNICORN_WORKERS" in names:
        assert json.loads(result.stdout.strip().splitlines()[-1]) == {"workers": 2, "bind": "0.0.0.0:9000"}


def test_an_empty_database_url_is_a_clear_configuration_error():
    result = run(["manage.py", "check"], production_env(DATABASE_URL=""))
    assert result.returncode != 0
    assert "DATABASE_URL is set but empty" in result.stderr and "Traceback" in result.stderr


def test_a_first_run_on_sqlite_prints_no_warning(tmp_path):
    env = production_env(DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = run(["manage.py", "check"], env)
    assert result.returncode == 0 and "WARNINGS" not in result.stderr + result.stdout, result.stderr


def test_production_logs_are_json_lines_and_debug_logs_are_readable():
    emit = "import django, logging; django.setup(); logging.getLogger('ops.test').warning('hello %s', 'world')"
    production = run(["-c", emit], production_env()).stderr.strip().splitlines()[-1]
    line = json.loads(production)
    assert line["event"] == "hello world" and line["level"] == "warning" and line["logger"] == "ops.test"
    assert "timestamp" in line
    debugging = run(["-c", emit], production_env(DJANGO_DEBUG="true")).stderr.strip().splitlines()[-1]
    assert "hello world" in debugging and "[warning" in debugging and not debugging.startswith("{")


# --- Sentry -------------------------------------------------------------------------------


class _Collector(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        _Collector.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


SENTRY_PROBE = r"""
import django, sentry_sdk
django.setup()
from django.test import Client
from django.conf import settings
options = sentry_sdk.get_client().options
print("pii", options["send_default_pii"], options["environment"])
try:
    raise ZeroDivisionError("sentry probe")
except ZeroDivisionError:
    sentry_sdk.capture_exception()
sentry_sdk.flush(timeout=10)
"""


def test_errors_go_to_sentry_when_a_dsn_is_set_without_personal_data():
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
        result = run(["-c", SENTRY_PROBE], production_env(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging"))
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "pii False staging" in result.stdout
    assert any(b"sentry probe" in body for body in _Collector.received)


# --- Redis --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_works_with_the_redis_cache(settings, api_client, admin_user):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/13", "KEY_PREFIX": "reps-ops-test"}}
    try:
        response = api_client().post("/api/auth/login", {"username": admin_user.email, "password": TEST_PASSWORD},
                                     format="json")
        assert response.status_code == 200, response.content
        assert caches["default"].__class__.__name__ == "RedisCache"
    finally:
        caches["default"].clear()
