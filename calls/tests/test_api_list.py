"""GET /api/calls: the envelope, every filter, every sort and a constant query count."""

import datetime as dt

import pytest

from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .factories import CallFactory, CampaignFactory

pytestmark = pytest.mark.django_db

LIST = "/api/calls"
UTC = dt.UTC


def at(day, hour=12):
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def as_ids(*calls):
    return [str(call.id) for call in calls]


class TestListShape:
    def test_envelope_and_row_shape(self, agent_client, gym):
        campaign = CampaignFactory(gym=gym, name="Spring")
        call = CallFactory(gym=gym, campaign=campaign, transcript=[{"speaker": "agent", "text": "x", "timestamp": 0}])
        body = agent_client.get(LIST).json()
        assert body["pagination"] == {"total": 1, "page": 1, "limit": 10, "pages": 1}
        row = body["data"][0]
        assert "transcript" not in row and "call_notes" not in row and "metrics" not in row
        assert row["campaign_name"] == "Spring" and row["lead"]["id"] == str(call.lead_id)

    def test_only_the_gyms_calls_are_listed(self, agent_client, gym, other_gym):
        mine = CallFactory(gym=gym)
        CallFactory(gym=other_gym)
        assert ids(agent_client.get(LIST)) == as_ids(mine)

    @pytest.mark.parametrize("rows", [1, 50])
    def test_list_costs_the_same_queries_for_any_page_size(self, agent_client, gym, rows, data_queries):
        campaign = CampaignFactory(gym=gym)
        CallFactory.create_batch(rows, gym=gym, campaign=campaign)
        for limit in (1, 50):
            with data_queries(3):  # user, count, page (lead and campaign joined)
                response = agent_client.get(LIST, {"limit": limit})
            assert len(response.json()["data"]) == min(rows, limit)

    @pytest.mark.parametrize("params", [{"page": 0}, {"limit": 101}, {"limit": "x"}])
    def test_bad_paging_is_400(self, agent_client, params):
        assert agent_client.get(LIST, params).status_code == 400


class TestSorting:
    @pytest.fixture
    def calls(self, gym):
        early = CallFactory(gym=gym, start_time=at(1), duration=300, scheduled_at=at(1, 9))
        late = CallFactory(gym=gym, start_time=at(3), duration=None, scheduled_at=None)
        unstarted = CallFactory(gym=gym, start_time=None, status="queued", duration=60, scheduled_at=at(5))
        middle = CallFactory(gym=gym, start_time=at(2), duration=30, scheduled_at=at(2, 9))
        return early, late, unstarted, middle

    def test_default_is_newest_start_first_with_unstarted_calls_last(self, agent_client, calls):
        early, late, unstarted, middle = calls
        assert ids(agent_client.get(LIST)) == as_ids(late, middle, early, unstarted)

    def test_ascending_start_time_mirrors_the_default(self, agent_client, calls):
        early, late, unstarted, middle = calls
        assert ids(agent_client.get(LIST, {"sort_by": "start_time", "sort_order": "asc"})) == as_ids(
            unstarted, early, middle, late)

    def test_duration_descending_puts_calls_without_one_last(self, agent_client, calls):
        early, late, unstarted, middle = calls
        assert ids(agent_client.get(LIST, {"sort_by": "duration", "sort_order": "desc"})) == as_ids(
            early, unstarted, middle, late)

    def test_scheduled_at_ascending(self, agent_client, calls):
        early, late, unstarted, middle = calls
        assert ids(agent_client.get(LIST, {"sort_by": "scheduled_at", "sort_order": "asc"})) == as_ids(
            late, early, middle, unstarted)

    def test_created_at_and_the_id_tiebreak(self, agent_client, calls):
        newest_first = ids(agent_client.get(LIST, {"sort_by": "created_at", "sort_order": "desc"}))
        assert newest_first == list(reversed(ids(agent_client.get(LIST, {"sort_by": "created_at", "sort_order": "asc"}))))
        assert newest_first == as_ids(*reversed(calls))

    def test_equal_start_times_page_without_repeats(self, agent_client, gym):
        made = CallFactory.create_batch(7, gym=gym, start_time=at(1))
        seen = [row for page in (1, 2, 3) for row in ids(agent_client.get(LIST, {"limit": 3, "page": page}))]
        assert sorted(seen) == sorted(as_ids(*made)) and len(seen) == 7

    @pytest.mark.parametrize("params", [{"sort_by": "lead"}, {"sort_by": "start_time", "sort_order": "up"}])
    def test_bad_sort_is_400(self, agent_client, params):
        assert agent_client.get(LIST, params).status_code == 400


class TestFilters:
    def test_lead_campaign_and_branch(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        campaign = CampaignFactory(gym=gym)
        branch = BranchFactory(gym=gym)
        of_lead = CallFactory(gym=gym, lead=lead)
        of_campaign = CallFactory(gym=gym, campaign=campaign)
        of_branch = CallFactory(gym=gym, branch=branch)
        assert ids(agent_client.get(LIST, {"lead_id": str(lead.id)})) == as_ids(of_lead)
        assert ids(agent_client.get(LIST, {"campaign_id": str(campaign.id)})) == as_ids(of_campaign)
        assert ids(agent_client.get(LIST, {"branch_id": str(branch.id)})) == as_ids(of_branch)

    @pytest.mark.parametrize("name,values", [
        ("direction", ("inbound", "outbound")),
        ("status", ("completed", "voicemail")),
        ("outcome", ("appointment_booked", "no_answer")),
        ("sentiment", ("positive", "negative")),
    ])
    def test_enum_filters_take_one_or_several_values(self, agent_client, gym, name, values):
        first = CallFactory(gym=gym, **{name: values[0]})
        second = CallFactory(gym=gym, **{name: values[1]})
        assert ids(agent_client.get(LIST, {name: values[0]})) == as_ids(first)
        assert set(ids(agent_client.get(LIST, {name: ",".join(values)}))) == set(as_ids(first, second))
        response = agent_client.get(LIST, {name: "bogus"})
        assert response.status_code == 400 and name in response.json()

    def test_date_range_uses_start_time_else_scheduled_at_in_local_days(self, agent_client, gym):
        # The gym is in America/New_York: 2026-03-02 local is 05:00Z on the 2nd to 05:00Z on the 3rd.
        started = CallFactory(gym=gym, start_time=dt.datetime(2026, 3, 2, 5, 30, tzinfo=UTC), scheduled_at=at(9))
        scheduled = CallFactory(gym=gym, start_time=None, status="queued", scheduled_at=dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC))
        CallFactory(gym=gym, start_time=dt.datetime(2026, 3, 2, 4, 59, tzinfo=UTC))  # 1st, local
        CallFactory(gym=gym, start_time=None, scheduled_at=None, status="queued")
        CallFactory(gym=gym, start_time=at(4), scheduled_at=at(2))  # started outside the range
        response = agent_client.get(LIST, {"start_date": "2026-03-02", "end_date": "2026-03-02"})
        assert set(ids(response)) == set(as_ids(started, scheduled))
        response = agent_client.get(LIST, {"start_date": "2026-03-02T00:30:00-05:00"})
        assert set(ids(response)) >= set(as_ids(started, scheduled))

    @pytest.mark.parametrize("params", [
        {"start_date": "2026-13-01"}, {"start_date": "2026-03-05", "end_date": "2026-03-01"}])
    def test_bad_dates_are_400(self, agent_client, params):
        assert agent_client.get(LIST, params).status_code == 400

    @pytest.mark.parametrize("name", ["lead_id", "campaign_id", "branch_id"])
    def test_unknown_and_foreign_ids_in_filters_are_the_same_400(self, agent_client, other_gym, name):
        foreign = {"lead_id": LeadFactory, "campaign_id": CampaignFactory, "branch_id": BranchFactory}[name](gym=other_gym)
        answer = agent_client.get(LIST, {name: str(foreign.id)})
        missing = agent_client.get(LIST, {name: "00000000-0000-4000-8000-000000000000"})
        assert answer.status_code == 400 and answer.json() == missing.json()
