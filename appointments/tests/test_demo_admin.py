import io
import random
from collections import Counter
from itertools import combinations

import pytest
from django.utils import timezone

from appointments import demo
from appointments.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from leads.models import LeadActivity
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory, UserFactory

from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def overlaps(a, b):
    return a.date < b.end_time and b.date < a.end_time


def test_demo_books_past_and_future_appointments_in_every_status_without_overlaps(gym, branch):
    for _ in range(3):
        UserFactory(gym=gym, branch=branch)
    for _ in range(40):
        LeadFactory(gym=gym, branch=branch)
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(7), stdout=out)
    rows = list(Appointment.objects.for_gym(gym))
    assert set(Counter(a.status for a in rows)) == set(AppointmentStatus.values)
    now = timezone.now()
    assert any(a.date < now for a in rows) and any(a.date > now for a in rows)
    active = [a for a in rows if a.status in ACTIVE_STATUSES]
    for a, b in combinations(active, 2):
        if a.lead_id == b.lead_id or (a.staff_id and a.staff_id == b.staff_id):
            assert not overlaps(a, b), (a, b)
    assert all(a.rescheduled_to for a in rows if a.status == "rescheduled")
    assert "Appointments:" in out.getvalue()


def test_demo_without_leads_does_nothing(gym, branch):
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(1), stdout=out)
    assert not Appointment.objects.for_gym(gym).exists() and "skipped" in out.getvalue()


@pytest.fixture
def staff_client(client, gym, branch):
    client.force_login(UserFactory(gym=gym, branch=branch, role="manager", is_staff=True))
    return client


def test_admin_lists_only_own_gym_with_filters_and_date_hierarchy(staff_client, gym, other_gym, branch):
    AppointmentFactory(gym=gym, branch=branch, notes="home")
    BranchFactory(gym=gym, name="Second Home Branch")  # a branch filter shows from two choices on
    AppointmentFactory(gym=other_gym, branch=BranchFactory(gym=other_gym, name="Far Away Branch"))
    response = staff_client.get("/admin/appointments/appointment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Second Home Branch" in html and "Far Away Branch" not in html
    assert "By status" in html and "By type" in html and "By branch" in html
    assert staff_client.get("/admin/appointments/appointment/", {"status__exact": "scheduled"}).status_code == 200


def test_admin_status_action_goes_through_the_lifecycle(staff_client, gym, branch):
    scheduled = AppointmentFactory(gym=gym, branch=branch)
    completed = AppointmentFactory(gym=gym, branch=branch, status="completed")
    response = staff_client.post("/admin/appointments/appointment/", {
        "action": "mark_confirmed", "_selected_action": [str(scheduled.id), str(completed.id)]}, follow=True)
    assert response.status_code == 200
    scheduled.refresh_from_db()
    completed.refresh_from_db()
    assert scheduled.status == "confirmed" and completed.status == "completed"
    assert "cannot become" in response.content.decode()
    assert LeadActivity.objects.for_gym(gym).filter(lead=scheduled.lead, type="appointment_status_changed").exists()
