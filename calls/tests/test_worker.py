"""End to end on real processes: two Celery workers (one with beat embedded) against the Redis on
127.0.0.1:6379 and this test's PostgreSQL database, dialing through a fake Retell on loopback.

A campaign gets its calls queued by the scheduler on beat and placed by the dialer; a lead put on the
do-not-call list after its call was queued is never dialed; no call is dialed twice although two
workers sweep every second; a gym's concurrency cap holds across the workers."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from calls.models import Call, CampaignStatus
from calls.services import call_create
from calls.tests.factories import CampaignFactory, CampaignLeadFactory
from leads.activity import Actor
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory
from voice.tests.factories import RetellIntegrationFactory
from voice.tests.fake_retell import FakeRetell

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

ROOT = Path(__file__).resolve().parents[2]
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
REDIS = "redis://127.0.0.1:6379/0"


def open_gym(**fields):
    import datetime as dt

    return GymFactory(call_days=EVERY_DAY, call_hours_start=dt.time(0, 0), call_hours_end=dt.time.max, **fields)


@pytest.fixture
def fake_retell():
    fake = FakeRetell()
    fake.delay = 0.2  # a dial takes a moment, so rounds of the two workers overlap
    yield fake
    fake.stop()


@pytest.fixture
def workers(tmp_path, fake_retell):
    if connection.vendor != "postgresql":
        pytest.skip("the workers share the test database: PostgreSQL only")
    try:
        redis.Redis.from_url(REDIS).ping()  # Redis on 127.0.0.1:6379 (.ci/run starts it)
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (start it, or run .ci/run, which does)")
    db = django_settings.DATABASES["default"]
    env = {**os.environ,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CELERY_BROKER_URL": REDIS, "CELERY_QUEUE": f"reps-test-{uuid.uuid4().hex}",
           "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path), "RETELL_API_BASE_URL": fake_retell.url,
           "DIALER_INTERVAL_SECONDS": "1", "CAMPAIGNS_INTERVAL_SECONDS": "1", "DJANGO_SETTINGS_MODULE":
           "reps_dashboard.settings"}
    started = []

    def start(*extra):
        command = [sys.executable, "-m", "celery", "-A", "reps_dashboard", "worker", "--loglevel=INFO",
                   "--pool=threads", "--concurrency=3", "--without-gossip", "--without-mingle",
                   f"--hostname=w{len(started)}-{uuid.uuid4().hex[:6]}@%h", *extra]
        log = open(tmp_path / f"worker{len(started)}.log", "w")
        started.append((subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))

    yield start
    for process, _log in started:
        process.send_signal(signal.SIGTERM)
    for process, log in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    redis.Redis.from_url(REDIS).delete(env["CELERY_QUEUE"])


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_two_workers_dial_a_campaign_once_each_skip_do_not_call_and_honour_the_cap(workers, fake_retell):
    gym = open_gym(max_concurrent_calls=10)
    RetellIntegrationFactory(gym=gym)
    campaign = CampaignFactory(gym=gym, status=CampaignStatus.ACTIVE, call_days=EVERY_DAY,
                               call_hours_start="00:00", call_hours_end="23:59:59", max_calls_per_day=50)
    members = [CampaignLeadFactory(campaign=campaign, gym=gym).lead for _ in range(6)]
    refused = LeadFactory(gym=gym, first_name="Never", do_not_call=True)
    CampaignLeadFactory(campaign=campaign, gym=gym, lead=refused)
    changed_mind = LeadFactory(gym=gym, first_name="Changed")
    withdrawn = call_create(gym=gym, actor=Actor.system("Test"), lead=changed_mind)  # queued for now...
    Lead.all_gyms.filter(pk=changed_mind.pk).update(do_not_call=True)  # ...then the lead says no
    capped = open_gym(max_concurrent_calls=2)
    RetellIntegrationFactory(gym=capped)
    for _ in range(5):
        call_create(gym=capped, actor=Actor.system("Test"), lead=LeadFactory(gym=capped))

    workers("--beat")
    workers()
    campaign_calls = Call.all_gyms.filter(campaign=campaign)
    assert wait_for(lambda: campaign_calls.count() == len(members)), "the scheduler queued no calls on beat"
    # The scheduler spreads the calls over the hours left today; let the day pass at once.
    campaign_calls.filter(status="queued").update(scheduled_at=timezone.now())
    expected = len(members) + 2
    assert wait_for(lambda: len(fake_retell.creates()) >= expected), f"{len(fake_retell.creates())} dials"
    time.sleep(3)  # several more sweeps of both workers: nothing more may be dialed

    dialed = [request["json"]["to_number"] for request in fake_retell.creates()]
    call_ids = Counter(request["json"]["metadata"]["call_id"] for request in fake_retell.creates())
    assert len(dialed) == expected and max(call_ids.values()) == 1
    assert sorted(set(dialed) & {lead.phone for lead in members}) == sorted(lead.phone for lead in members)
    assert refused.phone not in dialed and changed_mind.phone not in dialed
    assert Call.all_gyms.get(pk=withdrawn.pk).status == "canceled"
    assert not Call.all_gyms.filter(lead=refused).exists()
    statuses = Counter(Call.all_gyms.filter(gym=capped).values_list("status", flat=True))
    assert statuses == {"in_progress": 2, "queued": 3}
    assert Call.all_gyms.filter(gym=gym, status="in_progress", external_call_id__startswith="call_").count() == 6
