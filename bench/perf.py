"""The performance benchmark: one command, the whole report (docs/performance.md).

    make bench            # = .venv/bin/python bench/perf.py

1. Creates (once) a PostgreSQL database ``reps_bench`` and the data set of bench/datagen.py: one big
   gym (500,000 leads, 2,000,000 calls, 200,000 appointments) and 99 small ones.
2. Serves the app with gunicorn on 127.0.0.1, as production would: DEBUG off, connecting as a role
   that neither owns the tables nor is a superuser (so row-level security binds it).
3. Drives it with wrk from a second process and prints, per endpoint and concurrency, throughput,
   p50/p90/p99 latency and errors; the lead list's throughput as a ratio to the baseline view
   (bench/baseline.py); the cost of row-level security (the same list served by the tables' owner,
   whom RLS does not bind); and the peak memory of each worker.

Options: ``--quick`` (a small data set and short runs, to check the machinery), ``--regenerate``,
``--seconds N`` per run (default 15), ``--workers N`` / ``--threads N`` for gunicorn, ``--sweep``
(only the lead list under several worker/thread counts, to choose them).
Environment: ``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/reps_bench, a role
that may create the database and roles).
"""

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OWNER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reps_bench")
APP_ROLE = "reps_bench_app"
SIGNING_KEY = secrets.token_urlsafe(48)
os.environ.update({"DATABASE_URL": OWNER_URL, "DJANGO_SETTINGS_MODULE": "reps_dashboard.settings",
                   "JWT_SIGNING_KEY": SIGNING_KEY, "JWT_ACCESS_MINUTES": "600", "LOG_LEVEL": "WARNING"})


def _ensure_database():
    import psycopg2

    url = urlparse(OWNER_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                             dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
        cursor.execute(f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
                           EXCEPTION WHEN duplicate_object THEN NULL; END $$""")
    admin.close()


_ensure_database()

import django  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import datagen, harness  # noqa: E402
from calls.models import Call  # noqa: E402
from leads.models import Lead  # noqa: E402
from tenants import rls_install, tokens  # noqa: E402
from tenants.models import Gym, User  # noqa: E402
from tenants.scope import unscoped  # noqa: E402

FULL = {"big_leads": 500_000, "big_calls": 2_000_000, "big_appointments": 200_000, "small_gyms": 99,
        "small_leads": 5_000, "small_calls": 10_000, "small_appointments": 1_000}
QUICK = {"big_leads": 20_000, "big_calls": 80_000, "big_appointments": 8_000, "small_gyms": 5,
         "small_leads": 1_000, "small_calls": 2_000, "small_appointments": 200}


def prepare(scale, regenerate):
    call_command("migrate", verbosity=0)
    settings.DATABASE_APP_ROLE = APP_ROLE
    rls_install.install()  # grants the app role its table privileges
    with unscoped("bench: check the data set"):
        if regenerate or not datagen.exists(scale["big_leads"]):
            print(f"Generating the data set ({scale['big_leads']:,} leads in the big gym)...")
            datagen.drop_all()
            datagen.generate(**scale)


def server_env(url):
    return {"DATABASE_URL": url, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "JWT_SIGNING_KEY": SIGNING_KEY, "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_HSTS_SECONDS": "0", "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING"}


def app_url():
    url = urlparse(OWNER_URL)
    return f"postgres://{APP_ROLE}@{url.hostname}:{url.port or 5432}{url.path}"


def targets():
    """Tokens and the ids the scenarios need, for the big gym and one small one."""
    found = {}
    with unscoped("bench: pick tokens and ids"):
        for label, name in (("big", datagen.BIG_GYM), ("small", datagen.SMALL_GYM.format(1))):
            gym = Gym.objects.get(name=name)
            admin = User.objects.filter(gym=gym, email__startswith="bench-").get()
            leads = list(Lead.all_gyms.filter(gym=gym).order_by("-created_at").values_list("pk", flat=True)[:2000])
            calls = list(Call.all_gyms.filter(gym=gym, status="completed").values_list("pk", flat=True)[:500])
            found[label] = {"gym": gym, "token": tokens.issue_pair(admin)["access_token"], "leads": leads,
                            "calls": calls}
    return found


def scenarios(found):
    today = dt.date.today()
    overview = f"/api/analytics/overview?start_date={today - dt.timedelta(days=89)}&end_date={today}"
    runs = []
    for label in ("big", "small"):
        t = found[label]
        runs += [
            (f"{label}: GET /api/calls/?limit=50", "/api/calls/?limit=50", None),
            (f"{label}: GET /api/appointments/?limit=50", "/api/appointments/?limit=50", None),
            (f"{label}: GET /api/leads/{{id}}", None, [{"method": "GET", "path": f"/api/leads/{pk}"}
                                                       for pk in t["leads"][:500]]),
            (f"{label}: PATCH /api/leads/{{id}}", None, [
                {"method": "PATCH", "path": f"/api/leads/{pk}", "body": {"notes": f"Bench note {n}"}}
                for n, pk in enumerate(t["leads"][500:1500])]),
            (f"{label}: POST /api/calls/{{id}}/notes", None, [
                {"method": "POST", "path": f"/api/calls/{pk}/notes", "body": {"content": "Called back, no answer."}}
                for pk in t["calls"]]),
            (f"{label}: GET analytics overview 90 days", overview, None),
        ]
    return runs


def service_scenarios(found):
    """Detail and small writes one at a time: their own latency, without queueing behind seven
    other requests on two cores."""
    t = found["big"]
    today = dt.date.today()
    overview = f"/api/analytics/overview?start_date={today - dt.timedelta(days=89)}&end_date={today}"
    return [
        ("big: GET analytics overview 90 days, one client", overview, None),
        ("big: GET /api/leads/{id}, one client", None, [{"method": "GET", "path": f"/api/leads/{pk}"}
                                                         for pk in t["leads"][:500]]),
        ("big: PATCH /api/leads/{id}, one client", None, [
            {"method": "PATCH", "path": f"/api/leads/{pk}", "body": {"notes": f"Bench note one {n}"}}
            for n, pk in enumerate(t["leads"][1500:2000])]),
        ("big: POST /api/calls/{id}/notes, one client", None, [
            {"method": "POST", "path": f"/api/calls/{pk}/notes", "body": {"content": "Left a voicemail."}}
            for pk in t["calls"]]),
    ]


def paired(label, token, seconds, first, second, rounds=3):
    """Two runs of 8 clients alternating in ``rounds`` short rounds, each figure the median of its
    rounds: on a shared 2-core machine throughput drifts by 10% from one minute to the next
    (autovacuum, the page cache), and a ratio must not depend on which ran first. ``first`` and
    ``second``: (name, url)."""
    import statistics

    runs = {first: [], second: []}
    for _, url in runs:
        harness.wrk("warm-up", url, token=token, concurrency=8, seconds=2)
    for _ in range(rounds):
        for name, url in runs:
            runs[(name, url)].append(harness.wrk(name, url, token=token, concurrency=8,
                                                 seconds=max(3, seconds // rounds)))
    combined = []
    for (name, _), each in runs.items():
        combined.append(harness.Result(
            name=name, concurrency=8,
            requests_per_second=statistics.median(r.requests_per_second for r in each),
            p50_ms=statistics.median(r.p50_ms for r in each), p90_ms=statistics.median(r.p90_ms for r in each),
            p99_ms=statistics.median(r.p99_ms for r in each), requests=sum(r.requests for r in each),
            errors=sum(r.errors for r in each),
            extra={"rounds": [round(r.requests_per_second, 1) for r in each]}))
    return combined


def run(options):
    scale = QUICK if options.quick else FULL
    seconds = 3 if options.quick else options.seconds
    prepare(scale, options.regenerate)
    found = targets()
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        print(f"PostgreSQL shared_buffers = {cursor.fetchone()[0]} (the figures in docs/performance.md: 2GB)")
    connection.close()
    results = []
    base = "http://127.0.0.1:8765"
    server = harness.Server(port=8765, workers=options.workers, threads=options.threads, env=server_env(app_url()))
    server.start()
    try:
        for label in ("big", "small"):
            for result in paired(label, found[label]["token"], seconds,
                                 (f"{label}: GET /api/leads/?limit=50", base + "/api/leads/?limit=50"),
                                 (f"{label}: baseline /bench/leads?limit=50", base + "/bench/leads?limit=50")):
                results.append(result)
                print(result.as_row(), flush=True)
        for name, path, plan in scenarios(found):
            label = name.split(":")[0]
            if path and "analytics" in path and not _routed(base, path, found[label]["token"]):
                print(f"{name}: not served (no analytics yet)")
                continue
            harness.wrk("warm-up", base + (path or "/"), token=found[label]["token"], concurrency=8,
                        seconds=2, requests=plan)  # connections, caches, the plan cache: not measured
            result = harness.wrk(name, base + (path or "/"), token=found[label]["token"], concurrency=8,
                                 seconds=seconds, requests=plan)
            results.append(result)
            print(result.as_row(), flush=True)
        for name, path, plan in service_scenarios(found):
            result = harness.wrk(name, base + (path or "/"), token=found["big"]["token"], concurrency=1,
                                 seconds=seconds, requests=plan)
            results.append(result)
            print(result.as_row(), flush=True)
        for concurrency in (1, 4, 8, 16, 32):
            result = harness.wrk(f"big: leads list, concurrency {concurrency}", base + "/api/leads/?limit=50",
                                 token=found["big"]["token"], concurrency=concurrency, seconds=seconds)
            results.append(result)
            print(result.as_row(), flush=True)
        soak = harness.wrk("big: leads list, 64 clients for 60 s", base + "/api/leads/?limit=50",
                           token=found["big"]["token"], concurrency=64, seconds=6 if options.quick else 60)
        results.append(soak)
        print(soak.as_row(), flush=True)
        memory = server.peak_memory_mb()
        # Row-level security's cost: the same list from a second server connecting as the tables'
        # owner (whom RLS does not bind), alternating with ours.
        owner = harness.Server(port=8766, workers=options.workers, threads=options.threads,
                               env=server_env(OWNER_URL)).start()
        try:
            for result in paired("big", found["big"]["token"], seconds,
                                 ("big: leads list as the app role (RLS binding)", base + "/api/leads/?limit=50"),
                                 ("big: leads list served by the owner (RLS not binding)",
                                  "http://127.0.0.1:8766/api/leads/?limit=50")):
                results.append(result)
                print(result.as_row(), flush=True)
        finally:
            owner.stop()
    finally:
        server.stop()
    report(results, memory, options, scale)


SWEEP = [(2, 1), (3, 1), (4, 1), (6, 1), (8, 1), (2, 4), (4, 4)]  # (workers, threads); threads > 1: gthread


def sweep(options):
    """The lead list (big gym, concurrency 8) under each gunicorn configuration of SWEEP."""
    scale = QUICK if options.quick else FULL
    prepare(scale, options.regenerate)
    found = targets()
    connection.close()
    seconds = 3 if options.quick else options.seconds
    for workers, threads in SWEEP:
        server = harness.Server(port=8767, workers=workers, threads=threads, env=server_env(app_url())).start()
        try:
            url = "http://127.0.0.1:8767/api/leads/?limit=50"
            harness.wrk("warm-up", url, token=found["big"]["token"], concurrency=8, seconds=2)
            result = harness.wrk(f"big: leads list, {workers} workers x {threads} threads", url,
                                 token=found["big"]["token"], concurrency=8, seconds=seconds)
            print(f"{result.as_row()}  peak memory {max(server.peak_memory_mb()):.0f} MB/worker", flush=True)
        finally:
            server.stop()


def _routed(base, path, token):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30):
            return True
    except urllib.error.HTTPError as error:
        return error.code != 404


def report(results, memory, options, scale):
    by_name = {r.name: r for r in results}
    print("\nSummary (targets: lists >= 0.8x the baseline and p99 < 50 ms at c=8; detail and writes p99 < 30 ms;"
          " analytics overview p50 < 50 ms; 64 clients within 10% of the peak, no errors)")
    for label in ("big", "small"):
        baseline = by_name[f"{label}: baseline /bench/leads?limit=50"]
        for resource in ("leads", "calls", "appointments"):
            ours = by_name[f"{label}: GET /api/{resource}/?limit=50"]
            print(f"  {label}: {resource} list at {ours.requests_per_second / baseline.requests_per_second:.2f}x the "
                  f"lead baseline ({ours.requests_per_second:.0f} vs {baseline.requests_per_second:.0f} req/s), "
                  f"p99 {ours.p99_ms:.0f} ms")
    for name in ("big: GET /api/leads/{id}", "big: PATCH /api/leads/{id}", "big: POST /api/calls/{id}/notes"):
        crowded, alone = by_name[name], by_name[f"{name}, one client"]
        print(f"  {name}: p99 {alone.p99_ms:.1f} ms alone, {crowded.p99_ms:.0f} ms among 8 clients")
    for label in ("big", "small"):
        overview = by_name.get(f"{label}: GET analytics overview 90 days")
        if overview:
            print(f"  {label}: analytics overview 90 days p50 {overview.p50_ms:.1f} ms among 8 clients")
    alone = by_name.get("big: GET analytics overview 90 days, one client")
    if alone:
        print(f"  big: analytics overview 90 days p50 {alone.p50_ms:.1f} ms alone")
    peak = max(r.requests_per_second for r in results if r.name.startswith("big: leads list, concurrency"))
    soak = by_name["big: leads list, 64 clients for 60 s"]
    print(f"  64 clients: {soak.requests_per_second:.0f} req/s = {soak.requests_per_second / peak:.2f} of the peak "
          f"({peak:.0f}), {soak.errors} errors")
    bound = by_name["big: leads list as the app role (RLS binding)"]
    unbound = by_name["big: leads list served by the owner (RLS not binding)"]
    print(f"  row-level security costs {1 - bound.requests_per_second / unbound.requests_per_second:.1%} of the "
          f"lead list's throughput ({bound.requests_per_second:.0f} vs {unbound.requests_per_second:.0f} req/s)")
    print(f"  peak memory per worker: {', '.join(f'{m:.0f} MB' for m in memory)}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"perf-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"options": vars(options), "scale": scale, "memory_mb": memory,
                                "results": [r.__dict__ for r in results]}, indent=2))
    print(f"  written to {path.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=3)  # the sweep's best on 2 cores (docs/performance.md)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sweep", action="store_true", help="only compare gunicorn worker/thread counts")
    options = parser.parse_args()
    sweep(options) if options.sweep else run(options)


if __name__ == "__main__":
    main()
