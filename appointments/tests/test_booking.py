import datetime as dt

import pytest

from appointments.models import Appointment
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, UserFactory

from .conftest import LIST, local_day

pytestmark = pytest.mark.django_db

DETAIL_FIELDS = {"id", "lead_id", "lead", "branch_id", "branch_name", "staff_id", "type", "date", "duration",
                 "end_time", "status", "notes", "rescheduled_from", "created_at", "created_by", "reminder_sent",
                 "updated_at"}


class TestCreate:
    def test_agent_books_with_the_leads_branch_by_default(self, book, agent_user, lead, branch):
        response = book(notes="Wants the pool")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == DETAIL_FIELDS
        assert body["lead"] == {"id": str(lead.id), "first_name": "Jane", "last_name": "Doe", "phone": lead.phone,
                                "email": lead.email, "status": "new"}
        assert body["branch_id"] == str(branch.id) and body["branch_name"] == "Main"
        assert body["status"] == "scheduled" and body["reminder_sent"] is False and body["rescheduled_from"] is None
        assert body["created_by"] == {"id": str(agent_user.id), "first_name": agent_user.first_name,
                                      "last_name": agent_user.last_name}
        assert body["notes"] == "Wants the pool" and body["staff_id"] is None

    def test_booking_is_on_the_leads_timeline(self, book, agent_user, lead):
        appointment_id = book().json()["id"]
        entry = LeadActivity.objects.for_gym(lead.gym).get(lead=lead)
        assert entry.type == "appointment_booked" and entry.actor_user == agent_user
        assert entry.data["appointment_id"] == appointment_id and "Tour booked for" in entry.description

    def test_local_time_without_offset_is_the_branchs_and_answered_with_its_offset(self, book, gym, lead, agent_client):
        la = BranchFactory(gym=gym, name="LA", timezone="America/Los_Angeles")
        day = local_day()
        body = book(date=f"{day}T10:00:00", branch_id=str(la.id), duration=90).json()
        start = dt.datetime.fromisoformat(body["date"])
        assert start.replace(tzinfo=None) == dt.datetime.fromisoformat(f"{day}T10:00:00")
        assert start.utcoffset() in (dt.timedelta(hours=-8), dt.timedelta(hours=-7))
        assert dt.datetime.fromisoformat(body["end_time"]) - start == dt.timedelta(minutes=90)
        stored = Appointment.objects.for_gym(gym).get(pk=body["id"])
        assert stored.date == start and stored.date.tzinfo == dt.UTC

    def test_explicit_offset_is_kept_as_the_same_instant(self, book, gym):
        body = book(date=f"{local_day()}T15:00:00Z").json()
        assert dt.datetime.fromisoformat(body["date"]) == dt.datetime.fromisoformat(f"{local_day()}T15:00:00+00:00")

    def test_seconds_are_dropped(self, book):
        body = book(date=f"{local_day()}T10:15:42.5").json()
        assert body["date"].startswith(f"{local_day()}T10:15:00")

    def test_past_date_is_allowed_for_walk_ins(self, book):
        response = book(date=f"{local_day(-3)}T10:00:00", status="completed")
        assert response.status_code == 201 and response.json()["status"] == "completed"

    def test_explicit_branch_and_staff(self, book, gym, coach):
        other = BranchFactory(gym=gym)
        body = book(branch_id=str(other.id), staff_id=str(coach.id)).json()
        assert body["branch_id"] == str(other.id) and body["staff_id"] == str(coach.id)


class TestTimeZones:
    def test_time_skipped_by_spring_forward_is_400(self, book):
        response = book(date="2027-03-14T02:30:00")
        assert response.status_code == 400
        assert "does not exist in America/New_York" in response.json()["date"][0]

    def test_time_repeated_by_fall_back_is_the_first_occurrence(self, book):
        body = book(date="2027-11-07T01:30:00").json()
        assert body["date"] == "2027-11-07T01:30:00-04:00"
        assert body["end_time"] == "2027-11-07T01:30:00-05:00"  # 60 minutes later, after the clocks went back

    def test_second_occurrence_with_its_offset(self, book):
        body = book(date="2027-11-07T01:30:00-05:00").json()
        assert body["date"] == "2027-11-07T01:30:00-05:00" and body["end_time"] == "2027-11-07T02:30:00-05:00"

    def test_duration_across_spring_forward_is_elapsed_time(self, book, gym):
        body = book(date="2027-03-14T01:30:00", duration=60).json()
        assert body["end_time"] == "2027-03-14T03:30:00-04:00"
        stored = Appointment.objects.for_gym(gym).get(pk=body["id"])
        assert stored.end_time - stored.date == dt.timedelta(minutes=60)  # the database's generated column


class TestBadInput:
    @pytest.mark.parametrize("change,field", [
        ({"duration": 14}, "duration"),
        ({"duration": 181}, "duration"),
        ({"duration": "long"}, "duration"),
        ({"type": "massage"}, "type"),
        ({"status": "pending"}, "status"),
        ({"status": "rescheduled"}, "status"),
        ({"date": "next tuesday"}, "date"),
        ({"date": "2027-02-30T10:00:00"}, "date"),
        ({"date": "2027-01-05"}, "date"),
        ({"date": "9999-12-31T23:59:00"}, "date"),
        ({"date": "1999-12-31T10:00:00Z"}, "date"),
        ({"date": 1767225600}, "date"),
        ({"lead_id": "00000000-0000-4000-8000-000000000000"}, "lead_id"),
        ({"lead_id": "not-a-uuid"}, "lead_id"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
        ({"staff_id": "00000000-0000-4000-8000-000000000000"}, "staff_id"),
        ({"notes": "x" * 5001}, "notes"),
    ])
    def test_invalid_field_is_400_naming_it(self, book, change, field):
        response = book(**change)
        assert response.status_code == 400, response.content
        assert field in response.json()

    @pytest.mark.parametrize("missing", ["lead_id", "type", "date", "duration"])
    def test_required_fields(self, agent_client, lead, missing):
        body = {"lead_id": str(lead.id), "type": "tour", "duration": 60, "date": f"{local_day()}T10:00:00"}
        del body[missing]
        response = agent_client.post(LIST, body, format="json")
        assert response.status_code == 400 and missing in response.json()

    @pytest.mark.parametrize("field", ["lead_id", "branch_id", "staff_id"])
    def test_other_gyms_ids_are_rejected_like_missing_ones(self, book, other_gym, field):
        foreign = {"lead_id": lambda: LeadFactory(gym=other_gym), "branch_id": lambda: BranchFactory(gym=other_gym),
                   "staff_id": lambda: UserFactory(gym=other_gym)}[field]()
        response = book(**{field: str(foreign.id)})
        missing = book(**{field: "00000000-0000-4000-8000-000000000000"})
        assert response.status_code == missing.status_code == 400
        assert response.json()[field][0].replace(str(foreign.id), "<id>") == \
            missing.json()[field][0].replace("00000000-0000-4000-8000-000000000000", "<id>")

    def test_lead_without_branch_needs_one(self, book, gym):
        lead = LeadFactory(gym=gym, branch=None)
        response = book(lead_id=str(lead.id))
        assert response.status_code == 400 and "branch_id" in response.json()

    def test_inactive_branch_and_staff_are_refused(self, book, gym):
        closed = BranchFactory(gym=gym, is_active=False)
        gone = UserFactory(gym=gym, is_active=False)
        assert "inactive" in book(branch_id=str(closed.id)).json()["branch_id"][0]
        assert "inactive" in book(staff_id=str(gone.id)).json()["staff_id"][0]

    def test_nothing_is_written_on_400(self, book, gym):
        book(duration=500)
        assert not Appointment.objects.for_gym(gym).exists()
        assert not LeadActivity.objects.for_gym(gym).exists()
