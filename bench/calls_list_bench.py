"""Call and campaign list latency on PostgreSQL at production scale: one gym with 500,000 leads and
2,000,000 calls (ten campaigns, three branches, a year of history).

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_calls python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_calls python bench/calls_list_bench.py [--keep]

Sizes: BENCH_LEADS and BENCH_CALLS (environment). The data is generated once (leads through the ORM,
calls with one INSERT ... SELECT) and, with --keep, kept for the next run; without it the gym is
deleted at the end. Every request goes through HTTP (Django's test client: middleware, auth,
filters, pagination and serialisation) and p50/p95 are printed in milliseconds per scenario.
"""

import datetime as dt
import os
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

from calls.models import Call, Campaign, CampaignLead
from leads.models import Lead
from tenants import tokens
from tenants.models import Branch, Gym, Role, User
from tenants.scope import unscoped

GYM_NAME = "Calls bench gym"
EMAIL = "bench-calls@bench.invalid"
LEADS = int(os.environ.get("BENCH_LEADS", 500_000))
CALLS = int(os.environ.get("BENCH_CALLS", 2_000_000))
RUNS = 30

OUTCOMES = ["appointment_booked", "callback_requested", "not_interested", "undecided", "no_answer", "wrong_number",
            "left_message", "information_provided"]
# One INSERT ... SELECT: a year of calls over random leads; 3% queued (scheduled ahead, not started),
# 2% canceled, the rest placed, a third of them in a campaign.
CALLS_SQL = """
INSERT INTO calls_call (id, created_at, updated_at, gym_id, lead_id, branch_id, campaign_id, direction, status,
                        outcome, sentiment, start_time, end_time, duration, scheduled_at, notes, summary,
                        transcript, metrics, recording_url, handled_by, external_call_id)
SELECT gen_random_uuid(), started + interval '1 minute', started + interval '1 minute', %(gym)s, l.id, l.branch_id,
       CASE WHEN g %% 3 = 0 THEN (%(campaigns)s::uuid[])[1 + g %% 10] END,
       CASE WHEN g %% 4 = 0 THEN 'inbound' ELSE 'outbound' END,
       status,
       CASE WHEN status = 'completed' THEN (%(outcomes)s::text[])[1 + (g / 7) %% 8]
            WHEN status = 'voicemail' THEN 'left_message' WHEN status = 'missed' THEN 'no_answer' END,
       CASE WHEN status = 'completed' THEN (ARRAY['positive', 'neutral', 'negative'])[1 + (g / 11) %% 3] END,
       CASE WHEN status NOT IN ('queued', 'canceled') THEN started END,
       CASE WHEN status = 'completed' THEN started + make_interval(secs => seconds) END,
       CASE WHEN status = 'completed' THEN seconds END,
       CASE WHEN status = 'queued' THEN now() + make_interval(hours => (g %% 200)::int) ELSE started END,
       '', CASE WHEN status = 'completed' THEN 'Asked about memberships and classes; call ' || g ELSE '' END,
       CASE WHEN status = 'completed' THEN jsonb_build_array(
            jsonb_build_object('speaker', 'agent', 'text', 'Hi, this is Riley from the gym. Is now a good time?', 'timestamp', 0),
            jsonb_build_object('speaker', 'customer', 'text', 'Yes, I wanted to ask about prices.', 'timestamp', 4.5),
            jsonb_build_object('speaker', 'agent', 'text', 'Basic is $39 a month and Premium is $69.', 'timestamp', 9)) END,
       NULL, '', CASE WHEN g %% 5 = 0 THEN 'staff' ELSE 'ai' END,
       CASE WHEN status = 'completed' THEN 'bench_' || g ELSE '' END
FROM (
    SELECT g, now() - make_interval(secs => ((g * 15.77) %% (365 * 86400))::float8) AS started,
           30 + (g * 37) %% 600 AS seconds,
           CASE WHEN g %% 100 < 3 THEN 'queued' WHEN g %% 100 < 5 THEN 'canceled' WHEN g %% 100 < 70 THEN 'completed'
                WHEN g %% 100 < 82 THEN 'voicemail' WHEN g %% 100 < 92 THEN 'missed' ELSE 'failed' END AS status,
           1 + (g::bigint * 7919) %% %(leads)s AS n
    FROM generate_series(1, %(calls)s) AS g
) AS s
JOIN bench_leads l ON l.n = s.n
"""


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def populate():
    gym = Gym.objects.create(name=GYM_NAME, timezone="America/New_York")
    branches = [Branch.all_gyms.create(gym=gym, name=f"Branch {i}") for i in range(3)]
    User.objects.create_user(EMAIL, "bench-password-123", gym=gym, branch=branches[0], role=Role.AGENT)
    started = time.perf_counter()
    batch = []
    for n in range(LEADS):
        batch.append(Lead(gym=gym, branch=branches[n % 3], first_name=f"First{n}", last_name=f"Last{n}",
                          phone=f"+1212{n:07d}", email=f"lead{n}@bench.invalid"))
        if len(batch) == 10_000:
            Lead.all_gyms.bulk_create(batch)
            batch = []
    Lead.all_gyms.bulk_create(batch)
    campaigns = [Campaign.all_gyms.create(gym=gym, name=f"Campaign {i}", status="active") for i in range(10)]
    print(f"{LEADS} leads in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_leads AS SELECT row_number() OVER (ORDER BY id) AS n, id, branch_id "
                       "FROM leads_lead WHERE gym_id = %s", [gym.pk])
        cursor.execute("CREATE INDEX ON bench_leads (n)")
        cursor.execute(CALLS_SQL, {"gym": gym.pk, "campaigns": [str(c.pk) for c in campaigns], "outcomes": OUTCOMES,
                                   "leads": LEADS, "calls": CALLS})
        cursor.execute("INSERT INTO calls_campaignlead (id, created_at, updated_at, gym_id, campaign_id, lead_id) "
                       "SELECT gen_random_uuid(), now(), now(), %s, (%s::uuid[])[1 + n %% 10], id "
                       "FROM bench_leads WHERE n %% 4 = 0", [gym.pk, [str(c.pk) for c in campaigns]])
        cursor.execute("DROP TABLE bench_leads")
        # What autovacuum does in production: statistics and the visibility map (index-only scans).
        for table in ("calls_call", "calls_campaignlead", "calls_calltally", "leads_lead"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"{CALLS} calls in {time.perf_counter() - started:.0f} s")
    return gym


def scenarios(gym):
    lead = Call.all_gyms.filter(gym=gym).values_list("lead_id", flat=True).first()
    campaign = Campaign.all_gyms.filter(gym=gym).order_by("name").first()
    branch = Branch.all_gyms.filter(gym=gym).order_by("name").first()
    call = Call.all_gyms.filter(gym=gym, status="completed").values_list("pk", flat=True).first()
    today = timezone.localdate(timezone=gym.tzinfo)
    month = {"start_date": str(today - dt.timedelta(days=60)), "end_date": str(today - dt.timedelta(days=31))}
    day = str(today - dt.timedelta(days=45))
    return [
        ("calls default (limit 10)", "/api/calls", {}),
        ("calls default (limit 50)", "/api/calls", {"limit": 50}),
        ("calls page 1000", "/api/calls", {"page": 1000, "limit": 20}),
        ("calls start_time asc", "/api/calls", {"sort_by": "start_time", "sort_order": "asc"}),
        ("calls duration desc", "/api/calls", {"sort_by": "duration", "sort_order": "desc"}),
        ("calls scheduled_at asc", "/api/calls", {"sort_by": "scheduled_at", "sort_order": "asc"}),
        ("calls created_at desc", "/api/calls", {"sort_by": "created_at", "sort_order": "desc"}),
        ("calls lead_id", "/api/calls", {"lead_id": str(lead)}),
        ("calls campaign_id", "/api/calls", {"campaign_id": str(campaign.pk)}),
        ("calls branch_id", "/api/calls", {"branch_id": str(branch.pk)}),
        ("calls status=queued", "/api/calls", {"status": "queued"}),
        ("calls status=completed,failed", "/api/calls", {"status": "completed,failed"}),
        ("calls outcome=appointment_booked", "/api/calls", {"outcome": "appointment_booked"}),
        ("calls direction=inbound", "/api/calls", {"direction": "inbound"}),
        ("calls sentiment=negative", "/api/calls", {"sentiment": "negative"}),
        ("calls one month", "/api/calls", month),
        ("calls one day", "/api/calls", {"start_date": day, "end_date": day}),
        ("calls month + completed", "/api/calls", {**month, "status": "completed"}),
        ("call detail", f"/api/calls/{call}", {}),
        ("campaigns with statistics", "/api/settings/campaigns", {"limit": 50}),
        ("campaign detail", f"/api/settings/campaigns/{campaign.pk}", {}),
    ]


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    keep = "--keep" in sys.argv
    with unscoped("calls bench setup"):
        gym = Gym.objects.filter(name=GYM_NAME).first() or populate()
        print(f"{Call.all_gyms.filter(gym=gym).count()} calls, {Lead.all_gyms.filter(gym=gym).count()} leads, "
              f"{CampaignLead.all_gyms.filter(gym=gym).count()} campaign memberships")
    user = User.objects.get(email=EMAIL)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
    try:
        with unscoped("calls bench scenarios"):
            plan = scenarios(gym)
        for label, url, params in plan:
            samples = []
            for _ in range(RUNS + 2):
                started = time.perf_counter()
                response = client.get(url, params)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (label, response.content[:300])
            samples = samples[2:]  # warm-up
            total = response.json().get("pagination", {}).get("total", "")
            print(f"{label:<36} p50={percentile(samples, 50):7.1f} ms  p95={percentile(samples, 95):7.1f} ms  "
                  f"mean={statistics.mean(samples):7.1f} ms  total={total}")
    finally:
        if not keep:
            with unscoped("calls bench cleanup"), connection.cursor() as cursor:
                for table in ("calls_callnote", "calls_call", "calls_campaignlead", "calls_campaign",
                              "leads_leadactivity", "leads_lead"):
                    cursor.execute(f"DELETE FROM {table} WHERE gym_id = %s", [gym.pk])
                User.objects.filter(email=EMAIL).delete()
                gym.delete()


if __name__ == "__main__":
    main()
