"""Background work under load: real Celery workers against Redis, a fake Retell on loopback.

Run from the project root on PostgreSQL with Redis on 127.0.0.1:6379 (``make bench-background``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_bg_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_bg_bench python bench/background_bench.py

It starts two workers (one with beat embedded; the dialer sweeps every second) on a queue of its own,
and measures:

1. **Speed to lead**: leads posted one by one to ``POST /api/intake/leads`` (a gym with
   ``auto_call_new_leads`` on, inside calling hours) until the fake Retell is asked to dial each one:
   p50, p95 and max seconds.
2. **Dialer throughput**: 100 gyms with ``max_concurrent_calls`` 3 and calls queued for now; a
   stand-in for the webhooks completes each call 2 seconds after it was placed. Calls placed per
   minute, and the most calls any gym ever had in progress at once (must not exceed its cap).
3. **A 100k-row import over HTTP**: ``POST /api/leads/import`` (202, a job), polled at
   ``GET /api/leads/import/{id}`` until completed; wall time and the worker's peak resident memory.

Every gym it creates is named "Background bench ..." and deleted at the end.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE = f"reps-bench-{uuid.uuid4().hex[:8]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("INTAKE_THROTTLE_RATE", "10000/min")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.leads_import_bench import cleanup as delete_gym_with_leads  # noqa: E402
from bench.leads_import_bench import percentile, write_file  # noqa: E402
from calls.models import Call  # noqa: E402
from leads.models import Lead  # noqa: E402
from tenants import tokens  # noqa: E402
from tenants.api_keys import api_key_create  # noqa: E402
from tenants.models import Branch, Gym, Role, User  # noqa: E402
from voice.models import RetellIntegration  # noqa: E402
from voice.tests.fake_retell import FakeRetell  # noqa: E402

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PREFIX = "Background bench"


class TimedRetell(FakeRetell):
    """The fake Retell, recording when it was asked to place each call (by our call id)."""

    def __init__(self):
        super().__init__()
        self.dialed = {}  # call id -> time

    def _create(self, body):
        self.dialed.setdefault(body["metadata"]["call_id"], time.time())
        return super()._create(body)


def open_gym(name, **fields):
    gym = Gym.objects.create(name=f"{PREFIX} {name}", timezone="America/New_York", country="US",
                             call_days=EVERY_DAY, call_hours_start=dt.time(0, 0), call_hours_end=dt.time.max, **fields)
    integration = RetellIntegration(gym=gym, agent_id="agent_bench", from_number="+14155550100", enabled=True)
    integration.set_api_key("key_bench")
    integration.save()
    return gym


def start_workers(retell_url, *, beat_interval="1"):
    env = {**os.environ, "RETELL_API_BASE_URL": retell_url, "DIALER_INTERVAL_SECONDS": beat_interval,
           "CELERY_FILESYSTEM_BROKER_DIR": tempfile.mkdtemp(prefix="reps-bench-")}
    processes = []
    for n, extra in enumerate((["--beat"], [])):
        command = [sys.executable, "-m", "celery", "-A", "reps_dashboard", "worker", "--loglevel=WARNING",
                   "--pool=threads", "--concurrency=4", "--without-gossip", "--without-mingle",
                   f"--hostname=bench{n}-{QUEUE}@%h", *extra]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env))
    time.sleep(6)  # Django and Celery start
    return processes


def peak_rss_mb(pid) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def speed_to_lead(retell, count):
    gym = open_gym("speed to lead", auto_call_new_leads=True, max_concurrent_calls=count)
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {api_key_create(gym=gym, name='Website', scope='intake')[1]}")
    posted = {}
    for n in range(count):
        started = time.time()
        body = client.post("/api/intake/leads", {"first_name": "Speed", "last_name": str(n),
                                                 "phone": f"+1212555{n:04d}"}, content_type="application/json").json()
        posted[body["call_id"]] = started
        time.sleep(0.2)
    deadline = time.time() + 60
    while time.time() < deadline and not all(call_id in retell.dialed for call_id in posted):
        time.sleep(0.1)
    latencies = [retell.dialed[call_id] - started for call_id, started in posted.items() if call_id in retell.dialed]
    print(f"1. Speed to lead, {count} leads posted 0.2 s apart: {len(latencies)} dialed; "
          f"p50 {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 95):.2f} s, max {max(latencies):.2f} s")


def throughput(retell, gyms, calls_per_gym, cap, seconds):
    now = timezone.now() - dt.timedelta(minutes=1)
    gym_of = {}
    for g in range(gyms):
        gym = open_gym(f"dialer {g}", max_concurrent_calls=cap)
        branch = Branch.objects.create(gym=gym, name="Main")
        leads = Lead.all_gyms.bulk_create(
            Lead(gym=gym, branch=branch, first_name="Dial", last_name=str(n), phone=f"+1212556{n:04d}")
            for n in range(calls_per_gym))
        calls = Call.all_gyms.bulk_create(
            Call(gym=gym, lead=lead, branch=branch, direction="outbound", status="queued", scheduled_at=now,
                 handled_by="ai") for lead in leads)
        gym_of.update({str(call.pk): gym.pk for call in calls})
    total = len(gym_of)
    started = time.time()
    active = defaultdict(set)
    most = defaultdict(int)
    completed = set()
    while time.time() - started < seconds and len(completed) < total:
        with retell._lock:
            dialed = dict(retell.dialed)
        due = []
        for call_id, when in dialed.items():
            if call_id not in gym_of or call_id in completed:
                continue
            active[gym_of[call_id]].add(call_id)
            most[gym_of[call_id]] = max(most[gym_of[call_id]], len(active[gym_of[call_id]]))
            if time.time() - when >= 2:
                due.append(call_id)
        for call_id in due:  # the webhook of a call that ended: out of the tally first, then the database
            active[gym_of[call_id]].discard(call_id)
            completed.add(call_id)
        if due:
            Call.all_gyms.filter(pk__in=due).update(status="completed", end_time=timezone.now())
        time.sleep(0.1)
    elapsed = time.time() - started
    placed = sum(1 for call_id in retell.dialed if call_id in gym_of)
    over = [gym for gym, n in most.items() if n > cap]
    print(f"2. Dialer throughput, {gyms} gyms x {calls_per_gym} calls, cap {cap}, calls lasting 2 s: {placed} placed "
          f"in {elapsed:.0f} s = {placed / elapsed * 60:.0f} calls/min; most in progress at once in one gym: "
          f"{max(most.values())} (gyms over their cap: {len(over)})")


def big_import(worker_pids, rows):
    gym = Gym.objects.create(name=f"{PREFIX} import", timezone="America/New_York", country="US")
    branch = Branch.objects.create(gym=gym, name="Bench")
    admin = User.objects.create_user(f"bench-bg-{gym.id}@example.com", "bench-password-123", gym=gym, branch=branch,
                                     role=Role.ADMIN)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(admin)['access_token']}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_file(path, rows, random.Random(7))
        started = time.perf_counter()
        with path.open("rb") as file:
            response = client.post("/api/leads/import", {"file": file})
    accepted = time.perf_counter() - started
    assert response.status_code == 202, response.content[:300]
    job = response.json()
    while job["status"] in ("pending", "processing"):
        time.sleep(1)
        job = client.get(f"/api/leads/import/{job['id']}").json()
    elapsed = time.perf_counter() - started
    result = job["result"] or {}
    peak = max(peak_rss_mb(pid) for pid in worker_pids)
    print(f"3. Import of {rows:,} rows over HTTP: 202 in {accepted:.1f} s, {job['status']} in {elapsed:.0f} s "
          f"({result.get('created', 0):,} created, {result.get('skipped', 0):,} skipped, "
          f"{result.get('failed', 0):,} failed); peak worker memory {peak:.0f} MB")


def cleanup():
    for gym in Gym.objects.filter(name__startswith=PREFIX):
        Call.all_gyms.filter(gym=gym).delete()
        delete_gym_with_leads(gym)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50, help="Leads for the speed-to-lead run.")
    parser.add_argument("--gyms", type=int, default=100)
    parser.add_argument("--calls-per-gym", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="Longest the throughput run lasts.")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    cleanup()
    retell = TimedRetell()
    workers = start_workers(retell.url)
    try:
        speed_to_lead(retell, args.leads)
        throughput(retell, args.gyms, args.calls_per_gym, cap=3, seconds=args.seconds)
        big_import([worker.pid for worker in workers], args.rows)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        retell.stop()
        cleanup()


if __name__ == "__main__":
    main()
