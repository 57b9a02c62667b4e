"""Parameters, validation and roles of /api/analytics/*."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tenants.tests.factories import BranchFactory

ENDPOINTS = ["overview", "leads", "calls", "appointments"]
SERIES_ENDPOINTS = ["leads", "calls", "appointments"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role_client", ["admin_client", "manager_client", "agent_client"])
def test_every_role_may_read_analytics(endpoint, role_client, request):
    client = request.getfixturevalue(role_client)
    assert client.get(f"/api/analytics/{endpoint}/").status_code == 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_analytics_need_a_token(endpoint, api_client, gym):
    response = api_client().get(f"/api/analytics/{endpoint}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_default_period_is_the_last_30_local_days_ending_today(admin_client, gym):
    today = timezone.localdate(timezone=gym.tzinfo)
    body = admin_client.get("/api/analytics/leads").json()
    first = today - dt.timedelta(days=29)
    assert body["period"]["start"] == dt.datetime.combine(first, dt.time.min, tzinfo=gym.tzinfo).isoformat()
    assert body["period"]["end"] == dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min,
                                                        tzinfo=gym.tzinfo).isoformat()
    assert [row["date"] for row in body["series"]] == [str(first + dt.timedelta(days=n)) for n in range(30)]


def test_end_date_alone_ends_a_30_day_period(admin_client):
    body = admin_client.get("/api/analytics/calls", {"end_date": "2026-03-31"}).json()
    assert (body["series"][0]["date"], body["series"][-1]["date"], len(body["series"])) == ("2026-03-02", "2026-03-31", 30)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_end_date_before_start_date_is_a_400(endpoint, admin_client):
    response = admin_client.get(f"/api/analytics/{endpoint}", {"start_date": "2026-03-10", "end_date": "2026-03-09"})
    assert response.status_code == 400
    assert response.json() == {"end_date": ["end_date must not be before start_date."]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_window_over_731_days_is_a_400_and_731_days_are_fine(endpoint, admin_client):
    too_long = admin_client.get(f"/api/analytics/{endpoint}", {"start_date": "2024-01-01", "end_date": "2026-01-01"})
    assert too_long.status_code == 400
    assert too_long.json() == {"end_date": ["The period spans 732 days; at most 731 are allowed."]}
    longest = admin_client.get(f"/api/analytics/{endpoint}", {"start_date": "2024-01-01", "end_date": "2025-12-31"})
    assert longest.status_code == 200


def test_a_long_window_from_start_date_alone_names_start_date(admin_client):
    response = admin_client.get("/api/analytics/overview", {"start_date": "2020-01-01"})
    assert response.status_code == 400 and list(response.json()) == ["start_date"]


@pytest.mark.parametrize("endpoint", SERIES_ENDPOINTS)
def test_an_unknown_granularity_is_a_400(endpoint, admin_client):
    response = admin_client.get(f"/api/analytics/{endpoint}", {"granularity": "hour"})
    assert response.status_code == 400
    assert response.json() == {"granularity": ['"hour" is not a valid choice.']}


@pytest.mark.parametrize("value", ["yesterday", "2026-02-30", "2026-03-01T25:00", "1900-01-01", "9999-12-31"])
def test_an_invalid_date_is_a_400_naming_the_field(value, admin_client):
    response = admin_client.get("/api/analytics/leads", {"start_date": value, "end_date": "2026-03-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]


def test_another_gyms_branch_is_rejected_like_an_unknown_id(admin_client, other_gym):
    foreign = BranchFactory(gym=other_gym)
    answers = [admin_client.get("/api/analytics/overview", {"branch_id": value})
               for value in (str(foreign.pk), str(uuid.uuid4()), "not-a-uuid")]
    assert {response.status_code for response in answers} == {400}
    assert {response.content for response in answers} == {b'{"branch_id":["No such object: the id is unknown."]}'}


def test_routes_answer_without_and_with_the_trailing_slash(admin_client):
    assert admin_client.get("/api/analytics/calls").status_code == 200
    assert admin_client.get("/api/analytics/calls/").status_code == 200
