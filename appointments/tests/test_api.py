import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import Appointment
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, UserFactory

from .conftest import LIST, detail, local_day
from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db

LIST_FIELDS = {"id", "lead_id", "lead", "branch_id", "branch_name", "staff_id", "type", "date", "duration",
               "end_time", "status", "notes", "rescheduled_from", "created_at"}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def days_from_now(days, hour=10):
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def three(gym, branch, lead, coach):
    """Three appointments: a past completed one, a confirmed one with the coach, a canceled one."""
    return [
        AppointmentFactory(gym=gym, lead=lead, branch=branch, date=days_from_now(-2), status="completed"),
        AppointmentFactory(gym=gym, lead=lead, branch=branch, date=days_from_now(3), status="confirmed", staff=coach,
                           type="consultation"),
        AppointmentFactory(gym=gym, lead=lead, branch=branch, date=days_from_now(1), status="canceled"),
    ]


class TestList:
    def test_envelope_shape_and_default_order_by_date(self, agent_client, three):
        response = agent_client.get(LIST)
        body = response.json()
        assert body["pagination"] == {"total": 3, "page": 1, "limit": 10, "pages": 1}
        assert set(body["data"][0]) == LIST_FIELDS
        assert ids(response) == [str(three[0].id), str(three[2].id), str(three[1].id)]

    def test_trailing_slash_and_pages(self, agent_client, three):
        assert ids(agent_client.get(LIST + "/", {"limit": 2, "page": 2})) == [str(three[1].id)]
        assert agent_client.get(LIST, {"page": 9}).json()["data"] == []
        assert agent_client.get(LIST, {"limit": 101}).status_code == 400

    @pytest.mark.parametrize("sort_by,order,expected", [
        ("date", "desc", [1, 2, 0]),
        ("status", "asc", [2, 0, 1]),
        ("created_at", "asc", [0, 1, 2]),
    ])
    def test_sorting(self, agent_client, three, sort_by, order, expected):
        response = agent_client.get(LIST, {"sort_by": sort_by, "sort_order": order})
        assert ids(response) == [str(three[i].id) for i in expected]

    def test_descending_sort_leaves_the_null_order_to_the_index(self, agent_client, three):
        # NULLS LAST on a descending sort would keep PostgreSQL from reading the (gym, ..., id)
        # indexes backwards (a full sort at 200,000 rows); the sort keys are never null.
        with CaptureQueriesContext(connection) as captured:
            agent_client.get(LIST, {"sort_by": "created_at", "sort_order": "desc"})
        page = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "appointments_'))
        assert '"created_at" DESC' in page and "NULLS" not in page

    def test_unknown_sort_field_is_400(self, agent_client):
        assert agent_client.get(LIST, {"sort_by": "duration"}).status_code == 400

    def test_filters(self, agent_client, gym, three, coach, other_lead):
        other = AppointmentFactory(gym=gym, lead=other_lead, branch=BranchFactory(gym=gym), type="training",
                                   date=days_from_now(5))
        assert ids(agent_client.get(LIST, {"status": "confirmed,canceled"})) == [str(three[2].id), str(three[1].id)]
        assert ids(agent_client.get(LIST, {"type": "training"})) == [str(other.id)]
        assert ids(agent_client.get(LIST, {"staff_id": str(coach.id)})) == [str(three[1].id)]
        assert ids(agent_client.get(LIST, {"lead_id": str(other_lead.id)})) == [str(other.id)]
        assert ids(agent_client.get(LIST, {"branch_id": str(other.branch_id)})) == [str(other.id)]
        day = timezone.localtime(three[1].date, gym.tzinfo).date().isoformat()
        assert ids(agent_client.get(LIST, {"start_date": day, "end_date": day})) == [str(three[1].id)]

    @pytest.mark.parametrize("query", [{"status": "pending"}, {"type": "yoga"}, {"staff_id": "nope"},
                                       {"lead_id": "00000000-0000-4000-8000-000000000000"},
                                       {"start_date": "2026-02-30"},
                                       {"start_date": "2026-03-02", "end_date": "2026-03-01"}])
    def test_bad_filters_are_400(self, agent_client, query):
        response = agent_client.get(LIST, query)
        assert response.status_code == 400 and set(query) & set(response.json())

    def test_other_gyms_rows_are_not_listed(self, agent_client, other_gym, three):
        AppointmentFactory(gym=other_gym)
        assert agent_client.get(LIST).json()["pagination"]["total"] == 3


class TestBranchAndUpcoming:
    def test_branch_list(self, agent_client, gym, three, lead):
        elsewhere = BranchFactory(gym=gym)
        theirs = AppointmentFactory(gym=gym, lead=lead, branch=elsewhere, date=days_from_now(6))
        assert ids(agent_client.get(f"{LIST}/branch/{elsewhere.id}")) == [str(theirs.id)]
        assert len(ids(agent_client.get(f"{LIST}/branch/{three[0].branch_id}/", {"status": "completed"}))) == 1

    def test_branch_of_another_gym_or_malformed_is_404(self, agent_client, other_gym):
        assert agent_client.get(f"{LIST}/branch/{BranchFactory(gym=other_gym).id}").status_code == 404
        assert agent_client.get(f"{LIST}/branch/not-a-uuid").status_code == 404

    def test_upcoming_is_active_and_future_only(self, agent_client, gym, three, lead):
        later = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=days_from_now(9))
        assert ids(agent_client.get(f"{LIST}/upcoming")) == [str(three[1].id), str(later.id)]
        assert ids(agent_client.get(f"{LIST}/upcoming", {"sort_order": "desc"})) == [str(later.id), str(three[1].id)]


class TestDetailUpdateDelete:
    def test_detail(self, agent_client, gym, lead, manager_user):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, created_by=manager_user)
        body = agent_client.get(detail(appointment.id)).json()
        assert body["created_by"] == {"id": str(manager_user.id), "first_name": manager_user.first_name,
                                      "last_name": manager_user.last_name}
        assert body["reminder_sent"] is False and "updated_at" in body

    def test_detail_of_another_gym_or_malformed_is_404(self, agent_client, other_gym):
        assert agent_client.get(detail(AppointmentFactory(gym=other_gym).id)).status_code == 404
        assert agent_client.get(detail("12345")).status_code == 404

    def test_put_and_patch_update_fields(self, agent_client, gym, lead, coach):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, reminder_sent=True)
        response = agent_client.put(detail(appointment.id), {"type": "assessment", "notes": "Knee injury",
                                                              "staff_id": str(coach.id)}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["type"], body["notes"], body["staff_id"], body["reminder_sent"]) == (
            "assessment", "Knee injury", str(coach.id), True)
        response = agent_client.patch(detail(appointment.id), {"date": f"{local_day(10)}T08:30:00", "duration": 45,
                                                                "staff_id": None}, format="json")
        body = response.json()
        assert body["date"].startswith(f"{local_day(10)}T08:30:00") and body["end_time"].startswith(
            f"{local_day(10)}T09:15:00")
        assert body["staff_id"] is None and body["reminder_sent"] is False  # the reminder was for the old time

    def test_same_date_keeps_reminder_sent(self, agent_client, gym, lead, coach):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, reminder_sent=True)
        same = appointment.local_start.replace(tzinfo=None).isoformat()
        body = agent_client.patch(detail(appointment.id), {"date": same, "staff_id": str(coach.id)},
                                  format="json").json()
        assert body["staff_id"] == str(coach.id) and body["reminder_sent"] is True

    def test_moving_to_another_branch_reads_the_date_in_its_timezone(self, agent_client, gym, lead):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
        la = BranchFactory(gym=gym, timezone="America/Los_Angeles")
        body = agent_client.patch(detail(appointment.id), {"branch_id": str(la.id), "date": "2027-01-05T09:00:00"},
                                  format="json").json()
        assert body["date"] == "2027-01-05T09:00:00-08:00" and body["branch_name"] == la.name

    @pytest.mark.parametrize("change,field", [({"duration": 10}, "duration"), ({"type": "spa"}, "type"),
                                              ({"date": "2027-03-14T02:00:00"}, "date"),
                                              ({"branch_id": None}, "branch_id")])
    def test_bad_update_is_400(self, agent_client, gym, lead, change, field):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
        response = agent_client.patch(detail(appointment.id), change, format="json")
        assert response.status_code == 400 and field in response.json()

    def test_lead_cannot_change(self, agent_client, gym, lead, other_lead):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
        assert agent_client.patch(detail(appointment.id), {"lead_id": str(lead.id)}, format="json").status_code == 200
        response = agent_client.patch(detail(appointment.id), {"lead_id": str(other_lead.id)}, format="json")
        assert response.status_code == 400 and "lead_id" in response.json()

    def test_agent_cannot_delete_manager_can(self, agent_client, manager_client, gym, lead):
        appointment = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch)
        assert agent_client.delete(detail(appointment.id)).status_code == 403
        assert manager_client.delete(detail(appointment.id)).status_code == 204
        assert manager_client.delete(detail(appointment.id)).status_code == 404
        assert not Appointment.objects.for_gym(gym).exists()

    def test_deleting_a_rescheduled_original_unlinks_its_replacement(self, admin_client, gym, lead):
        old = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, status="rescheduled")
        new = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, rescheduled_from=old)
        assert admin_client.delete(detail(old.id)).status_code == 204
        assert admin_client.get(detail(new.id)).json()["rescheduled_from"] is None

    def test_anonymous_is_401(self, api_client):
        assert api_client().get(LIST).status_code == 401

    def test_branch_with_appointments_cannot_be_deleted(self, admin_client, gym, lead):
        branch = BranchFactory(gym=gym)
        AppointmentFactory(gym=gym, lead=lead, branch=branch)
        assert admin_client.delete(f"/api/settings/branches/{branch.id}").status_code == 409


@pytest.mark.parametrize("path", [LIST, f"{LIST}/upcoming", "branch"])
def test_list_queries_do_not_grow_with_the_page(agent_client, data_queries, gym, branch, path):
    coach = UserFactory(gym=gym)
    for n in range(55):
        lead = LeadFactory(gym=gym, branch=branch)
        AppointmentFactory(gym=gym, lead=lead, branch=branch, staff=coach, created_by=coach,
                           date=days_from_now(1 + n // 10, hour=8 + n % 10))
    url = f"{LIST}/branch/{branch.id}" if path == "branch" else path
    # The user (token check), the count and the page; the branch route looks its branch up too.
    expected = 4 if path == "branch" else 3
    for limit in (1, 50):
        with data_queries(expected):
            response = agent_client.get(url, {"limit": limit})
        assert len(response.json()["data"]) == limit
