"""The dialer (calls/dialer.py) against a recording fake platform registered on the calls.dialing hook."""

import datetime as dt

import pytest
from django.utils import timezone

from calls import dialing
from calls.calling_hours import lead_timezone
from calls.dialer import calls_dial_due
from calls.models import Call
from calls.services import call_update
from calls.tasks import dial_due_calls
from calls.tests.factories import CallFactory, CampaignFactory
from leads.activity import Actor
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory

pytestmark = pytest.mark.django_db

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STAFF = Actor.system("Test")


class FakePlatform:
    """Places every call it is handed (in progress) and remembers which; ``broken`` makes it raise."""

    def __init__(self):
        self.placed = []
        self.broken = None

    def __call__(self, *, gym, call):
        if self.broken:
            raise self.broken
        self.placed.append(call.pk)
        return call_update(call=call, actor=Actor.voice_agent(), status="in_progress",
                           external_call_id=f"fake_{len(self.placed)}")


@pytest.fixture
def platform(monkeypatch):
    fake = FakePlatform()
    monkeypatch.setattr(dialing, "_dialer", fake)
    return fake


def open_gym(**fields):
    return GymFactory(call_days=EVERY_DAY, call_hours_start=dt.time(0, 0), call_hours_end=dt.time.max, **fields)


def queued(gym, lead=None, minutes_ago=1, **fields):
    return CallFactory(gym=gym, lead=lead or LeadFactory(gym=gym), status="queued", start_time=None, duration=None,
                       scheduled_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields)


def test_due_calls_are_placed_oldest_first_up_to_the_gyms_cap(platform):
    gym = open_gym(max_concurrent_calls=3)
    CallFactory(gym=gym, status="in_progress", start_time=None, duration=None)  # one already under way
    calls = [queued(gym, minutes_ago=minutes) for minutes in (5, 30, 10)]
    result = calls_dial_due(gym=gym)
    assert platform.placed == [calls[1].pk, calls[2].pk]
    assert (result.dialed, result.waiting) == (2, "at_capacity")
    assert Call.all_gyms.get(pk=calls[0].pk).status == "queued"


def test_a_lead_is_never_rung_twice_at_once(platform):
    """Two calls due for one lead (say speed to lead and a campaign's) in one round, and a third
    while the lead is on the phone: one rings, the others wait until that call is over."""
    gym = open_gym(max_concurrent_calls=5)
    lead = LeadFactory(gym=gym)
    first, second = queued(gym, lead, minutes_ago=10), queued(gym, lead, minutes_ago=5)
    result = calls_dial_due(gym=gym)
    assert platform.placed == [first.pk] and (result.dialed, result.deferred) == (1, 1)
    waiting = Call.all_gyms.get(pk=second.pk)
    assert waiting.status == "queued" and waiting.scheduled_at > timezone.now() + dt.timedelta(minutes=9)
    third = queued(gym, lead)
    assert calls_dial_due(gym=gym).dialed == 0 and platform.placed == [first.pk]
    call_update(call=Call.all_gyms.get(pk=first.pk), actor=STAFF, status="completed")
    Call.all_gyms.filter(pk=third.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=1))
    assert calls_dial_due(gym=gym).dialed == 1 and platform.placed == [first.pk, third.pk]


def test_an_in_progress_call_older_than_the_longest_call_no_longer_counts(platform, settings):
    gym = open_gym(max_concurrent_calls=1)
    stale = CallFactory(gym=gym, status="in_progress", start_time=None, duration=None)
    Call.all_gyms.filter(pk=stale.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=settings.CALL_MAX_DURATION_SECONDS + 60))
    call = queued(gym)
    assert calls_dial_due(gym=gym).dialed == 1
    assert platform.placed == [call.pk]


@pytest.mark.parametrize("change,reason", [
    ({"do_not_call": True}, "The lead is on the do-not-call list."),
    ({"status": "converted"}, "The lead is converted: the voice agent calls only new, contacted and qualified leads."),
    ({"status": "lost"}, "The lead is lost: the voice agent calls only new, contacted and qualified leads."),
])
def test_a_lead_no_longer_callable_at_dial_time_gets_its_call_canceled(platform, change, reason):
    gym = open_gym()
    call = queued(gym)
    type(call.lead).all_gyms.filter(pk=call.lead_id).update(**change)
    assert calls_dial_due(gym=gym).canceled == 1
    call.refresh_from_db()
    assert (call.status, call.metrics["dial_skipped"]) == ("canceled", reason)
    assert platform.placed == []
    assert LeadActivity.all_gyms.filter(lead_id=call.lead_id, description="Outbound call queued → canceled").exists()


def test_calling_hours_are_judged_by_the_leads_clock(platform):
    # The gym is in New York and calls 09:00-19:00; the lead's number is a San Francisco one.
    gym = GymFactory(timezone="America/New_York", call_days=EVERY_DAY, call_hours_start=dt.time(9),
                     call_hours_end=dt.time(19))
    lead = LeadFactory(gym=gym, phone="+14155550142")
    call = queued(gym, lead)
    now = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)  # 11:00 in New York, 08:00 in San Francisco
    Call.all_gyms.filter(pk=call.pk).update(scheduled_at=now - dt.timedelta(minutes=1))
    result = calls_dial_due(gym=gym, now=now)
    call.refresh_from_db()
    assert (result.deferred, call.status, platform.placed) == (1, "queued", [])
    assert call.scheduled_at == dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # 09:00 in San Francisco


def test_a_campaign_call_waits_for_the_campaigns_own_hours_and_days(platform):
    gym = open_gym(timezone="America/New_York")
    campaign = CampaignFactory(gym=gym, call_days=["wed"], call_hours_start=dt.time(10), call_hours_end=dt.time(12))
    lead = LeadFactory(gym=gym, phone="+12125550100")  # New York
    call = queued(gym, lead, campaign=campaign)
    now = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in New York
    Call.all_gyms.filter(pk=call.pk).update(scheduled_at=now - dt.timedelta(minutes=1))
    calls_dial_due(gym=gym, now=now)
    call.refresh_from_db()
    assert call.scheduled_at == dt.datetime(2026, 3, 11, 14, 0, tzinfo=dt.UTC)  # Wednesday 10:00


def test_the_lead_time_zone_falls_back_to_the_gyms_when_the_number_does_not_tell(gym):
    assert lead_timezone(phone="+14155550142", gym=gym).key == "America/Los_Angeles"
    assert lead_timezone(phone="+442079460000", gym=gym).key == "Europe/London"
    assert lead_timezone(phone="+18005550100", gym=gym).key == gym.timezone  # toll-free: every US zone
    assert lead_timezone(phone="not a number", gym=gym).key == gym.timezone


def test_a_broken_dial_is_retried_with_backoff_then_recorded_as_failed(platform, settings):
    settings.DIALER_MAX_ATTEMPTS, settings.DIALER_RETRY_BACKOFF_SECONDS = 3, 30
    gym = open_gym()
    call = queued(gym)
    platform.broken = RuntimeError("socket closed")
    for attempt, backoff in ((1, 30), (2, 60)):
        now = timezone.now()
        assert calls_dial_due(gym=gym, now=now).retrying == 1
        call.refresh_from_db()
        assert (call.status, call.scheduled_at, call.metrics["dial_attempts"]) == (
            "queued", now + dt.timedelta(seconds=backoff), attempt)
        Call.all_gyms.filter(pk=call.pk).update(scheduled_at=now - dt.timedelta(seconds=1))  # the backoff elapsed
    assert calls_dial_due(gym=gym).failed == 1
    call.refresh_from_db()
    assert (call.status, call.metrics["dial_error"]) == ("failed", "RuntimeError: socket closed")
    assert LeadActivity.all_gyms.filter(lead_id=call.lead_id, description="Outbound call queued → failed").exists()


def test_without_a_platform_the_calls_stay_queued(monkeypatch):
    monkeypatch.setattr(dialing, "_dialer", lambda *, gym, call: None)
    gym = open_gym()
    call = queued(gym)
    assert calls_dial_due(gym=gym).waiting == "no_platform"
    assert Call.all_gyms.get(pk=call.pk).status == "queued"


def test_the_sweep_dials_every_gym_in_its_own_scope_and_leaves_calls_for_later(platform,
                                                                               django_capture_on_commit_callbacks):
    gyms = [open_gym(), open_gym()]
    due = [queued(gym) for gym in gyms]
    later = queued(gyms[0], minutes_ago=-60)
    with django_capture_on_commit_callbacks(execute=True):
        dial_due_calls.delay()
    assert sorted(platform.placed) == sorted(call.pk for call in due)
    assert Call.all_gyms.get(pk=later.pk).status == "queued"
