"""Appointment reads and booking on PostgreSQL: one gym with 200,000 appointments.

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_appointments python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_appointments python bench/appointments_bench.py

It creates a throw-away gym (deleted at the end) with 5 branches, 30 staff members, 50,000 leads
and 200,000 appointments over about a year (no two active ones of a staff member or a lead
overlap, as the constraints demand), then times every list variant, availability, booking and
the leads list's ``appointment_date`` subquery through HTTP (Django's test client: full
middleware, JWT auth, filters, serialisation) and prints p50/p95/p99 in milliseconds. With
``--keep`` the gym stays (to EXPLAIN queries); the next run removes it.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.utils import timezone

from appointments.models import Appointment
from appointments.selectors import lead_next_appointment_subquery
from appointments.showrate.services import showrate_run
from leads.models import Lead
from tenants import tokens
from tenants.models import Branch, Gym, Role, User
from tenants.scope import gym_scope, unscoped

APPOINTMENTS = 200_000
LEADS = 50_000
STAFF = 30
RUNS = 60
STATUSES = ["scheduled"] * 3 + ["confirmed"] * 2 + ["completed"] * 4 + ["canceled", "no_show", "rescheduled"]
TYPES = ["consultation", "assessment", "training", "tour", "follow_up", "other"]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


GYM_NAME = "Appointments bench gym"


def remove(gym):
    with unscoped("appointments bench cleanup"):
        Appointment.all_gyms.filter(gym=gym).delete()
        Lead.all_gyms.filter(gym=gym).delete()
        gym.delete()


def build(rng):
    for leftover in Gym.objects.filter(name=GYM_NAME):  # from a run with --keep
        remove(leftover)
    gym = Gym.objects.create(name=GYM_NAME, timezone="America/New_York")
    branches = Branch.all_gyms.bulk_create([Branch(gym=gym, name=f"Branch {n}", timezone="America/New_York")
                                           for n in range(5)])
    admin = User.objects.create_user("bench-appointments@example.com", "x" * 20, gym=gym, role=Role.ADMIN)
    staff = [User.objects.create_user(f"coach{n}@bench.example.com", None, gym=gym, branch=branches[n % 5])
             for n in range(STAFF)]
    leads = Lead.all_gyms.bulk_create(
        [Lead(gym=gym, branch=branches[n % 5], first_name=f"First{n}", last_name=f"Last{n}",
              phone=f"+1202{n:07d}") for n in range(LEADS)], batch_size=5000)
    # Appointment k: staff k % STAFF, one hour after the previous one of that staff member; the
    # lead k % LEADS (its appointments are LEADS hours of staff time apart): no overlaps.
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=180)
    batch = []
    for k in range(APPOINTMENTS):
        batch.append(Appointment(
            gym=gym, lead=leads[k % LEADS], branch=branches[k % 5], staff=staff[k % STAFF], type=rng.choice(TYPES),
            date=start + dt.timedelta(hours=k // STAFF), duration=rng.choice([30, 45, 60]),
            status=rng.choice(STATUSES), created_by=admin))
        if len(batch) == 10_000:
            Appointment.all_gyms.bulk_create(batch)
            batch = []
    Appointment.all_gyms.bulk_create(batch)
    with connection.cursor() as cursor:
        # What autovacuum does on a live table: statistics and the visibility map (index-only counts).
        cursor.execute("VACUUM ANALYZE appointments_appointment")
        cursor.execute("VACUUM ANALYZE leads_lead")
    return gym, branches, admin, staff, leads


def timed(label, call, runs=RUNS):
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code < 300, (label, response.status_code, response.content[:300])
    print(f"{label:<58} p50 {statistics.median(samples):6.1f}  p95 {percentile(samples, 95):6.1f}  "
          f"p99 {percentile(samples, 99):6.1f} ms")


def ladder(gym):
    """The show-rate engine's run (manage.py run_showrate, every few minutes): the first run of a
    weekday morning queues the day's confirmation calls, the next ones find nothing new."""
    Gym.objects.filter(pk=gym.pk).update(confirmation_calls_enabled=True, recall_calls_enabled=True,
                                         call_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    gym.refresh_from_db()
    morning = timezone.localtime(timezone.now(), gym.tzinfo).replace(hour=10, minute=0, second=0, microsecond=0)
    began = time.perf_counter()
    run = showrate_run(gym=gym, now=morning)
    print(f"{'show-rate run, first (queues)':<58} {(time.perf_counter() - began) * 1000:8.1f} ms: "
          f"{len(run.confirmations)} confirmation, {len(run.recalls)} recall calls")
    samples = []
    for minutes in range(1, 21):
        began = time.perf_counter()
        run = showrate_run(gym=gym, now=morning + dt.timedelta(minutes=minutes))
        samples.append((time.perf_counter() - began) * 1000)
    print(f"{'show-rate run, steady state (20 runs)':<58} p50 {statistics.median(samples):6.1f}  "
          f"p95 {percentile(samples, 95):6.1f} ms")


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    rng = random.Random(5)
    began = time.perf_counter()
    gym, branches, admin, staff, leads = build(rng)
    print(f"built {APPOINTMENTS:,} appointments, {LEADS:,} leads in {time.perf_counter() - began:.0f} s")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(admin)['access_token']}")
    url = "/api/appointments"
    today = timezone.localdate(timezone=gym.tzinfo)
    try:
        timed("list, default (date asc), limit 50", lambda: client.get(url, {"limit": 50}))
        timed("list, page 200 of 50", lambda: client.get(url, {"limit": 50, "page": 200}))
        timed("list, sort_by=date desc", lambda: client.get(url, {"limit": 50, "sort_order": "desc"}))
        timed("list, sort_by=status desc", lambda: client.get(url, {"limit": 50, "sort_by": "status",
                                                                    "sort_order": "desc"}))
        timed("list, branch_id, sort_by=date desc", lambda: client.get(url, {
            "limit": 50, "sort_order": "desc", "branch_id": str(rng.choice(branches).id)}))
        timed("list, sort_by=created_at desc", lambda: client.get(url, {"limit": 50, "sort_by": "created_at",
                                                                        "sort_order": "desc"}))
        timed("list, status=scheduled,confirmed", lambda: client.get(url, {"limit": 50,
                                                                           "status": "scheduled,confirmed"}))
        timed("list, type=tour", lambda: client.get(url, {"limit": 50, "type": "tour"}))
        timed("list, branch_id", lambda: client.get(url, {"limit": 50, "branch_id": str(rng.choice(branches).id)}))
        timed("list, staff_id", lambda: client.get(url, {"limit": 50, "staff_id": str(rng.choice(staff).id)}))
        timed("list, lead_id", lambda: client.get(url, {"limit": 50, "lead_id": str(rng.choice(leads).id)}))
        timed("list, one week (start_date/end_date)", lambda: client.get(url, {
            "limit": 50, "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=6)).isoformat()}))
        timed("upcoming, limit 50", lambda: client.get(f"{url}/upcoming", {"limit": 50}))
        timed("branch/{id}, limit 50", lambda: client.get(f"{url}/branch/{rng.choice(branches).id}", {"limit": 50}))
        timed("needs-outcome, limit 50", lambda: client.get(f"{url}/needs-outcome", {"limit": 50}))
        timed("availability (branch)", lambda: client.get(f"{url}/availability", {
            "branch_id": str(rng.choice(branches).id), "date": (today + dt.timedelta(days=3)).isoformat()}))
        timed("availability (staff)", lambda: client.get(f"{url}/availability", {
            "branch_id": str(branches[0].id), "staff_id": str(rng.choice(staff).id),
            "date": (today + dt.timedelta(days=3)).isoformat()}))
        far = iter(range(10_000))
        timed("POST booking (overlap check + insert + timeline)", lambda: client.post(url, {
            "lead_id": str(rng.choice(leads).id), "type": "tour", "duration": 30,
            "date": (timezone.now() + dt.timedelta(days=400, hours=next(far))).isoformat()},
            content_type="application/json"))
        with gym_scope(gym):
            page = Lead.objects.for_gym(gym).annotate(appointment_date=lead_next_appointment_subquery()) \
                .order_by("-created_at", "-id")
            samples = []
            for _ in range(RUNS):
                began = time.perf_counter()
                list(page[:50])
                samples.append((time.perf_counter() - began) * 1000)
            print(f"{'leads page of 50 with appointment_date subquery':<58} p50 {statistics.median(samples):6.1f}  "
                  f"p95 {percentile(samples, 95):6.1f}  p99 {percentile(samples, 99):6.1f} ms")
            ladder(gym)
    finally:
        if "--keep" in sys.argv:
            print(f"kept gym {gym.id} (the next run removes it)")
        else:
            remove(gym)


if __name__ == "__main__":
    main()
