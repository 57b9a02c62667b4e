"""The database holds the line (PostgreSQL): exclusion constraints, and real parallel requests."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from appointments.models import Appointment
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.models import Role
from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

from .conftest import LIST, local_day
from .factories import AppointmentFactory, next_week

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL exclusion constraints")
PARALLEL = 20


@postgres_only
@pytest.mark.django_db
class TestExclusionConstraints:
    """Rows written directly, past the service: the constraints alone refuse the overlap."""

    def insert(self, **fields):
        with transaction.atomic():
            return AppointmentFactory(**fields)

    def test_same_staff_overlap_is_refused(self, gym, branch, coach):
        self.insert(gym=gym, branch=branch, staff=coach, date=next_week(10))
        with pytest.raises(IntegrityError, match="appointment_staff_no_overlap"):
            self.insert(gym=gym, branch=branch, staff=coach, date=next_week(10).replace(minute=59))

    def test_same_lead_overlap_is_refused(self, gym, branch, lead):
        self.insert(gym=gym, branch=branch, lead=lead, date=next_week(10), duration=120)
        with pytest.raises(IntegrityError, match="appointment_lead_no_overlap"):
            self.insert(gym=gym, branch=branch, lead=lead, date=next_week(11))

    def test_back_to_back_inactive_and_unstaffed_rows_are_allowed(self, gym, branch, lead, coach):
        self.insert(gym=gym, branch=branch, lead=lead, staff=coach, date=next_week(10))
        self.insert(gym=gym, branch=branch, lead=lead, staff=coach, date=next_week(11))
        self.insert(gym=gym, branch=branch, lead=lead, staff=coach, date=next_week(10), status="canceled")
        self.insert(gym=gym, branch=branch, date=next_week(10))
        self.insert(gym=gym, branch=branch, date=next_week(10))
        assert Appointment.objects.for_gym(gym).count() == 5

    def test_reactivating_into_an_overlap_is_refused(self, gym, branch, lead):
        self.insert(gym=gym, branch=branch, lead=lead, date=next_week(10))
        canceled = self.insert(gym=gym, branch=branch, lead=lead, date=next_week(10), status="canceled")
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.for_gym(gym).filter(pk=canceled.pk).update(status="confirmed")


def _race(client_for, bodies, url=LIST):
    """POST every body at once to ``url``, each from its own thread (own database connection)."""
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def run(index, body):
        client = client_for(index)
        try:
            barrier.wait(timeout=30)
            results[index] = client.post(url, body, format="json").status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
class TestParallelRequests:
    @pytest.fixture
    def world(self, api_client):
        gym = GymFactory()
        branch = BranchFactory(gym=gym)
        agents = [UserFactory(gym=gym, branch=branch, role=Role.AGENT) for _ in range(PARALLEL)]
        clients = [api_client(agent) for agent in agents]
        return gym, branch, clients

    def test_twenty_bookings_of_one_staff_member_exactly_one_wins(self, world):
        gym, branch, clients = world
        coach = UserFactory(gym=gym, branch=branch)
        leads = [LeadFactory(gym=gym, branch=branch) for _ in range(PARALLEL)]
        # Overlapping but not identical times: every pair overlaps.
        bodies = [{"lead_id": str(lead.id), "type": "tour", "duration": 60, "staff_id": str(coach.id),
                   "date": f"{local_day()}T10:{n:02d}:00"} for n, lead in enumerate(leads)]
        results = _race(lambda i: clients[i], bodies)
        assert sorted(results) == [201] + [409] * (PARALLEL - 1)
        assert Appointment.objects.for_gym(gym).count() == 1
        assert LeadActivity.objects.for_gym(gym).count() == 1  # the losers' timeline entries rolled back

    def test_twenty_bookings_of_one_lead_exactly_one_wins(self, world):
        gym, branch, clients = world
        lead = LeadFactory(gym=gym, branch=branch)
        bodies = [{"lead_id": str(lead.id), "type": "consultation", "duration": 30,
                   "date": f"{local_day()}T10:00:00"} for _ in range(PARALLEL)]
        results = _race(lambda i: clients[i], bodies)
        assert sorted(results) == [201] + [409] * (PARALLEL - 1)
        assert Appointment.objects.for_gym(gym).count() == 1

    def test_twenty_reschedules_of_one_appointment_exactly_one_wins(self, world):
        gym, branch, clients = world
        lead = LeadFactory(gym=gym, branch=branch)
        original = AppointmentFactory(gym=gym, branch=branch, lead=lead, date=next_week(9))
        # Different, non-overlapping new times: only the row lock on the original decides.
        bodies = [{"date": f"{local_day(10 + n)}T10:00:00"} for n in range(PARALLEL)]
        results = _race(lambda i: clients[i], bodies, url=f"{LIST}/{original.id}/reschedule")
        assert sorted(results) == [201] + [409] * (PARALLEL - 1)
        rows = Appointment.objects.for_gym(gym)
        assert rows.count() == 2 and rows.get(pk=original.pk).status == "rescheduled"
        assert rows.get(rescheduled_from=original).status == "scheduled"
