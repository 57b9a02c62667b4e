"""No double booking: the service's rule, through HTTP (on both databases)."""

import pytest

from appointments.models import Appointment

from .conftest import detail, local_day

pytestmark = pytest.mark.django_db


def at(hhmm, days=7):
    return f"{local_day(days)}T{hhmm}:00"


class TestSameStaff:
    def test_overlap_with_the_same_staff_member_is_409_naming_it(self, book, coach, other_lead):
        first = book(date=at("10:00"), staff_id=str(coach.id)).json()
        response = book(date=at("10:30"), staff_id=str(coach.id), lead_id=str(other_lead.id))
        assert response.status_code == 409
        body = response.json()
        assert body["existing_id"] == first["id"]
        assert "Sam Rivera already has an appointment (tour)" in body["detail"]
        assert f"from {local_day()} 10:00" in body["detail"] and "to 11:00" in body["detail"]
        assert "Jane Doe" in body["detail"]

    def test_same_time_with_another_staff_member_is_fine(self, book, gym, coach, other_lead):
        from tenants.tests.factories import UserFactory

        book(date=at("10:00"), staff_id=str(coach.id))
        other_coach = UserFactory(gym=gym)
        response = book(date=at("10:00"), staff_id=str(other_coach.id), lead_id=str(other_lead.id))
        assert response.status_code == 201

    def test_staff_conflict_spans_branches(self, book, gym, coach, other_lead):
        from tenants.tests.factories import BranchFactory

        book(date=at("10:00"), staff_id=str(coach.id))
        elsewhere = BranchFactory(gym=gym)
        response = book(date=at("10:00"), staff_id=str(coach.id), lead_id=str(other_lead.id),
                        branch_id=str(elsewhere.id))
        assert response.status_code == 409


class TestSameLead:
    def test_overlap_of_the_same_lead_is_409_naming_it(self, book):
        first = book(date=at("10:00"), duration=90).json()
        response = book(date=at("11:00"), type="consultation")
        assert response.status_code == 409
        assert response.json()["existing_id"] == first["id"]
        assert response.json()["detail"].startswith("Double booking: Jane Doe already has an appointment (tour)")

    def test_a_longer_appointment_enclosing_another_overlaps(self, book):
        book(date=at("10:30"), duration=15)
        assert book(date=at("10:00"), duration=120).status_code == 409

    def test_two_leads_without_staff_at_the_same_time_are_fine(self, book, other_lead):
        book(date=at("10:00"))
        assert book(date=at("10:00"), lead_id=str(other_lead.id)).status_code == 201


class TestBoundaries:
    def test_back_to_back_is_fine_both_ways(self, book, coach, other_lead):
        book(date=at("10:00"), staff_id=str(coach.id))
        assert book(date=at("11:00"), staff_id=str(coach.id), lead_id=str(other_lead.id)).status_code == 201
        assert book(date=at("09:00"), staff_id=str(coach.id), lead_id=str(other_lead.id)).status_code == 201
        assert book(date=at("09:59"), staff_id=str(coach.id), duration=15).status_code == 409

    @pytest.mark.parametrize("status", ["canceled", "no_show", "completed", "rescheduled"])
    def test_an_inactive_appointment_frees_its_slot(self, book, agent_client, coach, other_lead, status):
        first = book(date=at("10:00"), staff_id=str(coach.id)).json()
        assert agent_client.patch(detail(first["id"], "/status"), {"status": status}, format="json").status_code == 200
        assert book(date=at("10:00"), staff_id=str(coach.id), lead_id=str(other_lead.id)).status_code == 201
        assert book(date=at("10:00")).status_code == 201  # the same lead again, too

    def test_booking_inactive_statuses_never_conflicts(self, book):
        book(date=at("10:00"))
        assert book(date=at("10:00"), status="canceled").status_code == 201

    def test_confirming_does_not_conflict_with_itself(self, book, agent_client):
        first = book(date=at("10:00")).json()
        response = agent_client.patch(detail(first["id"], "/status"), {"status": "confirmed"}, format="json")
        assert response.status_code == 200


class TestMoves:
    def test_patch_into_an_occupied_time_is_409_and_changes_nothing(self, book, agent_client):
        book(date=at("10:00"))
        second = book(date=at("12:00")).json()
        response = agent_client.patch(detail(second["id"]), {"date": at("10:30")}, format="json")
        assert response.status_code == 409
        assert agent_client.get(detail(second["id"])).json()["date"].startswith(at("12:00"))

    def test_patch_within_its_own_time_is_fine(self, book, agent_client):
        first = book(date=at("10:00")).json()
        response = agent_client.patch(detail(first["id"]), {"date": at("10:30"), "duration": 90}, format="json")
        assert response.status_code == 200 and response.json()["end_time"].startswith(at("12:00"))

    def test_adding_a_busy_staff_member_is_409(self, book, agent_client, coach, other_lead):
        book(date=at("10:00"), staff_id=str(coach.id), lead_id=str(other_lead.id))
        mine = book(date=at("10:00")).json()
        response = agent_client.patch(detail(mine["id"]), {"staff_id": str(coach.id)}, format="json")
        assert response.status_code == 409

    def test_reschedule_into_an_occupied_time_is_409_and_keeps_the_old_one(self, book, agent_client, gym):
        book(date=at("10:00"))
        second = book(date=at("12:00")).json()
        response = agent_client.post(detail(second["id"], "/reschedule"), {"date": at("10:15")}, format="json")
        assert response.status_code == 409
        assert Appointment.objects.for_gym(gym).get(pk=second["id"]).status == "scheduled"
        assert Appointment.objects.for_gym(gym).count() == 2

    def test_reschedule_may_overlap_the_time_it_replaces(self, book, agent_client):
        first = book(date=at("10:00")).json()
        response = agent_client.post(detail(first["id"], "/reschedule"), {"date": at("10:30")}, format="json")
        assert response.status_code == 201
