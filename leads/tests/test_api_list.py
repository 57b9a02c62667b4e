"""The lead list: every filter, search, sorting, the branch route, the call queue, query budgets."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, LeadTag
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

LIST = "/api/leads"


def names(response):
    assert response.status_code == 200, response.content
    return [row["first_name"] for row in response.json()["data"]]


def at(days_ago, hour=12):
    return timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)


def backdate(lead, when):
    Lead.all_gyms.filter(pk=lead.pk).update(created_at=when)


@pytest.fixture
def people(gym, branch):
    """Four leads created a day apart, newest first: Dana, Carl, Bea, Abe."""
    rows = {}
    for days_ago, (first, last, phone, email, status, source) in enumerate([
        ("Dana", "Jones", "+12125550101", "dana@example.com", "new", "website"),
        ("Carl", "Doe", "+12125550102", "carl@example.com", "contacted", "referral"),
        ("Bea", "Smith", "+13105550103", "bea.smith@example.org", "lost", "walk_in"),
        ("Abe", "Jane", "+12125550104", "", "new", "social"),
    ]):
        lead = LeadFactory(gym=gym, branch=branch, first_name=first, last_name=last, phone=phone, email=email,
                           status=status, source=source)
        backdate(lead, at(days_ago))
        rows[first] = lead
    return rows


class TestEnvelopeAndSort:
    def test_default_is_newest_first_in_the_envelope(self, agent_client, people):
        response = agent_client.get(LIST)
        assert names(response) == ["Dana", "Carl", "Bea", "Abe"]
        assert response.json()["pagination"] == {"total": 4, "page": 1, "limit": 10, "pages": 1}

    @pytest.mark.parametrize("sort_by,order,expected", [
        ("first_name", "asc", ["Abe", "Bea", "Carl", "Dana"]),
        ("last_name", "desc", ["Bea", "Dana", "Abe", "Carl"]),
        ("created_at", "asc", ["Abe", "Bea", "Carl", "Dana"]),
        ("status", "asc", ["Carl", "Bea"]),  # contacted, lost, then the two new ones
    ])
    def test_sorting(self, agent_client, people, sort_by, order, expected):
        got = names(agent_client.get(LIST, {"sort_by": sort_by, "sort_order": order}))
        assert got[:len(expected)] == expected

    def test_score_and_last_called_sort_empty_values_last_both_ways(self, agent_client, people):
        Lead.all_gyms.filter(pk=people["Bea"].pk).update(score=0.9, last_called=at(1))
        Lead.all_gyms.filter(pk=people["Carl"].pk).update(score=0.2, last_called=at(3))
        for field in ("score", "last_called"):
            assert names(agent_client.get(LIST, {"sort_by": field, "sort_order": "desc"}))[:2] == ["Bea", "Carl"]
            assert names(agent_client.get(LIST, {"sort_by": field, "sort_order": "asc"}))[:2] == ["Carl", "Bea"]

    def test_updated_at_sort(self, agent_client, agent_user, people):
        agent_client.patch(f"/api/leads/{people['Abe'].id}", {"notes": "touched"}, format="json")
        assert names(agent_client.get(LIST, {"sort_by": "updated_at", "sort_order": "desc"}))[0] == "Abe"

    def test_unknown_sort_field_is_400(self, agent_client, people):
        response = agent_client.get(LIST, {"sort_by": "phone"})
        assert response.status_code == 400 and "sort_by" in response.json()

    def test_pages_do_not_repeat_rows_when_created_at_ties(self, agent_client, gym, branch):
        moment = at(1)
        for n in range(7):
            backdate(LeadFactory(gym=gym, branch=branch, first_name=f"Twin{n}"), moment)
        seen = []
        for page in (1, 2, 3, 4):
            seen += names(agent_client.get(LIST, {"limit": 2, "page": page}))
        assert sorted(seen) == [f"Twin{n}" for n in range(7)]


class TestFilters:
    def test_status_one_or_several(self, agent_client, people):
        assert names(agent_client.get(LIST, {"status": "new"})) == ["Dana", "Abe"]
        assert names(agent_client.get(LIST, {"status": "new,lost"})) == ["Dana", "Bea", "Abe"]

    def test_unknown_status_is_400(self, agent_client, people):
        response = agent_client.get(LIST, {"status": "new,hot"})
        assert response.status_code == 400 and "status" in response.json()

    def test_source(self, agent_client, people):
        assert names(agent_client.get(LIST, {"source": "walk_in"})) == ["Bea"]
        assert agent_client.get(LIST, {"source": "Walk In"}).status_code == 400

    def test_branch_and_assignee(self, agent_client, gym, people, agent_user):
        uptown = BranchFactory(gym=gym)
        Lead.all_gyms.filter(pk=people["Carl"].pk).update(branch=uptown, assigned_to=agent_user)
        assert names(agent_client.get(LIST, {"branch_id": str(uptown.id)})) == ["Carl"]
        assert names(agent_client.get(LIST, {"assigned_to": str(agent_user.id)})) == ["Carl"]

    def test_tag(self, agent_client, gym, people):
        vip = TagFactory(gym=gym)
        LeadTag.objects.for_gym(gym).create(gym=gym, lead=people["Bea"], tag=vip)
        LeadTag.objects.for_gym(gym).create(gym=gym, lead=people["Bea"], tag=TagFactory(gym=gym))
        response = agent_client.get(LIST, {"tag": str(vip.id)})
        assert names(response) == ["Bea"] and response.json()["pagination"]["total"] == 1

    def test_created_date_range_in_the_gyms_days(self, agent_client, gym, people):
        local = timezone.localtime(at(2), gym.tzinfo).date()
        assert names(agent_client.get(LIST, {"start_date": local.isoformat(), "end_date": local.isoformat()})) == ["Bea"]
        assert names(agent_client.get(LIST, {"start_date": local.isoformat()})) == ["Dana", "Carl", "Bea"]

    @pytest.mark.parametrize("query", [{"start_date": "yesterday"}, {"start_date": "2026-03-10", "end_date": "2026-03-01"}])
    def test_bad_dates_are_400(self, agent_client, people, query):
        response = agent_client.get(LIST, query)
        assert response.status_code == 400 and set(response.json()) & {"start_date", "end_date"}

    @pytest.mark.parametrize("param", ["branch_id", "assigned_to", "tag"])
    def test_ids_of_another_gym_are_refused_like_unknown_ones(self, agent_client, other_gym, people, param):
        branch = BranchFactory(gym=other_gym)
        foreign = {"branch_id": branch, "assigned_to": UserFactory(gym=other_gym, branch=branch),
                   "tag": TagFactory(gym=other_gym)}[param]
        refused = agent_client.get(LIST, {param: str(foreign.id)})
        unknown = agent_client.get(LIST, {param: str(uuid.uuid4())})
        assert refused.status_code == unknown.status_code == 400
        assert refused.json() == unknown.json()


class TestSearch:
    @pytest.mark.parametrize("query,expected", [
        ("Jane Doe", ["Jane"]),
        ("jane doe", ["Jane"]),
        ("Doe Jane", ["Jane"]),
        ("JANE", ["Jane", "Abe"]),  # Abe Jane
        ("jane.doe@exa", ["Jane"]),
        ("555 0123", ["Jane"]),
        ("5550123", ["Jane"]),
        ("+1 (212) 555-0123", ["Jane"]),
        ("(212) 555-0123", ["Jane"]),
        ("example.org", ["Bea"]),
        ("nobody", []),
    ])
    def test_search_by_name_email_and_phone_digits(self, agent_client, gym, branch, people, query, expected):
        LeadFactory(gym=gym, branch=branch, first_name="Jane", last_name="Doe", phone="+12125550123",
                    email="jane.doe@example.com")
        assert names(agent_client.get(LIST, {"search": query})) == expected

    def test_search_finds_a_national_number_written_with_its_trunk_prefix(self, agent_client, gym, branch):
        gym.country = "GB"
        gym.save()
        LeadFactory(gym=gym, branch=branch, first_name="Olly", phone="+442079460958")
        assert names(agent_client.get(LIST, {"search": "020 7946 0958"})) == ["Olly"]

    def test_search_combines_with_filters(self, agent_client, people):
        assert names(agent_client.get(LIST, {"search": "example.com", "status": "contacted"})) == ["Carl"]

    def test_search_is_case_insensitive_beyond_ascii(self, agent_client, gym, branch):
        LeadFactory(gym=gym, branch=branch, first_name="Zoë", last_name="Müller", phone="+12125550999")
        assert names(agent_client.get(LIST, {"search": "müller"})) == ["Zoë"]


class TestBranchRoute:
    def test_lists_one_branch_with_the_same_filters(self, agent_client, gym, people):
        uptown = BranchFactory(gym=gym, name="Uptown")
        LeadFactory(gym=gym, branch=uptown, first_name="Uma", status="new")
        LeadFactory(gym=gym, branch=uptown, first_name="Ugo", status="lost")
        response = agent_client.get(f"/api/leads/branch/{uptown.id}", {"status": "new"})
        assert names(response) == ["Uma"]
        assert response.json()["data"][0]["branch_name"] == "Uptown"

    def test_another_gyms_or_unknown_branch_is_404(self, agent_client, other_gym):
        foreign = BranchFactory(gym=other_gym)
        assert agent_client.get(f"/api/leads/branch/{foreign.id}").status_code == 404
        assert agent_client.get(f"/api/leads/branch/{uuid.uuid4()}").status_code == 404
        assert agent_client.get("/api/leads/branch/not-an-id").status_code == 404


def queries(client, path, query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, query).status_code == 200
    return len(captured.captured_queries)


class TestQueryBudget:
    @pytest.fixture
    def sixty(self, gym, branch, agent_user):
        tags = [TagFactory(gym=gym) for _ in range(3)]
        for n in range(60):
            lead = LeadFactory(gym=gym, branch=BranchFactory(gym=gym) if n % 2 else branch, assigned_to=agent_user)
            LeadTag.objects.for_gym(gym).bulk_create([LeadTag(gym=gym, lead=lead, tag=tag) for tag in tags[: n % 4]])

    def test_list_costs_the_same_queries_at_limit_1_and_100(self, agent_client, sixty, data_queries):
        with data_queries(4):  # the user (token check), count, page, tags
            assert len(agent_client.get(LIST, {"limit": 1}).json()["data"]) == 1
        with data_queries(4):
            body = agent_client.get(LIST, {"limit": 100}).json()
        assert len(body["data"]) == 60 and all(row["branch_name"] for row in body["data"])

    def test_filtered_and_searched_lists_are_constant_too(self, agent_client, sixty, gym, branch):
        tag = TagFactory(gym=gym)
        query = {"status": "new,contacted", "search": "example", "tag": str(tag.id), "sort_by": "score"}
        assert queries(agent_client, LIST, {**query, "limit": 1}) == queries(agent_client, LIST, {**query, "limit": 100})

    def test_branch_route_and_call_queue_are_constant(self, agent_client, sixty, branch):
        path = f"/api/leads/branch/{branch.id}"
        assert queries(agent_client, path, {"limit": 1}) == queries(agent_client, path, {"limit": 100})
        queue = "/api/leads/prioritized"
        assert queries(agent_client, queue, {"count": 1}) == queries(agent_client, queue, {"count": 50})


class TestPrioritized:
    def test_never_called_oldest_first_then_longest_since_last_call(self, agent_client, gym, branch):
        def lead(name, created_days_ago, called_days_ago=None, **fields):
            row = LeadFactory(gym=gym, branch=branch, first_name=name, **fields)
            Lead.all_gyms.filter(pk=row.pk).update(
                created_at=at(created_days_ago),
                last_called=at(called_days_ago) if called_days_ago is not None else None)
            return row

        lead("Fresh", 1)
        lead("Old", 9)
        lead("CalledLongAgo", 20, called_days_ago=8)
        lead("CalledYesterday", 30, called_days_ago=1)
        lead("DoNotCall", 40, do_not_call=True)
        lead("Converted", 40, status="converted")
        lead("Lost", 40, status="lost")
        lead("Qualified", 5, status="qualified")
        response = agent_client.get("/api/leads/prioritized")
        assert response.status_code == 200
        body = response.json()
        assert isinstance(body, list)
        assert [row["first_name"] for row in body] == ["Old", "Qualified", "Fresh", "CalledLongAgo", "CalledYesterday"]
        assert set(body[0]) >= {"id", "phone", "branch_name", "tags", "call_count"}
        two = agent_client.get("/api/leads/prioritized", {"count": 2}).json()
        assert [row["first_name"] for row in two] == ["Old", "Qualified"]

    def test_exclude_leads(self, agent_client, gym, branch):
        first, second, third = (LeadFactory(gym=gym, branch=branch) for _ in range(3))
        response = agent_client.get("/api/leads/prioritized", {"exclude_leads": f"{first.id}, {third.id}"})
        assert [row["id"] for row in response.json()] == [str(second.id)]

    def test_default_count_is_10(self, agent_client, gym, branch):
        for _ in range(12):
            LeadFactory(gym=gym, branch=branch)
        assert len(agent_client.get("/api/leads/prioritized").json()) == 10

    @pytest.mark.parametrize("query,field", [
        ({"count": 0}, "count"), ({"count": 51}, "count"), ({"count": "ten"}, "count"),
        ({"exclude_leads": "abc"}, "exclude_leads"), ({"exclude_leads": "1,2"}, "exclude_leads"),
    ])
    def test_bad_parameters_are_400(self, agent_client, query, field):
        response = agent_client.get("/api/leads/prioritized", query)
        assert response.status_code == 400 and field in response.json()

    def test_excluding_another_gyms_lead_is_refused_like_an_unknown_one(self, agent_client, gym, other_gym):
        LeadFactory(gym=gym)
        foreign = agent_client.get("/api/leads/prioritized", {"exclude_leads": str(LeadFactory(gym=other_gym).id)})
        unknown = agent_client.get("/api/leads/prioritized", {"exclude_leads": str(uuid.uuid4())})
        assert foreign.status_code == unknown.status_code == 400
        assert foreign.json() == unknown.json()


def test_descending_sorts_of_not_null_columns_can_use_a_plain_index():
    """NULLS LAST only where a column can be empty: PostgreSQL then reads ``created_at DESC, id
    DESC`` straight from the (gym, -created_at, -id) index instead of sorting the gym's leads."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from leads.views import LeadViewSet
    from reps_dashboard.api.ordering import SortByFilter

    def order_sql(query):
        request = Request(APIRequestFactory().get("/api/leads", query))
        ordered = SortByFilter().filter_queryset(request, Lead.all_gyms.all(), LeadViewSet())
        return str(ordered.query).split("ORDER BY")[1]

    assert "NULLS" not in order_sql({})
    assert "NULLS" not in order_sql({"sort_by": "updated_at", "sort_order": "desc"})
    assert "NULLS LAST" in order_sql({"sort_by": "last_called", "sort_order": "desc"})
    assert "NULLS LAST" in order_sql({"sort_by": "score", "sort_order": "asc"})
