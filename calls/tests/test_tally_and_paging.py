"""The call tally stays exact whatever writes the calls, and the list's totals and pages agree with
a plain COUNT(*) and ORDER BY whatever path the paginator takes."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Coalesce

from calls import pagination, services, tally
from calls.models import Call, CallTally
from leads.activity import Actor
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .factories import CallFactory, CampaignFactory

pytestmark = pytest.mark.django_db

LIST = "/api/calls"
NIL = "00000000-0000-0000-0000-000000000000"


def truth(gym):
    """The tally as it should be, from the calls themselves."""
    rows = (Call.all_gyms.filter(gym=gym)
            .values("branch_id", "campaign_id", "direction", "status", "outcome", "sentiment")
            .annotate(n=Count("pk")))
    return {(str(r["branch_id"] or NIL), str(r["campaign_id"] or NIL), r["direction"], r["status"],
             r["outcome"] or "", r["sentiment"] or ""): r["n"] for r in rows}


def tallied(gym):
    rows = CallTally.objects.filter(gym_id=gym.pk)
    return {(str(r.branch_key), str(r.campaign_key), r.direction, r.status, r.outcome, r.sentiment): r.calls
            for r in rows}


def test_tally_follows_every_kind_of_write(gym, other_gym, admin_user):
    actor = Actor.for_user(admin_user)
    campaign = CampaignFactory(gym=gym)
    lead = LeadFactory(gym=gym)
    queued = services.call_create(gym=gym, actor=actor, lead=lead)
    done = services.call_create(gym=gym, actor=actor, lead=lead, status="completed", outcome="no_answer",
                                campaign=campaign)
    services.call_update(call=queued, actor=actor, status="completed", sentiment="positive")
    services.call_update(call=done, actor=actor, campaign=None, branch=None, outcome="appointment_booked")
    services.call_update(call=done, actor=actor, notes="no tally change")
    CallFactory.create_batch(3, gym=gym, status="voicemail")
    Call.all_gyms.bulk_create([Call(gym=gym, lead=lead, status="missed", direction="inbound") for _ in range(4)])
    Call.all_gyms.filter(gym=gym, status="missed").update(status="failed")
    Call.all_gyms.filter(gym=gym, status="voicemail")[:1].get().delete()
    services.call_delete(call=queued, actor=actor)
    CallFactory(gym=other_gym)
    assert tallied(gym) == truth(gym) and sum(truth(gym).values()) == Call.all_gyms.filter(gym=gym).count()
    assert tallied(other_gym) == truth(other_gym)


def test_install_recreates_a_missing_trigger_and_rebuilds(gym, db_owner):
    CallFactory.create_batch(2, gym=gym)
    with db_owner(), connection.cursor() as cursor:
        suffix = " ON calls_call" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER calls_tally_insert{suffix}")
    CallFactory(gym=gym)  # missed by the tally
    assert tallied(gym) != truth(gym)
    with db_owner():
        assert tally.install() is True
    assert tallied(gym) == truth(gym)
    CallFactory(gym=gym)
    assert tallied(gym) == truth(gym)
    with db_owner():
        assert tally.install() is False  # nothing to do


def test_deleting_a_gym_leaves_no_tally_behind(gym, other_gym):
    CallFactory.create_batch(2, gym=gym, campaign=CampaignFactory(gym=gym))
    CallFactory(gym=other_gym)
    gym.delete()
    assert list(CallTally.objects.values_list("gym_id", "calls")) == [(other_gym.pk, 1)]


@pytest.fixture
def spread(gym):
    """Calls over two branches, a campaign, every direction, several statuses and outcomes."""
    branches = [BranchFactory(gym=gym), BranchFactory(gym=gym)]
    campaign = CampaignFactory(gym=gym)
    statuses = ["completed", "voicemail", "queued", "failed"]
    outcomes = [None, "appointment_booked", "no_answer"]
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    calls = []
    for n, (status, outcome) in enumerate(itertools.product(statuses, outcomes)):
        for k in range(2):
            calls.append(CallFactory(
                gym=gym, lead=LeadFactory(gym=gym, branch=branches[k]), branch=branches[k], status=status,
                outcome=outcome, direction=("inbound", "outbound")[n % 2], sentiment=(None, "positive")[k],
                campaign=campaign if n % 3 == 0 else None,
                start_time=None if status == "queued" else start + dt.timedelta(hours=7 * n + k),
                scheduled_at=start + dt.timedelta(hours=9 * n + k)))
    return branches, campaign, calls


@pytest.mark.parametrize("params", [
    {}, {"status": "completed"}, {"status": "completed,queued"}, {"direction": "inbound", "outcome": "no_answer"},
    {"sentiment": "positive", "status": "failed,voicemail"}, {"branch": 0}, {"branch": 1, "campaign": True},
    {"outcome": "appointment_booked,no_answer", "direction": "outbound"},
])
def test_tallied_totals_equal_counting(agent_client, gym, spread, params):
    branches, campaign, calls = spread
    params = dict(params)
    if "branch" in params:
        params["branch_id"] = str(branches[params.pop("branch")].id)
    if params.pop("campaign", False):
        params["campaign_id"] = str(campaign.id)
    body = agent_client.get(LIST, {**params, "limit": 100}).json()
    assert body["pagination"]["total"] == len(body["data"])
    expected = Call.all_gyms.filter(gym=gym)
    for name in ("status", "direction", "outcome", "sentiment"):
        if name in params:
            expected = expected.filter(**{f"{name}__in": params[name].split(",")})
    for name in ("branch_id", "campaign_id"):
        if name in params:
            expected = expected.filter(**{name: params[name]})
    assert sorted(row["id"] for row in body["data"]) == sorted(str(pk) for pk in expected.values_list("pk", flat=True))


def plain_order(queryset, descending):
    if descending:
        return queryset.order_by(F("start_time").desc(nulls_last=True), "-id")
    return queryset.order_by(F("start_time").asc(nulls_first=True), "id")


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("window", [
    {"start_date": "2026-03-02", "end_date": "2026-03-04"},
    {"start_date": "2026-03-03"},
    {"end_date": "2026-03-02"},
])
@pytest.mark.parametrize("extra", [{}, {"status": "queued,completed"}])
def test_date_window_pages_match_a_plain_sort(agent_client, gym, spread, order, window, extra, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 3)  # far pages take the two-step path too
    tz = gym.tzinfo
    start = dt.datetime.fromisoformat(window["start_date"]).replace(tzinfo=tz) if "start_date" in window else None
    end = (dt.datetime.fromisoformat(window["end_date"]) + dt.timedelta(days=1)).replace(tzinfo=tz) \
        if "end_date" in window else None
    when = Coalesce("start_time", "scheduled_at")
    expected = Call.all_gyms.filter(gym=gym).annotate(when=when)
    if start:
        expected = expected.filter(when__gte=start)
    if end:
        expected = expected.filter(when__lt=end)
    if extra:
        expected = expected.filter(status__in=extra["status"].split(","))
    expected = [str(pk) for pk in plain_order(expected, order == "desc").values_list("pk", flat=True)]
    assert expected, "the window must hold calls"
    for limit in (2, 5):
        seen = []
        for page in range(1, len(expected) // limit + 2):
            body = agent_client.get(LIST, {**window, **extra, "sort_order": order, "limit": limit,
                                           "page": page}).json()
            assert body["pagination"]["total"] == len(expected)
            seen += [row["id"] for row in body["data"]]
        assert seen == expected
    by_duration = agent_client.get(LIST, {**window, **extra, "sort_by": "duration", "limit": 100}).json()
    assert sorted(row["id"] for row in by_duration["data"]) == sorted(expected)
    assert by_duration["pagination"]["total"] == len(expected)


def test_calls_without_branch_or_campaign_are_tallied_under_the_nil_key(gym):
    CallFactory(gym=gym, branch=None)
    row = CallTally.objects.get(gym_id=gym.pk)
    assert (str(row.branch_key), str(row.campaign_key), row.outcome, row.sentiment, row.calls) == (NIL, NIL, "", "", 1)


@pytest.mark.parametrize("params,queries", [
    ({}, 3),  # user, tally, page
    ({"status": "completed", "branch_id": 0}, 4),  # + the branch id's check
    ({"lead_id": 0}, 4),  # user, lead id check, count, page
])
def test_query_count_does_not_depend_on_page_size(agent_client, spread, params, queries, data_queries):
    branches, _, calls = spread
    params = {**params, **{name: str(calls[0].lead_id if name == "lead_id" else branches[0].id)
                           for name in params if name.endswith("_id")}}
    for limit in (1, 50):
        with data_queries(queries):
            agent_client.get(LIST, {**params, "limit": limit})


def test_a_date_window_costs_at_most_five_queries(agent_client, spread, data_queries):
    for limit in (1, 50):  # user, two counts, one page per segment the page spans
        with data_queries(5, at_most=True):
            agent_client.get(LIST, {"start_date": "2026-03-01", "limit": limit})
