"""Analytics latency on PostgreSQL at the issue's size: one gym with 200,000 leads, 1,000,000 calls
and 100,000 appointments (plus three small gyms around it), every endpoint timed through HTTP.

Run from the project root (or ``make bench-analytics``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_analytics_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_analytics_bench python bench/analytics_bench.py

The data is generated once (rows built in Python with a fixed seed, loaded with COPY while the
rollup and tally triggers are off, then ``rebuild_analytics`` and the list tallies recounted) and
kept: the next run reuses it; ``--regenerate`` deletes and rebuilds it; ``--load-only`` stops after
loading (to time later, on an idle machine). Sizes: BENCH_LEADS,
BENCH_CALLS, BENCH_APPOINTMENTS (environment). The shape is meant to look like a real gym: more
recent leads than old ones, weekday business hours, most leads called within minutes, statuses,
outcomes and show rates in plausible proportions.

Timing: Django's test client with a real bearer token, so every request goes through the tenant
middleware, authentication, the request's transaction with its row-level-security setting (as a
non-owner role, as in production), validation and serialisation. Windows of 30, 90 and 365 local
days ending today, day and month granularity, with and without ``branch_id``; p50/p95 in
milliseconds, checked against the targets (90 days: p50 < 100 ms, 365 days: < 300 ms; overview over
90 days: < 50 ms). Then the raw path (no rollups) for comparison, fewer runs.
"""

import datetime as dt
import io
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from reps_dashboard import tally
from tenants import tokens
from tenants.models import Gym, Role, User
from tenants.scope import unscoped

GYM_NAME = "Analytics bench gym"
SMALL_GYM_NAME = "Analytics bench neighbour"
EMAIL = "bench-analytics@bench.invalid"
LEADS = int(os.environ.get("BENCH_LEADS", 200_000))
CALLS = int(os.environ.get("BENCH_CALLS", 1_000_000))
APPOINTMENTS = int(os.environ.get("BENCH_APPOINTMENTS", 100_000))
HISTORY_DAYS = 730
RUNS, RAW_RUNS = 30, 5
APP_ROLE = "reps_app_bench"
TABLES = ("leads_lead", "calls_call", "appointments_appointment")
TARGETS = {30: 100.0, 90: 100.0, 365: 300.0}
OVERVIEW_TARGET_90 = 50.0

LEAD_STATUS = [("new", 14), ("contacted", 30), ("qualified", 16), ("converted", 14), ("lost", 26)]
SOURCES = [("website", 35), ("social", 20), ("referral", 15), ("phone", 15), ("walk_in", 10), ("other", 5)]
CALL_STATUS = [("completed", 62), ("voicemail", 13), ("missed", 11), ("failed", 5), ("in_progress", 1),
               ("canceled", 3)]
OUTCOMES = [("information_provided", 25), ("appointment_booked", 18), ("callback_requested", 15),
            ("undecided", 14), ("not_interested", 14), ("wrong_number", 2), ("no_answer", 6), ("left_message", 6)]
SENTIMENTS = [("positive", 45), ("neutral", 40), ("negative", 15)]
TYPES = [("tour", 40), ("consultation", 30), ("assessment", 10), ("training", 10), ("follow_up", 7), ("other", 3)]
PAST_APPOINTMENT = [("completed", 60), ("no_show", 18), ("canceled", 15), ("rescheduled", 7)]
HOURS = [0, 0, 0, 0, 0, 1, 3, 6, 9, 10, 10, 9, 9, 10, 10, 9, 9, 10, 11, 10, 8, 5, 3, 1]  # leads arrive by day
WEEKDAYS = [10, 10, 10, 10, 9, 7, 5]  # Monday first


def pick(rng, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def local_moment(rng, tz, now, days_back_max):
    """A recent-skewed moment: more data lately, weekday business hours."""
    while True:
        days = int(days_back_max * rng.random() ** 1.6)
        day = (now - dt.timedelta(days=days)).astimezone(tz).date()
        if rng.random() * 10 > WEEKDAYS[day.weekday()]:
            continue
        hour = rng.choices(range(24), HOURS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
        if moment < now:
            return moment.astimezone(dt.UTC)


class Copy:
    """Rows for one table, sent with COPY in chunks (each chunk its own transaction, so the deferred
    same-gym key checks never pile up)."""

    def __init__(self, table, columns, chunk=100_000, after=None):
        self.table, self.columns, self.chunk, self.rows = table, columns, chunk, []
        self.after = after  # the Copy of the rows these point at: sent first

    def add(self, *values):
        self.rows.append("\t".join(r"\N" if v is None else str(v) for v in values))
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self):
        if self.after is not None:
            self.after.flush()
        if not self.rows:
            return
        data = io.StringIO("\n".join(self.rows) + "\n")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", data)
        self.rows = []


LEAD_COLUMNS = ["id", "gym_id", "created_at", "updated_at", "branch_id", "first_name", "last_name", "phone", "email",
                "status", "source", "notes", "interest", "interest_location", "assigned_to_id",
                "last_conversation_summary", "last_called", "call_count", "first_called_at", "stage_reached", "score",
                "do_not_call", "lost_reason"]
CALL_COLUMNS = ["id", "gym_id", "created_at", "updated_at", "lead_id", "branch_id", "campaign_id", "direction", "status",
                "outcome", "sentiment", "start_time", "end_time", "duration", "scheduled_at", "notes", "summary",
                "transcript", "metrics", "recording_url", "handled_by", "external_call_id"]
APPOINTMENT_COLUMNS = ["id", "gym_id", "created_at", "updated_at", "lead_id", "branch_id", "staff_id", "type", "date",
                       "duration", "status", "notes", "created_by_id", "reminder_sent", "rescheduled_from_id"]


def generate(gym, branches, campaigns, *, leads, calls, appointments, seed):
    rng = random.Random(seed)
    tz, now = gym.tzinfo, timezone.now()
    lead_copy = Copy("leads_lead", LEAD_COLUMNS)
    call_copy = Copy("calls_call", CALL_COLUMNS, after=lead_copy)
    appointment_copy = Copy("appointments_appointment", APPOINTMENT_COLUMNS, after=lead_copy)
    calls_per_lead = calls / leads / 0.85  # some leads are never called, recent ones not yet every time
    booked_share = appointments / leads
    for n in range(leads):
        lead_id, branch = uuid.uuid4(), branches[n % len(branches)]
        created = local_moment(rng, tz, now, HISTORY_DAYS)
        status = pick(rng, LEAD_STATUS)
        stage = status if status != "lost" else rng.choice(["new", "contacted", "contacted", "qualified"])
        placed, rows = [], []
        count = max(0, round(rng.expovariate(1 / calls_per_lead))) if status != "new" or rng.random() < 0.5 else 0
        moment = created + dt.timedelta(seconds=rng.choice([20, 60, 120, 200, 280, 400, 900, 3600, 14400, 86400])
                                        * rng.uniform(0.5, 1.5))
        for _ in range(count):
            if moment >= now:
                break
            call_status = pick(rng, CALL_STATUS)
            outcome = sentiment = duration = end = None
            if call_status == "completed":
                outcome, sentiment = pick(rng, OUTCOMES), pick(rng, SENTIMENTS)
                duration = int(rng.lognormvariate(5, 0.6))
                end = moment + dt.timedelta(seconds=duration)
            elif call_status == "voicemail":
                outcome, duration = "left_message", rng.randrange(20, 60)
                end = moment + dt.timedelta(seconds=duration)
            elif call_status == "missed":
                outcome = "no_answer"
            start = moment if call_status != "canceled" else None
            rows.append((uuid.uuid4(), gym.pk, moment, moment, lead_id, branch.pk,
                         rng.choice(campaigns).pk if campaigns and rng.random() < 0.4 else None,
                         "inbound" if rng.random() < 0.2 else "outbound", call_status, outcome, sentiment, start, end,
                         duration, moment, "", "", None, None, "", "ai" if rng.random() < 0.8 else "staff", ""))
            if call_status != "canceled":
                placed.append(moment)
            moment += dt.timedelta(days=rng.uniform(0.5, 6))
        if status == "new" and placed:
            status = "contacted"
            stage = "contacted"
        lead_copy.add(lead_id, gym.pk, created, created, branch.pk, f"First{n}", f"Last{n}", f"+1{seed:03d}{n:07d}",
                      f"lead{n}.{seed}@bench.invalid", status, pick(rng, SOURCES), "", "", "", None, "",
                      max(placed) if placed else None, len(placed), min(placed) if placed else None, stage,
                      round(rng.random(), 2), "f", "")
        for row in rows:  # after their lead: a chunk of calls is sent after the leads before it
            call_copy.add(*row)
        if rng.random() < booked_share:
            date = (created + dt.timedelta(days=rng.uniform(1, 14))).replace(minute=0, second=0, microsecond=0)
            past = date < now
            appointment_copy.add(uuid.uuid4(), gym.pk, created, created, lead_id, branch.pk, None, pick(rng, TYPES),
                                 date, 60, pick(rng, PAST_APPOINTMENT) if past else rng.choice(["scheduled", "confirmed"]),
                                 "", None, "f", None)
    for copy in (call_copy, appointment_copy):
        copy.flush()


def populate():
    from calls.models import Campaign
    from tenants.models import Branch

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:  # the triggers are rebuilt from the rows below
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        sizes = [(GYM_NAME, LEADS, CALLS, APPOINTMENTS)] + [(f"{SMALL_GYM_NAME} {i}", 2_000, 10_000, 1_000)
                                                           for i in range(3)]
        for index, (name, leads, calls, appointments) in enumerate(sizes):
            gym = Gym.objects.create(name=name, timezone="America/New_York" if index % 2 == 0 else "Europe/London")
            branches = [Branch.all_gyms.create(gym=gym, name=f"Branch {i}") for i in range(3)]
            campaigns = [Campaign.all_gyms.create(gym=gym, name=f"Campaign {i}", status="active") for i in range(8)]
            if index == 0:
                User.objects.create_user(EMAIL, "bench-password-123", gym=gym, branch=branches[0], role=Role.AGENT)
            generate(gym, branches, campaigns, leads=leads, calls=calls, appointments=appointments, seed=index + 1)
            print(f"{name}: {leads} leads, ~{calls} calls, ~{appointments} appointments "
                  f"({time.perf_counter() - started:.0f} s)")
    finally:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    started = time.perf_counter()
    call_command("rebuild_analytics")
    tally.rebuild_all()  # the lists' tallies, off during the load too
    print(f"rollups and tally rebuilt in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:  # what autovacuum does in production: statistics, visibility map
        for table in (*TABLES, "analytics_leadday", "analytics_callday", "analytics_appointmentday", "calls_calltally",
                      "leads_leadtally", "appointments_appointmenttally"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def delete_bench_gyms():
    with connection.cursor() as cursor:
        gyms = list(Gym.objects.filter(name__startswith="Analytics bench").values_list("pk", flat=True))
        for table in ("appointments_appointment", "calls_call", "leads_leadactivity", "leads_lead", "calls_campaign"):
            cursor.execute(f"DELETE FROM {table} WHERE gym_id = ANY(%s)", [gyms])
    User.objects.filter(email=EMAIL).delete()
    Gym.objects.filter(pk__in=gyms).delete()


def use_app_role():
    """Requests act as a role that neither owns the tables nor bypasses row-level security."""
    with connection.cursor() as cursor:
        cursor.execute(f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
                           EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"SET ROLE {APP_ROLE}")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def measure(client, url, params, runs):
    samples = []
    for _ in range(runs + 2):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.content[:300])
    return samples[2:]  # warm-up


def cases(gym, branch):
    today = timezone.localdate(timezone=gym.tzinfo)
    for days in (30, 90, 365):
        window = {"start_date": str(today - dt.timedelta(days=days - 1)), "end_date": str(today)}
        for endpoint in ("overview", "leads", "calls", "appointments"):
            for granularity in ("day",) if endpoint == "overview" else ("day", "month"):
                for branch_id in (None, branch.pk):
                    params = {**window, **({"granularity": granularity} if endpoint != "overview" else {})}
                    if branch_id:
                        params["branch_id"] = str(branch_id)
                    yield days, endpoint, granularity, bool(branch_id), params


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    with unscoped("analytics bench setup"):
        if "--regenerate" in sys.argv:
            delete_bench_gyms()
        gym = Gym.objects.filter(name=GYM_NAME).first()
        if gym is None:
            delete_bench_gyms()  # a half-built earlier run
            populate()
            gym = Gym.objects.get(name=GYM_NAME)
        from calls.models import Call
        from tenants.models import Branch

        print(f"bench gym: {Call.all_gyms.filter(gym=gym).count()} calls; "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        branch = Branch.all_gyms.filter(gym=gym).order_by("name").first()
    if "--load-only" in sys.argv:
        return
    user = User.objects.get(email=EMAIL)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
    use_app_role()
    failures = []
    print(f"{'case':<52} {'p50':>8} {'p95':>8}  target")
    for days, endpoint, granularity, by_branch, params in cases(gym, branch):
        samples = measure(client, f"/api/analytics/{endpoint}", params, RUNS)
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        target = OVERVIEW_TARGET_90 if (endpoint, days) == ("overview", 90) else TARGETS[days]
        ok = p50 < target
        if not ok:
            failures.append((endpoint, days, granularity, by_branch, p50))
        label = f"{endpoint} {days}d {granularity}{' branch' if by_branch else ''}"
        print(f"{label:<52} {p50:8.1f} {p95:8.1f}  {'ok' if ok else 'MISSED'} (< {target:.0f})")
    print("\nraw rows (no rollups), for comparison:")
    settings.ANALYTICS_ROLLUPS = False
    for days, endpoint, granularity, by_branch, params in cases(gym, branch):
        if granularity == "day" and not by_branch:
            samples = measure(client, f"/api/analytics/{endpoint}", params, RAW_RUNS)
            print(f"{'raw ' + endpoint + f' {days}d day':<52} {percentile(samples, 50):8.1f} "
                  f"{percentile(samples, 95):8.1f}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    if failures:
        sys.exit(f"{len(failures)} case(s) missed their target: {failures}")
    print("every case met its target")


if __name__ == "__main__":
    main()
