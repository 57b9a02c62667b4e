"""The benchmark's data set, generated inside PostgreSQL (INSERT ... SELECT over generate_series).

One big gym (500,000 leads, 2,000,000 calls, 200,000 appointments) and 99 small gyms of about 5,000
leads each (10,000 calls, 1,000 appointments), with branches, staff, tags, campaigns, timelines and
notes. Distributions are skewed the way a real gym's are: most leads are recent, a lead is called
soon after it arrives and then less and less, most calls are outbound and a third belong to a
campaign, most appointments are in the past, active ones in the future never overlap for a lead
or a coach. Pseudo-random values come from hashes of the row number, so a run is reproducible.

The load runs as the tables' owner with ``session_replication_role = replica`` (no triggers, no
foreign-key checks: the generated rows are consistent by construction), then rebuilds what the
triggers would have kept (the list tallies, the analytics rollups) and runs VACUUM ANALYZE, as
autovacuum would in production.
"""

import time
import uuid

from django.core.management import call_command
from django.db import connection, transaction

from reps_dashboard import tally
from tenants.models import Branch, Gym, Role, Tag, User
from tenants.scope import unscoped

BIG_GYM = "Bench Big Gym"
SMALL_GYM = "Bench Small Gym {:02d}"
PASSWORD = "bench-password-123"
TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]
FIRST = ["James", "Maria", "Robert", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Olivia", "Chris",
         "Sophia", "Matthew", "Isabella", "Anthony", "Mia", "Mark", "Ava", "Steven", "Emily", "Paul", "Jane",
         "Andrew", "Grace", "Joshua", "Chloe", "Kevin", "Zoe", "Brian", "Lily", "Jason", "Hannah", "Ryan", "Nora",
         "Jacob", "Ella", "Tyler", "Aria", "Aaron", "Luna"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
        "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Doe"]
OUTCOMES = ["appointment_booked", "callback_requested", "not_interested", "undecided", "no_answer", "wrong_number",
            "left_message", "information_provided"]


def _array(values):
    """A SQL text array literal of the module's constant word lists (no user input)."""
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def bench_gyms():
    return Gym.objects.filter(name__startswith="Bench ")


def exists(expected_leads: int) -> bool:
    big = Gym.objects.filter(name=BIG_GYM).first()
    if big is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leads_lead WHERE gym_id = %s", [big.pk])
        return cursor.fetchone()[0] == expected_leads


def drop_all():
    with unscoped("bench: drop the generated gyms"), connection.cursor() as cursor:
        ids = [str(pk) for pk in bench_gyms().values_list("pk", flat=True)]
        if not ids:
            return
        cursor.execute("SET session_replication_role = replica")
        for table in ("calls_callnote", "calls_call", "calls_campaignlead", "calls_campaign",
                      "appointments_appointment", "leads_leadactivity", "leads_leadtag", "leads_lead", "tenants_tag",
                      "tenants_apikey"):
            cursor.execute(f"DELETE FROM {table} WHERE gym_id = ANY(%s::uuid[])", [ids])
        cursor.execute("SET session_replication_role = DEFAULT")
        User.objects.filter(gym_id__in=ids).delete()
        Branch.all_gyms.filter(gym_id__in=ids).delete()
        Gym.objects.filter(pk__in=ids).delete()


def _gym(name, tz, n_branches, n_staff, email):
    gym = Gym.objects.create(name=name, timezone=tz, country="US", call_days=["mon", "tue", "wed", "thu", "fri", "sat"])
    branches = Branch.all_gyms.bulk_create([Branch(gym=gym, name=f"{name} branch {i + 1}", timezone=tz)
                                            for i in range(n_branches)])
    User.objects.create_user(email, PASSWORD, gym=gym, branch=branches[0], role=Role.ADMIN, first_name="Bench",
                             last_name="Admin")
    staff = User.objects.bulk_create([
        User(email=f"coach{i}.{uuid.uuid4().hex[:8]}@bench.invalid", gym=gym, branch=branches[i % n_branches],
             role=Role.AGENT if i % 5 else Role.MANAGER, first_name=FIRST[i % len(FIRST)],
             last_name=LAST[(i * 7) % len(LAST)], password="!")
        for i in range(n_staff)])
    tags = Tag.all_gyms.bulk_create([Tag(gym=gym, name=name, color=color) for name, color in (
        ("Hot Lead", "#E53935"), ("VIP", "#8E24AA"), ("Family Plan", "#1E88E5"), ("Student", "#43A047"),
        ("Corporate", "#FB8C00"), ("Returning Member", "#6D4C41"), ("Referral Bonus", "#00897B"),
        ("Early Bird", "#FDD835"))])
    return gym, [b.pk for b in branches], [u.pk for u in staff], [t.pk for t in tags]


# Every statement reads the per-gym plan from the temporary table bench_plan.
_H = "abs(hashint8(g::bigint * 1000003 + b.k * 7919)::bigint)"  # a stable pseudo-random number per row

LEADS_SQL = """
INSERT INTO leads_lead (id, created_at, updated_at, first_name, last_name, phone, email, status, source, notes,
    interest, interest_location, last_conversation_summary, last_called, call_count, score, do_not_call,
    lost_reason, assigned_to_id, branch_id, gym_id, stage_reached)
SELECT gen_random_uuid(), created, created + interval '2 days' * (h % 3), ({first})[(1 + h % 40)::int],
    ({last})[(1 + (h / 40) % 40)::int], '+1' || (2125000000 + b.k * 100000 + g)::text,
    lower(({first})[(1 + h % 40)::int]) || '.' || g || '@example.test',
    st,
    (ARRAY['website','website','website','website','referral','referral','walk_in','phone','phone','social',
           'social','other'])[(1 + (h / 1000) % 12)::int],
    CASE WHEN h % 9 = 0 THEN 'Asked about family plans and the pool.' ELSE '' END,
    (ARRAY['weight loss','strength','yoga','swimming','boxing','personal training','classes',''])[(1 + (h / 7) % 8)::int],
    '', '', NULL, 0, CASE WHEN h % 10 < 7 THEN round(((h / 13) % 1000) / 1000.0, 3) END, h % 37 = 0,
    CASE WHEN st = 'lost' THEN 'Joined another gym' ELSE '' END,
    CASE WHEN h % 10 < 6 THEN b.staff[(1 + (h / 17) % array_length(b.staff, 1))::int] END,
    b.branches[(1 + (h / 29) % array_length(b.branches, 1))::int], b.gym_id,
    -- how far the lead ever got: a lost lead had been new, contacted or qualified
    CASE WHEN st = 'lost' THEN (ARRAY['new', 'contacted', 'qualified'])[(1 + (h / 31) % 3)::int] ELSE st END
FROM bench_plan b
CROSS JOIN LATERAL generate_series(1, b.leads) AS g
CROSS JOIN LATERAL (SELECT {h} AS h) AS r
CROSS JOIN LATERAL (SELECT 730 * power(((r.h / 101) % 1000000) / 1000000.0, 2.2) AS age) AS a
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => a.age * 86400) AS created) AS c
CROSS JOIN LATERAL (SELECT CASE WHEN a.age < 3 THEN 'new' WHEN r.h % 100 < 25 THEN 'new'
                                WHEN r.h % 100 < 55 THEN 'contacted' WHEN r.h % 100 < 72 THEN 'qualified'
                                WHEN r.h % 100 < 88 THEN 'converted' ELSE 'lost' END AS st) AS s
""".format(h=_H, first=_array(FIRST), last=_array(LAST))

NUMBERED_LEADS_SQL = """
CREATE TEMP TABLE bench_lead AS
SELECT l.gym_id, row_number() OVER (PARTITION BY l.gym_id ORDER BY l.created_at, l.id) AS n, l.id, l.branch_id,
       l.created_at
FROM leads_lead l JOIN bench_plan b ON b.gym_id = l.gym_id;
CREATE INDEX ON bench_lead (gym_id, n);
"""

CALLS_SQL = f"""
INSERT INTO calls_call (id, created_at, updated_at, gym_id, lead_id, branch_id, campaign_id, direction, status,
    outcome, sentiment, start_time, end_time, duration, scheduled_at, notes, summary, transcript, metrics,
    recording_url, handled_by, external_call_id)
SELECT gen_random_uuid(), coalesce(started, now()), coalesce(started, now()), b.gym_id, l.id, l.branch_id,
    CASE WHEN h % 3 = 0 THEN b.campaigns[(1 + (h / 3) % array_length(b.campaigns, 1))::int] END,
    CASE WHEN h % 5 = 0 THEN 'inbound' ELSE 'outbound' END, st,
    CASE WHEN st = 'completed' THEN ({_array(OUTCOMES)})[(1 + (h / 7) % 8)::int]
         WHEN st = 'voicemail' THEN 'left_message' WHEN st = 'missed' THEN 'no_answer' END,
    CASE WHEN st = 'completed' THEN (ARRAY['positive','positive','neutral','neutral','neutral','negative'])[(1 + (h / 11) % 6)::int] END,
    started, CASE WHEN st = 'completed' THEN started + make_interval(secs => secs) END,
    CASE WHEN st = 'completed' THEN secs END,
    CASE WHEN st = 'queued' THEN now() + make_interval(mins => (h % 4000)::int) END,
    '', CASE WHEN st = 'completed' THEN 'Discussed membership options; call ' || g ELSE '' END,
    CASE WHEN st = 'completed' THEN jsonb_build_array(
        jsonb_build_object('speaker', 'agent', 'text', 'Hi, this is Riley from the gym. Is now a good time?', 'timestamp', 0),
        jsonb_build_object('speaker', 'customer', 'text', 'Yes, I wanted to ask about prices.', 'timestamp', 4.5),
        jsonb_build_object('speaker', 'agent', 'text', 'Basic is $39 a month and Premium is $69.', 'timestamp', 9)) END,
    NULL, '', CASE WHEN h % 6 = 0 THEN 'staff' ELSE 'ai' END,
    CASE WHEN st IN ('completed', 'voicemail', 'missed') THEN 'bench_' || b.k || '_' || g ELSE '' END
FROM bench_plan b
CROSS JOIN LATERAL generate_series(1, b.calls) AS g
CROSS JOIN LATERAL (SELECT {_H} AS h) AS r
CROSS JOIN LATERAL (SELECT CASE WHEN r.h % 100 < 3 THEN 'queued' WHEN r.h % 100 < 5 THEN 'canceled'
                          WHEN r.h % 100 < 68 THEN 'completed' WHEN r.h % 100 < 80 THEN 'voicemail'
                          WHEN r.h % 100 < 92 THEN 'missed' ELSE 'failed' END AS st,
                     20 + (r.h / 19) % 900 AS secs) AS s
-- the newest 15% of the leads have not been called yet
JOIN bench_lead l ON l.gym_id = b.gym_id AND l.n = 1 + (g::bigint * 7919 + b.k) % (b.leads * 85 / 100)
CROSS JOIN LATERAL (SELECT CASE WHEN s.st NOT IN ('queued', 'canceled') THEN
                l.created_at + (now() - l.created_at) * power(((r.h / 23) % 10000) / 10000.0, 3) END AS started) AS t
"""

LEAD_CALL_FIELDS_SQL = """
UPDATE leads_lead l SET call_count = a.placed, last_called = a.last, last_conversation_summary = a.summary,
    first_called_at = a.first
FROM (SELECT lead_id, count(*) FILTER (WHERE status NOT IN ('queued', 'canceled')) AS placed,
             min(coalesce(start_time, created_at)) FILTER (WHERE status NOT IN ('queued', 'canceled')) AS first,
             max(coalesce(start_time, created_at)) FILTER (WHERE status NOT IN ('queued', 'canceled')) AS last,
             coalesce((array_agg(summary ORDER BY start_time DESC NULLS LAST) FILTER (WHERE summary <> ''))[1], '') AS summary
      FROM calls_call c JOIN bench_plan b ON b.gym_id = c.gym_id GROUP BY lead_id) AS a
WHERE a.lead_id = l.id
"""

APPOINTMENTS_SQL = f"""
INSERT INTO appointments_appointment (id, created_at, updated_at, type, date, duration, status, notes, reminder_sent,
    branch_id, created_by_id, gym_id, lead_id, rescheduled_from_id, staff_id)
SELECT gen_random_uuid(), least(at, now()) - interval '3 days', least(at, now()) - interval '3 days',
    (ARRAY['tour','tour','tour','consultation','consultation','assessment','training','follow_up','other'])[(1 + (h / 3) % 9)::int],
    at, (ARRAY[30, 45, 60, 60, 90])[(1 + (h / 5) % 5)::int], st, '', future AND h % 2 = 0, l.branch_id,
    b.staff[(1 + (h / 7) % array_length(b.staff, 1))::int], b.gym_id, l.id, NULL,
    CASE WHEN future THEN b.staff[1 + (g / 5) % array_length(b.staff, 1)]
         WHEN h % 3 > 0 THEN b.staff[(1 + (h / 11) % array_length(b.staff, 1))::int] END
FROM bench_plan b
CROSS JOIN LATERAL generate_series(1, b.appointments) AS g
CROSS JOIN LATERAL (SELECT {_H} AS h, g % 5 = 0 AS future) AS r
JOIN bench_lead l ON l.gym_id = b.gym_id AND l.n = 2 * g - 1
CROSS JOIN LATERAL (SELECT CASE WHEN r.future THEN
                  -- two hours apart per coach: no active appointment of a coach overlaps another
                  date_trunc('hour', now()) + interval '1 day' + make_interval(hours => 2 * ((g / 5) / array_length(b.staff, 1))::int)
                  ELSE l.created_at + (now() - l.created_at) * (((r.h / 13) % 1000) / 1000.0) END AS at,
                  CASE WHEN r.future THEN (ARRAY['scheduled','scheduled','confirmed'])[(1 + r.h % 3)::int]
                       ELSE (ARRAY['completed','completed','completed','completed','no_show','canceled','rescheduled'])[(1 + r.h % 7)::int]
                  END AS st) AS x
"""

ACTIVITIES_SQL = """
INSERT INTO leads_leadactivity (id, created_at, updated_at, type, description, actor_type, actor_name, data,
    actor_user_id, gym_id, lead_id)
SELECT gen_random_uuid(), l.created_at, l.created_at, 'lead_created', 'Lead created from the website form', 'system',
       'System', '{}'::jsonb, NULL::uuid, l.gym_id, l.id
FROM leads_lead l JOIN bench_plan b ON b.gym_id = l.gym_id
UNION ALL
SELECT gen_random_uuid(), l.updated_at, l.updated_at, 'status_changed', 'Status changed from new to ' || l.status,
       'system', 'System', jsonb_build_object('from', 'new', 'to', l.status), NULL, l.gym_id, l.id
FROM leads_lead l JOIN bench_plan b ON b.gym_id = l.gym_id WHERE l.status <> 'new'
"""

TAGS_SQL = """
INSERT INTO leads_leadtag (id, created_at, updated_at, gym_id, lead_id, tag_id)
SELECT gen_random_uuid(), l.created_at, l.created_at, l.gym_id, l.id,
       b.tags[(1 + ((r.h / 10) + t) % array_length(b.tags, 1))::int]
FROM bench_lead l JOIN bench_plan b ON b.gym_id = l.gym_id
CROSS JOIN LATERAL (SELECT abs(hashint8(l.n * 31 + b.k)::bigint) AS h) AS r
CROSS JOIN generate_series(0, 1) AS t
WHERE r.h % 10 < 3 AND (t = 0 OR r.h % 10 = 0)
"""

CAMPAIGN_LEADS_SQL = """
INSERT INTO calls_campaignlead (id, created_at, updated_at, gym_id, campaign_id, lead_id)
SELECT gen_random_uuid(), now(), now(), l.gym_id, b.campaigns[(1 + (l.n / 4) % array_length(b.campaigns, 1))::int], l.id
FROM bench_lead l JOIN bench_plan b ON b.gym_id = l.gym_id WHERE l.n % 4 = 0
"""

NOTES_SQL = """
INSERT INTO calls_callnote (id, created_at, updated_at, content, author_id, call_id, gym_id)
SELECT gen_random_uuid(), c.created_at, c.created_at, 'Follow up next week about the family plan.',
       b.staff[1 + abs(hashint4(c.duration)::bigint)::int % array_length(b.staff, 1)], c.id, c.gym_id
FROM calls_call c JOIN bench_plan b ON b.gym_id = c.gym_id WHERE c.status = 'completed' AND c.duration % 50 = 0
"""


def generate(*, big_leads=500_000, big_calls=2_000_000, big_appointments=200_000, small_gyms=99,
             small_leads=5_000, small_calls=10_000, small_appointments=1_000, log=print):
    started = time.perf_counter()
    plan = []
    with unscoped("bench: generate the data set"), transaction.atomic():
        specs = [(BIG_GYM, TIMEZONES[0], 6, 40, "bench-big@bench.invalid", big_leads, big_calls, big_appointments)]
        specs += [(SMALL_GYM.format(i + 1), TIMEZONES[i % len(TIMEZONES)], 1 + i % 3, 4,
                   f"bench-small-{i + 1}@bench.invalid", small_leads, small_calls, small_appointments)
                  for i in range(small_gyms)]
        for k, (name, tz, n_branches, n_staff, email, leads, calls, appointments) in enumerate(specs):
            gym, branches, staff, tags = _gym(name, tz, n_branches, n_staff, email)
            campaigns = _campaigns(gym, branches, 10 if k == 0 else 2)
            plan.append((gym.pk, k, leads, calls, appointments, branches, staff, tags, campaigns))
        log(f"  {len(plan)} gyms with branches, staff, tags and campaigns")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute("CREATE TEMP TABLE bench_plan (gym_id uuid, k int, leads int, calls int, appointments int, "
                           "branches uuid[], staff uuid[], tags uuid[], campaigns uuid[])")
            cursor.executemany("INSERT INTO bench_plan VALUES (%s, %s, %s, %s, %s, %s::uuid[], %s::uuid[], "
                               "%s::uuid[], %s::uuid[])",
                               [(str(g), k, le, ca, ap, [str(x) for x in br], [str(x) for x in st],
                                 [str(x) for x in tg], [str(x) for x in cp])
                                for g, k, le, ca, ap, br, st, tg, cp in plan])
            for label, sql, params in (
                ("leads", LEADS_SQL, None),
                ("lead numbering", NUMBERED_LEADS_SQL, None),
                ("calls", CALLS_SQL, None),
                ("lead call fields", LEAD_CALL_FIELDS_SQL, None),
                ("appointments", APPOINTMENTS_SQL, None),
                ("timelines", ACTIVITIES_SQL, None),
                ("lead tags", TAGS_SQL, None),
                ("campaign leads", CAMPAIGN_LEADS_SQL, None),
                ("call notes", NOTES_SQL, None),
            ):
                step = time.perf_counter()
                cursor.execute(sql, params)
                log(f"  {label}: {cursor.rowcount if cursor.rowcount >= 0 else ''} rows in "
                    f"{time.perf_counter() - step:.0f} s")
            cursor.execute("DROP TABLE bench_lead; DROP TABLE bench_plan")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    _rebuild_derived(log)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - step:.0f} s")
    log(f"data set generated in {time.perf_counter() - started:.0f} s")


def _campaigns(gym, branches, count):
    from calls.models import Campaign

    return [c.pk for c in Campaign.all_gyms.bulk_create([
        Campaign(gym=gym, name=f"Campaign {i + 1}", description="Re-engage leads who asked about memberships",
                 status="active" if i % 3 else "completed", branch_id=branches[i % len(branches)] if i % 2 else None,
                 call_days=["mon", "tue", "wed", "thu", "fri"], max_calls_per_day=200)
        for i in range(count)])]


def _rebuild_derived(log):
    """What the triggers keep current, recomputed once for the bulk-loaded rows."""
    step = time.perf_counter()
    tally.rebuild_all()
    log(f"  list tallies (leads, calls, appointments) rebuilt in {time.perf_counter() - step:.0f} s")
    from django.core.management import get_commands

    if "rebuild_analytics" in get_commands():
        step = time.perf_counter()
        call_command("rebuild_analytics")
        log(f"  analytics rollups rebuilt in {time.perf_counter() - step:.0f} s")
