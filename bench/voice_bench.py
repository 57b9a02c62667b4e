"""Voice agent latency on PostgreSQL at production scale, on the calls bench's gym (500,000 leads,
2,000,000 calls, ten campaigns of ~12,500 leads): the dialer's due list, a caller lookup, webhook
deliveries (a new call, a replay) and the campaign scheduler.

Run from the project root (the data is the calls bench's, generated on first use and left in place;
``calls_list_bench.py`` without --keep deletes it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_calls python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_calls python bench/voice_bench.py

Every request goes through HTTP (Django's test client: middleware, API key or signature, serialisation).
What this bench adds (5,000 due calls, the calls it queues or receives, their timeline entries and
webhook events, its integration and API key) is deleted at the end.
"""

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calls_list_bench as base  # sets Django up
from django.db import connection
from django.test import Client
from django.utils import timezone

from calls.models import Call, Campaign
from leads.models import Lead
from tenants import tokens
from tenants.api_keys import api_key_create
from tenants.models import CALL_DAYS, ApiKey, Gym, Role, User
from tenants.scope import gym_scope, unscoped
from voice import signature
from voice.models import RetellIntegration, WebhookEvent
from voice.scheduler import _calls_of_the_day, _due_leads, _midnight

RUNS = 30
KEY = "key_voice_bench_0000000000000000"
MARK = "voice-bench"
MANAGER = "bench-voice-manager@bench.invalid"


def timed(label, run, runs=RUNS, check=None):
    samples = []
    for n in range(runs + 2):
        started = time.perf_counter()
        response = run(n)
        samples.append((time.perf_counter() - started) * 1000)
        if check:
            check(response)
    samples = samples[2:]  # warm-up
    print(f"{label:<44} p50={base.percentile(samples, 50):7.1f} ms  p95={base.percentile(samples, 95):7.1f} ms  "
          f"mean={statistics.mean(samples):7.1f} ms")


def ok(response):
    assert response.status_code == 200, response.content[:300]


def setup(gym):
    with connection.cursor() as cursor:
        # The calls bench writes its calls with SQL, past the services: give the leads the last_called
        # their calls say (the scheduler orders by it), once.
        cursor.execute("SELECT EXISTS (SELECT 1 FROM leads_lead WHERE gym_id = %s AND last_called IS NOT NULL)",
                       [gym.pk])
        if not cursor.fetchone()[0]:
            cursor.execute("""
                UPDATE leads_lead SET last_called = c.last FROM (
                    SELECT lead_id, max(start_time) AS last FROM calls_call
                    WHERE gym_id = %s AND status NOT IN ('queued', 'canceled') GROUP BY lead_id) AS c
                WHERE leads_lead.id = c.lead_id""", [gym.pk])
            cursor.execute("VACUUM ANALYZE leads_lead")  # 5,000 queued calls whose time has come, among the 60,000 queued ahead
        cursor.execute("""
            INSERT INTO calls_call (id, created_at, updated_at, gym_id, lead_id, branch_id, direction, status,
                                    scheduled_at, notes, summary, recording_url, handled_by, external_call_id)
            SELECT gen_random_uuid(), now(), now(), gym_id, id, branch_id, 'outbound', 'queued',
                   now() - make_interval(mins => (row_number() OVER ())::int), %s, '', '', 'ai', ''
            FROM leads_lead WHERE gym_id = %s LIMIT 5000""", [MARK, gym.pk])
        cursor.execute("ANALYZE calls_call")
    integration = RetellIntegration(gym=gym, agent_id="agent_bench", from_number="+12125550100", enabled=True)
    integration.set_api_key(KEY)
    integration.save()
    _, raw = api_key_create(gym=gym, name=MARK)
    User.objects.filter(email=MANAGER).delete()
    manager = User.objects.create_user(MANAGER, "bench-password-123", gym=gym, role=Role.MANAGER)
    return integration, raw, manager


def cleanup(gym, integration, manager, began):
    with connection.cursor() as cursor:
        for table in ("voice_webhookevent", "leads_leadactivity", "calls_call"):
            cursor.execute(f"DELETE FROM {table} WHERE gym_id = %s AND created_at >= %s", [gym.pk, began])
    integration.delete()
    ApiKey.all_gyms.filter(gym=gym, name=MARK).delete()
    manager.delete()


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    began = timezone.now()
    with unscoped("voice bench setup"):
        gym = Gym.objects.filter(name=base.GYM_NAME).first() or base.populate()
        integration, raw, manager = setup(gym)
        lead = Lead.all_gyms.filter(gym=gym).order_by("id")[1000]
        # The calls bench's phones are not valid numbers (+1212 0xx…): give the caller a real one.
        old_phone, lead.phone = lead.phone, "+14155550142"
        Lead.all_gyms.filter(pk=lead.pk).update(phone=lead.phone)
        campaign = Campaign.all_gyms.filter(gym=gym).order_by("name").first()
        today = timezone.localdate(timezone=gym.tzinfo)
        day = (_midnight(today, gym.tzinfo), _midnight(today + dt.timedelta(days=1), gym.tzinfo))
        # Room for 100 more calls today (the calls bench has queued some of the campaign's for today).
        Campaign.all_gyms.filter(pk=campaign.pk).update(
            call_days=CALL_DAYS, call_hours_start=dt.time(0), call_hours_end=dt.time(23, 59), status="active",
            start_date=None, end_date=None, max_calls_per_day=_calls_of_the_day(gym, campaign, *day) + 100)
        print(f"{Call.all_gyms.filter(gym=gym).count()} calls, {Lead.all_gyms.filter(gym=gym).count()} leads")
    machine = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    staff = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(manager)['access_token']}")
    try:
        timed("due calls (limit 10)", lambda n: machine.get("/api/voice/calls/due"), check=ok)
        timed("due calls (limit 100)", lambda n: machine.get("/api/voice/calls/due", {"limit": 100}), check=ok)
        timed("due calls (page 40 of 100)", lambda n: machine.get("/api/voice/calls/due", {"limit": 100, "page": 40}),
              check=ok)
        timed("lead lookup by phone", lambda n: machine.get("/api/voice/leads/lookup", {"phone": lead.phone}), check=ok)

        def deliver(call_id, event="call_analyzed"):
            payload = json.loads((Path(__file__).resolve().parent.parent / "voice" / "tests" / "data"
                                  / f"retell_{event}.json").read_text())
            payload["call"].update(call_id=call_id, to_number=lead.phone, metadata={"lead_id": str(lead.pk)})
            body = json.dumps(payload).encode()
            header = signature.sign(body, KEY, int(time.time() * 1000))
            return Client().generic("POST", f"/api/voice/webhooks/retell/{integration.pk}", body,
                                    content_type="application/json", HTTP_X_RETELL_SIGNATURE=header)

        timed("webhook call_analyzed, new call", lambda n: deliver(f"vb_new_{n}"), check=ok)
        deliver("vb_replayed")
        timed("webhook call_analyzed, replay", lambda n: deliver("vb_replayed"), check=ok)
        with unscoped("voice bench scheduler"), gym_scope(gym):
            timed("scheduler: 100 due leads of a campaign",
                  lambda n: _due_leads(gym, campaign, day_start=day[0], gap_before=day[0], limit=100), runs=10)
        def schedule_anew(n):
            with unscoped("voice bench: forget the last run's calls"):
                Call.all_gyms.filter(gym=gym, campaign=campaign, created_at__gte=began).delete()
            started = time.perf_counter()
            response = staff.post(f"/api/settings/campaigns/{campaign.pk}/schedule")
            assert response.json()["queued"] == 100, response.content[:300]
            return (time.perf_counter() - started) * 1000

        samples = [schedule_anew(n) for n in range(5)]
        print(f"{'POST campaign schedule (queues 100)':<44} p50={base.percentile(samples, 50):7.1f} ms  "
              f"max={max(samples):7.1f} ms")
        timed("POST campaign schedule (cap reached)",
              lambda n: staff.post(f"/api/settings/campaigns/{campaign.pk}/schedule"), runs=10, check=ok)
        with unscoped("voice bench counts"):
            print(f"{WebhookEvent.all_gyms.filter(gym=gym).count()} webhook events recorded")
    finally:
        with unscoped("voice bench cleanup"):
            cleanup(gym, integration, manager, began)
            Lead.all_gyms.filter(pk=lead.pk).update(phone=old_phone)


if __name__ == "__main__":
    main()
