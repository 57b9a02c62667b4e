"""What other apps call: the lead's next appointment, the lead detail's list, the services."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from appointments import services
from appointments.models import Appointment
from appointments.selectors import appointment_for_lead_detail, lead_next_appointment_subquery
from appointments.serializers import AppointmentShortSerializer
from leads.activity import Actor
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from reps_dashboard.errors import BusinessRuleViolation, Conflict
from tenants.tests.factories import BranchFactory, UserFactory

from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def hours_from_now(hours):
    return (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)


class TestLeadNextAppointment:
    def test_next_active_appointment_from_now_on(self, gym, lead, other_lead, data_queries):
        soon, later = hours_from_now(5), hours_from_now(50)
        AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=hours_from_now(-5))  # past
        AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=hours_from_now(2), status="canceled")
        AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=later, status="confirmed")
        AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=soon)
        with data_queries(1):
            dates = dict(Lead.objects.for_gym(gym).annotate(appointment_date=lead_next_appointment_subquery())
                         .values_list("id", "appointment_date"))
        assert dates == {lead.id: soon, other_lead.id: None}

    def test_booking_through_the_api_sets_it(self, book, gym, lead):
        body = book().json()
        annotated = Lead.objects.for_gym(gym).annotate(appointment_date=lead_next_appointment_subquery()).get(pk=lead.pk)
        assert annotated.appointment_date == dt.datetime.fromisoformat(body["date"])


class TestLeadDetailAppointments:
    def test_upcoming_first_then_latest_others_at_most_ten(self, gym, lead, data_queries):
        upcoming = [AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=hours_from_now(h))
                    for h in (30, 10)]
        others = [AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=hours_from_now(-24 * d),
                                     status="completed") for d in range(1, 12)]
        canceled_future = AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, date=hours_from_now(20),
                                             status="canceled")
        with data_queries(1):
            found = appointment_for_lead_detail(lead=lead)
            rows = AppointmentShortSerializer(found, many=True).data
        assert [a.id for a in found] == [upcoming[1].id, upcoming[0].id, canceled_future.id] + [a.id for a in others[:7]]
        assert set(rows[0]) == {"id", "type", "date", "duration", "status", "branch_id"}
        assert rows[0]["date"].endswith(("-04:00", "-05:00"))

    def test_another_leads_appointments_are_not_included(self, gym, lead, other_lead):
        AppointmentFactory(gym=gym, lead=other_lead, branch=other_lead.branch)
        assert appointment_for_lead_detail(lead=lead) == []


class TestServices:
    def test_voice_agent_booking_has_no_creator_and_names_the_agent(self, gym, lead):
        appointment = services.appointment_book(gym=gym, actor=Actor.voice_agent(), lead=lead, type="tour",
                                                start=hours_from_now(24), duration=30)
        assert appointment.created_by is None and appointment.branch == lead.branch
        entry = LeadActivity.objects.for_gym(gym).get()
        assert entry.actor_type == "voice_agent" and entry.actor_name == "AI voice agent"

    @pytest.mark.parametrize("what", ["lead", "branch", "staff"])
    def test_rows_of_another_gym_are_refused(self, gym, other_gym, lead, what):
        foreign = {"lead": lambda: LeadFactory(gym=other_gym), "branch": lambda: BranchFactory(gym=other_gym),
                   "staff": lambda: UserFactory(gym=other_gym)}[what]()
        kwargs = {"lead": lead, what: foreign}
        with pytest.raises(BusinessRuleViolation) as caught:
            services.appointment_book(gym=gym, actor=Actor.system(), type="tour", start=hours_from_now(24),
                                      duration=30, **kwargs)
        assert caught.value.field == f"{what}_id"
        assert not Appointment.all_gyms.exists()

    @pytest.mark.parametrize("kwargs,field", [({"duration": 200}, "duration"), ({"type": "spa"}, "type"),
                                              ({"status": "rescheduled"}, "status")])
    def test_service_validates_its_own_input(self, gym, lead, kwargs, field):
        with pytest.raises(BusinessRuleViolation) as caught:
            services.appointment_book(gym=gym, actor=Actor.system(), lead=lead, start=hours_from_now(24),
                                      **{"type": "tour", "duration": 30, **kwargs})
        assert caught.value.field == field

    def test_a_deadlock_between_two_bookings_is_a_409(self, gym, lead):
        class DeadlockDetected(Exception):  # what the driver raises, as Django's __cause__
            pgcode = services.DEADLOCK_DETECTED

        deadlock = OperationalError("deadlock detected")
        deadlock.__cause__ = DeadlockDetected()
        with mock.patch.object(Appointment, "save", side_effect=deadlock), pytest.raises(Conflict):
            services.appointment_book(gym=gym, actor=Actor.system(), lead=lead, type="tour",
                                      start=hours_from_now(24), duration=30)

    def test_other_database_errors_are_not_hidden(self, gym, lead):
        with mock.patch.object(Appointment, "save", side_effect=OperationalError("disk full")), \
                pytest.raises(OperationalError):
            services.appointment_book(gym=gym, actor=Actor.system(), lead=lead, type="tour",
                                      start=hours_from_now(24), duration=30)
