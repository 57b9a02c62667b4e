"""seed_demo's leads, and the lead admin (gym-scoped, edits through the services, CSV action)."""

import datetime as dt
import io
import random

import pytest
from django.db.models import Count
from django.utils import timezone

from leads import demo
from leads.models import Lead, LeadActivity, LeadTag
from tenants import demo as tenants_demo
from tenants.models import Role
from tenants.tests.factories import UserFactory

from .factories import LeadActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db


# The lead page's read-only inlines still post their (empty) management forms.
INLINES = {f"{prefix}-{name}": "0" for prefix in ("calls", "appointments", "activities")
           for name in ("TOTAL_FORMS", "INITIAL_FORMS")}


def test_demo_seeds_a_few_hundred_varied_leads_with_history():
    gym = tenants_demo.seed_tenancy(rng=random.Random(1))
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(1), stdout=out)
    leads = Lead.objects.for_gym(gym)
    assert leads.count() == demo.COUNT and "Leads: 300" in out.getvalue()
    assert set(leads.values_list("status", flat=True)) == {"new", "contacted", "qualified", "converted", "lost"}
    assert len(set(leads.values_list("source", flat=True))) == 6
    assert leads.filter(do_not_call=True).exists() and leads.exclude(lost_reason="").filter(status="lost").exists()
    assert not leads.exclude(status="lost").exclude(lost_reason="").exists()
    assert leads.filter(assigned_to__isnull=False).exists() and leads.filter(score__isnull=True).exists()
    assert LeadTag.objects.for_gym(gym).exists()
    now = timezone.now()
    recent = leads.filter(created_at__gte=now - dt.timedelta(days=30)).count()
    old = leads.filter(created_at__lt=now - dt.timedelta(days=90)).count()
    assert recent > 3 * old > 0  # skewed towards recent weeks, still reaching back four months
    assert not leads.filter(created_at__lt=now - dt.timedelta(days=demo.DAYS + 1)).exists()
    per_lead = leads.annotate(n=Count("activities")).values_list("n", flat=True)
    assert min(per_lead) >= 1
    first = LeadActivity.objects.for_gym(gym).order_by("created_at").first()
    assert first.type == "lead_created" and first.created_at == first.lead.created_at


@pytest.fixture
def staff_client(client, gym, branch):
    client.force_login(UserFactory(gym=gym, branch=branch, role=Role.MANAGER, is_staff=True, first_name="Maya"))
    return client


def test_admin_lists_and_searches_only_own_gym_leads(staff_client, gym, other_gym):
    LeadFactory(gym=gym, first_name="Homer", phone="+12125550123")
    LeadFactory(gym=other_gym, first_name="Foreigner")
    response = staff_client.get("/admin/leads/lead/")
    assert response.status_code == 200
    assert b"Homer" in response.content and b"Foreigner" not in response.content
    assert b"Homer" in staff_client.get("/admin/leads/lead/", {"q": "5550123"}).content
    assert b"Homer" not in staff_client.get("/admin/leads/lead/", {"status__exact": "lost"}).content


def test_change_page_shows_the_timeline_read_only(staff_client, gym):
    lead = LeadFactory(gym=gym)
    LeadActivityFactory(gym=gym, lead=lead, description="Called about the pool")
    response = staff_client.get(f"/admin/leads/lead/{lead.pk}/change/")
    assert response.status_code == 200 and b"Called about the pool" in response.content


def test_admin_edits_go_through_the_services(staff_client, gym, branch):
    lead = LeadFactory(gym=gym, branch=branch, status="new")
    data = {"first_name": lead.first_name, "last_name": lead.last_name, "phone": "(212) 555-0199",
            "email": lead.email, "status": "qualified", "source": lead.source, "branch": str(branch.pk),
            "assigned_to": "", "score": "", "lost_reason": "", "interest": "", "interest_location": "", "notes": "", **INLINES}
    response = staff_client.post(f"/admin/leads/lead/{lead.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    lead.refresh_from_db()
    assert (lead.status, lead.phone) == ("qualified", "+12125550199")
    types = set(LeadActivity.objects.for_gym(gym).filter(lead=lead).values_list("type", flat=True))
    assert types == {"status_changed", "lead_updated"}


def test_admin_add_creates_through_the_service_and_refuses_duplicates(staff_client, gym, branch):
    data = {"first_name": "Ada", "last_name": "Byron", "phone": "212 555 0150", "email": "", "status": "new",
            "source": "walk_in", "branch": str(branch.pk), "assigned_to": "", "score": "", "lost_reason": "",
            "interest": "", "interest_location": "", "notes": "", **INLINES}
    assert staff_client.post("/admin/leads/lead/add/", data).status_code == 302
    lead = Lead.objects.for_gym(gym).get()
    assert lead.phone == "+12125550150"
    assert LeadActivity.objects.for_gym(gym).get().type == "lead_created"
    response = staff_client.post("/admin/leads/lead/add/", {**data, "phone": "+1 212-555-0150"})
    assert response.status_code == 200 and b"already has this phone number" in response.content
    assert Lead.objects.for_gym(gym).count() == 1


def test_export_action_streams_the_selection(staff_client, gym, other_gym):
    chosen = LeadFactory(gym=gym, first_name="Chosen", notes="=cmd")
    LeadFactory(gym=gym, first_name="Other")
    response = staff_client.post("/admin/leads/lead/", {"action": "export_csv", "_selected_action": [str(chosen.pk)]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert "Chosen" in text and "Other" not in text and ",'=cmd," in text
