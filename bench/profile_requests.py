"""One endpoint, in-process, on the benchmark's data set: time per request, its SQL, a profile.

    .venv/bin/python bench/profile_requests.py /api/leads/?limit=50
    .venv/bin/python bench/profile_requests.py /api/calls/?limit=50 --email bench-small-1@bench.invalid --sql
    .venv/bin/python bench/profile_requests.py /bench/leads?limit=50 --profile 40

Runs the request through Django's test client (every middleware, JWT auth, the gym scope, the
renderer) with the production settings of bench/perf.py, as the app role that row-level security
binds, one request at a time: the time a request costs without queueing. Needs the data set
(``make bench`` generates it). ``--sql`` prints each query with its time; ``--profile N`` the top N
functions by cumulative time (``--sort tottime`` for own time).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OWNER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reps_bench")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--email", default="bench-big@bench.invalid", help="the user (default: the big gym's admin)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30, help="per round")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="cumulative")
    options = parser.parse_args()

    url = urlparse(OWNER_URL)
    os.environ.update({
        "DATABASE_URL": f"postgres://reps_bench_app@{url.hostname}:{url.port or 5432}{url.path}",
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "p" * 50,
        "JWT_SIGNING_KEY": "q" * 50, "FIELD_ENCRYPTION_KEY": "Yk1qZ0lqVnJ0a0x6dW9hbW1wZ0xQdXJ0a0x6dW9hbW0=",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_HSTS_SECONDS": "0",
        "DB_CONN_MAX_AGE": "600", "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants import tokens
    from tenants.models import User
    from tenants.scope import unscoped

    with unscoped("bench: profile a request"):
        user = User.objects.get(email=options.email)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_pair(user)['access_token']}", "HTTP_HOST": "127.0.0.1"}
    client = Client()

    def get():
        return client.get(options.path, **headers)

    for _ in range(3):
        response = get()
    if response.status_code != 200:
        sys.exit(f"{response.status_code}: {response.content[:300]!r}")
    per_round = []
    for _ in range(options.rounds):
        started = time.perf_counter()
        for _ in range(options.requests):
            get()
        per_round.append((time.perf_counter() - started) / options.requests * 1000)
    per_round.sort()
    print(f"{options.path}: best {per_round[0]:.1f} ms, median {per_round[len(per_round) // 2]:.1f} ms a request")
    if options.sql:
        with CaptureQueriesContext(connection) as captured:
            get()
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options.requests):
            get()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(options.sort).print_stats(options.profile)


if __name__ == "__main__":
    main()
