"""PostgreSQL: the trigger-kept daily rollups always equal a rebuild from the rows, and every
endpoint answers the same from the rollups as from the raw rows."""

import datetime as dt
import random
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from analytics import rollups
from analytics.models import AppointmentDay, CallDay, LeadDay
from appointments.models import Appointment, AppointmentStatus, AppointmentType
from calls import services as call_services
from calls.models import Call, CallDirection, CallOutcome, CallStatus, Sentiment
from leads import services as lead_services
from leads.activity import Actor
from leads.models import Lead, LeadSource, LeadStatus
from tenants.models import Gym
from tenants.tests.factories import BranchFactory, GymFactory

from .factories import AppointmentFactory, CallFactory, CampaignFactory, lead_at

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="rollups exist on PostgreSQL only")

ROLLUPS = (LeadDay, CallDay, AppointmentDay)
SYSTEM = Actor.system()
# Days around both daylight-saving changes of 2025 in New York and Europe.
DAYS = [dt.date(2025, 3, 8), dt.date(2025, 3, 9), dt.date(2025, 3, 10), dt.date(2025, 3, 30),
        dt.date(2025, 11, 1), dt.date(2025, 11, 2), dt.date(2025, 11, 3)]


def snapshot():
    """Every rollup row of every gym, without its surrogate id."""
    return {model.__name__: sorted(tuple(row) for row in model.objects.values_list(
        *[f.attname for f in model._meta.concrete_fields if f.attname != "id"])) for model in ROLLUPS}


def rebuilt():
    rollups.rebuild()
    return snapshot()


def _moment(rng, tz):
    day = rng.choice(DAYS)
    minutes = rng.choice([0, 30, 90, 150, 23 * 60 + 30, 23 * 60 + 59, rng.randrange(24 * 60)])
    return (dt.datetime.combine(day, dt.time.min, tzinfo=tz) + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def random_gym(rng, tz_name):
    gym = GymFactory(timezone=tz_name)
    tz = ZoneInfo(tz_name)
    branches = [BranchFactory(gym=gym), BranchFactory(gym=gym), None]
    campaigns = [CampaignFactory(gym=gym), None]
    for _ in range(25):
        branch = rng.choice(branches)
        created = _moment(rng, tz)
        lead = lead_at(created, gym=gym, branch=branch, source=rng.choice(LeadSource.values),
                       status=rng.choice(LeadStatus.values),
                       first_called_at=rng.choice([None, created + dt.timedelta(minutes=rng.randrange(600))]))
        for _ in range(rng.randrange(3)):
            CallFactory(gym=gym, lead=lead, branch=branch, campaign=rng.choice(campaigns),
                        start_time=rng.choice([None, _moment(rng, tz)]), direction=rng.choice(CallDirection.values),
                        status=rng.choice(CallStatus.values), outcome=rng.choice([None, *CallOutcome.values]),
                        sentiment=rng.choice([None, *Sentiment.values]),
                        duration=rng.choice([None, rng.randrange(1, 900)]))
        if branch is not None and rng.random() < 0.6:
            AppointmentFactory(gym=gym, lead=lead, branch=branch, date=_moment(rng, tz),
                               type=rng.choice(AppointmentType.values), status=rng.choice(AppointmentStatus.values),
                               confirmation_called_at=rng.choice([None, created]),
                               caller_confirmed_at=rng.choice([None, created]))
    return gym


def churn(rng, gym):
    """Updates, status changes and deletes through the services, bulk updates and cascades."""
    leads = list(Lead.all_gyms.filter(gym=gym).order_by("id"))
    for lead in rng.sample(leads, 6):
        lead_services.lead_set_status(lead=lead, status=rng.choice(LeadStatus.values), actor=SYSTEM)
    calls = list(Call.all_gyms.filter(gym=gym).order_by("id"))
    for call in rng.sample(calls, min(4, len(calls))):
        call_services.call_update(call=call, actor=SYSTEM, status=CallStatus.COMPLETED, duration=rng.randrange(900),
                                  outcome=rng.choice(CallOutcome.values))
    for call in rng.sample(calls, min(2, len(calls))):
        if Call.all_gyms.filter(pk=call.pk).exists():
            call_services.call_delete(call=call, actor=SYSTEM)
    Call.all_gyms.filter(gym=gym, status=CallStatus.QUEUED).update(start_time=_moment(rng, gym.tzinfo))
    Appointment.all_gyms.filter(gym=gym, status=AppointmentStatus.SCHEDULED).update(status=AppointmentStatus.NO_SHOW)
    # The show-rate ladder's columns: a rebooked no-show (the link cleared again when its lead goes),
    # a confirmation call placed and confirmed later.
    appointments = list(Appointment.all_gyms.filter(gym=gym).order_by("id"))
    for appointment in rng.sample(appointments, min(4, len(appointments))):
        Appointment.all_gyms.filter(pk=appointment.pk).update(
            rebooked_as=rng.choice(appointments), confirmation_called_at=_moment(rng, gym.tzinfo),
            caller_confirmed_at=rng.choice([None, _moment(rng, gym.tzinfo)]))
    Lead.all_gyms.filter(gym=gym, source=LeadSource.OTHER).update(created_at=_moment(rng, gym.tzinfo))
    for lead in rng.sample(leads, 3):  # with its calls and appointments (a cascade)
        lead_services.lead_delete(lead=lead, actor=SYSTEM)


def answers(client, settings, use_rollups, branch=None):
    settings.ANALYTICS_ROLLUPS = use_rollups
    found = []
    for start, end in (("2025-03-08", "2025-03-10"), ("2025-03-01", "2025-11-30"), ("2025-11-02", "2025-11-02")):
        for endpoint in ("overview", "leads", "calls", "appointments"):
            for granularity in ("day", "week", "month"):
                params = {"start_date": start, "end_date": end, "granularity": granularity}
                if branch is not None:
                    params["branch_id"] = branch.pk
                response = client.get(f"/api/analytics/{endpoint}", params)
                assert response.status_code == 200
                found.append(response.json())
    return found


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_triggers_keep_the_rollups_equal_to_a_rebuild(seed, db):
    rng = random.Random(seed)
    gyms = [random_gym(rng, tz) for tz in ("America/New_York", "Europe/Berlin", "UTC")]
    assert snapshot()["LeadDay"], "no rollup rows were written"
    assert snapshot() == rebuilt()
    for gym in gyms:
        churn(rng, gym)
    after = snapshot()
    assert after == rebuilt()
    Gym.objects.filter(pk=gyms[1].pk).delete()  # everything of a gym, cascaded
    assert not any(row[0] == gyms[1].pk for rows in snapshot().values() for row in rows)


@pytest.mark.parametrize("seed", [21, 22])
def test_every_endpoint_answers_the_same_from_rollups_and_rows(seed, api_client, settings, db):
    from tenants.models import Branch, Role
    from tenants.tests.factories import UserFactory

    rng = random.Random(seed)
    gym = random_gym(rng, "America/New_York")
    random_gym(rng, "America/New_York")  # a neighbour
    churn(rng, gym)
    client = api_client(UserFactory(gym=gym, role=Role.AGENT))
    assert answers(client, settings, True) == answers(client, settings, False)
    branch = Branch.all_gyms.filter(gym=gym).first()
    assert answers(client, settings, True, branch) == answers(client, settings, False, branch)


def test_changing_the_gyms_timezone_moves_its_days(admin_client, gym, branch, other_gym):
    lead_at(dt.datetime(2026, 3, 8, 2, 30, tzinfo=dt.UTC), gym=gym, branch=branch)  # 21:30 on the 7th in New York
    lead_at(dt.datetime(2026, 3, 8, 2, 30, tzinfo=dt.UTC), gym=other_gym)
    params = {"start_date": "2026-03-07", "end_date": "2026-03-08"}
    assert [row["new"] for row in admin_client.get("/api/analytics/leads", params).json()["series"]] == [1, 0]
    response = admin_client.patch("/api/settings/gym", {"timezone": "Europe/Berlin"}, format="json")
    assert response.status_code == 200
    assert [row["new"] for row in admin_client.get("/api/analytics/leads", params).json()["series"]] == [0, 1]
    assert LeadDay.objects.get(gym_id=gym.pk, dimension="all").day == dt.date(2026, 3, 8)
    assert LeadDay.objects.get(gym_id=other_gym.pk, dimension="all").day == dt.date(2026, 3, 7)  # untouched


def test_rebuild_analytics_recounts_a_gym_from_its_rows(gym, branch, other_gym):
    lead_at(dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC), gym=gym, branch=branch)
    lead_at(dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC), gym=other_gym)
    expected = snapshot()
    LeadDay.objects.update(total=99)  # drifted, say after a load with the triggers off
    out = StringIO()
    call_command("rebuild_analytics", "--gym", str(gym.pk), stdout=out)
    assert LeadDay.objects.get(gym_id=gym.pk, dimension="all").total == 1
    assert LeadDay.objects.get(gym_id=other_gym.pk, dimension="all").total == 99
    call_command("rebuild_analytics", stdout=out)
    assert snapshot() == expected
    assert "Rebuilt" in out.getvalue()
