"""The operator console through HTTP: dashboard, local times, filters, lead and call pages, actions."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from calls.models import Call, Campaign
from calls.tests.factories import CallFactory, CampaignFactory, CampaignLeadFactory
from leads.models import LeadActivity, LeadTag
from leads.tests.factories import LeadFactory
from tenants.models import Role, Tag
from tenants.tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def operator(client, gym, branch):
    user = UserFactory(gym=gym, branch=branch, role=Role.MANAGER, is_staff=True, first_name="Mina", last_name="Park")
    client.force_login(user)
    client.user = user
    return client


def local_midnight(days=0):
    today = timezone.localdate(timezone=NEW_YORK)
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time.min, tzinfo=NEW_YORK)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- site ------------------------------------------------------------------------------------


def test_the_index_names_the_gym_and_shows_its_day(operator, gym, branch, other_gym):
    lead = LeadFactory(gym=gym, branch=branch)
    CallFactory(gym=gym, lead=lead, start_time=timezone.now() - dt.timedelta(minutes=5), outcome="appointment_booked")
    CallFactory(gym=gym, lead=lead, start_time=timezone.now() - dt.timedelta(minutes=9), status="voicemail")
    CallFactory(gym=other_gym, start_time=timezone.now())
    AppointmentFactory(gym=gym, branch=branch, lead=lead, date=timezone.now() + dt.timedelta(days=3))
    page = html(operator.get("/admin/"))
    assert "Home Gym · Reps Dashboard" in page and "Django administration" not in page
    assert 'data-metric="calls_placed">2<' in page and 'data-metric="calls_connected">1<' in page
    assert 'data-metric="calls_booked">1<' in page and 'data-metric="appointments_upcoming">1<' in page
    assert 'data-metric="new_leads_week">' in page and "View site" not in page
    cards = re.findall(r'class="console-card" href="([^"]+)">.*?data-metric="\w+">(\d+)<', page, re.DOTALL)
    assert len(cards) == 4
    for link, number in cards:  # each card opens the list of what it counts
        response = operator.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and response.context["cl"].result_count == int(number), link


def test_view_site_leads_to_the_configured_dashboard(operator, settings):
    settings.ADMIN_SITE_URL = "https://app.example.com/"
    assert 'href="https://app.example.com/"' in html(operator.get("/admin/"))


def test_a_superuser_sees_no_gym_day(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root@example.com", "x" * 12))
    page = html(client.get("/admin/"))
    assert "data-metric" not in page and "Reps Dashboard" in page


# --- times and filters -----------------------------------------------------------------------


def test_appointment_times_are_the_branchs_and_today_is_the_gyms_day(operator, gym):
    west = BranchFactory(gym=gym, name="West", timezone="America/Los_Angeles")
    late = local_midnight() + dt.timedelta(hours=23, minutes=30)  # tomorrow already in UTC
    tonight = AppointmentFactory(gym=gym, branch=west, date=late.astimezone(dt.UTC), duration=15)
    AppointmentFactory(gym=gym, branch=west, date=(local_midnight(2) + dt.timedelta(hours=12)).astimezone(dt.UTC))
    page = html(operator.get("/admin/appointments/appointment/", {"when": "today"}))
    assert page.count('class="field-local_start"') == 1 and tonight.lead.full_name in page
    label = late.astimezone(west.tzinfo)
    assert f"{label:%Y-%m-%d %H:%M} {label.tzname()}" in page
    assert html(operator.get("/admin/appointments/appointment/", {"when": "upcoming"})).count(
        'class="field-local_start"') == 2


def test_leads_filter_by_tag_and_assigned_staff_shown_by_name(operator, gym, branch):
    vip = Tag.all_gyms.create(gym=gym, name="VIP")
    tagged = LeadFactory(gym=gym, branch=branch, first_name="Tagged", assigned_to=operator.user)
    LeadTag.all_gyms.create(gym=gym, lead=tagged, tag=vip)
    LeadFactory(gym=gym, branch=branch, first_name="Plain")
    page = html(operator.get("/admin/leads/lead/", {"tag": str(vip.pk)}))
    assert "Tagged" in page and "Plain" not in page and "Mina Park" in page
    page = html(operator.get("/admin/leads/lead/", {"assigned_to_id": str(operator.user.pk)}))
    assert "Tagged" in page and "Plain" not in page
    assert "Plain" in html(operator.get("/admin/leads/lead/", {"assigned_to_id": "none"}))


def test_calls_filter_by_campaign_and_link_to_their_lead(operator, gym, branch):
    campaign = CampaignFactory(gym=gym, name="Spring")
    lead = LeadFactory(gym=gym, branch=branch, first_name="Inlist")
    CallFactory(gym=gym, lead=lead, campaign=campaign)
    CallFactory(gym=gym, lead=LeadFactory(gym=gym, branch=branch, first_name="Outlist"))
    page = html(operator.get("/admin/calls/call/", {"campaign__id__exact": str(campaign.pk)}))
    assert "Inlist" in page and "Outlist" not in page and f"/admin/leads/lead/{lead.pk}/change/" in page


# --- lead page -------------------------------------------------------------------------------


def test_tags_are_edited_on_the_lead_page_through_the_service(operator, gym, branch, other_gym):
    vip = Tag.all_gyms.create(gym=gym, name="VIP")
    foreign = Tag.all_gyms.create(gym=other_gym, name="Elsewhere")
    lead = LeadFactory(gym=gym, branch=branch)
    page = html(operator.get(f"/admin/leads/lead/{lead.pk}/change/"))
    assert "VIP" in page and "Elsewhere" not in page
    data = {"first_name": lead.first_name, "last_name": lead.last_name, "phone": lead.phone, "email": lead.email,
            "status": lead.status, "source": lead.source, "branch": str(branch.pk), "assigned_to": "", "score": "",
            "lost_reason": "", "interest": "", "interest_location": "", "notes": "", "tags": [str(vip.pk)],
            **{f"{prefix}-{name}": "0" for prefix in ("calls", "appointments", "activities")
               for name in ("TOTAL_FORMS", "INITIAL_FORMS")}}
    assert operator.post(f"/admin/leads/lead/{lead.pk}/change/", data).status_code == 302
    assert list(LeadTag.all_gyms.filter(lead=lead).values_list("tag__name", flat=True)) == ["VIP"]
    assert LeadActivity.all_gyms.filter(lead=lead, type="tag_added").exists()
    response = operator.post(f"/admin/leads/lead/{lead.pk}/change/", {**data, "tags": [str(foreign.pk)]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_call_the_lead_now_queues_a_call_through_the_call_service(operator, gym, branch):
    lead = LeadFactory(gym=gym, branch=branch, first_name="Ring")
    url = f"/admin/leads/lead/{lead.pk}/call-now/"
    assert operator.get(url).status_code == 405
    page = html(operator.post(url, follow=True))
    call = Call.all_gyms.get(lead=lead)
    assert (call.status, call.direction, call.handled_by) == ("queued", "outbound", "staff")
    assert "Call to Ring" in page and f"/admin/calls/call/{call.pk}/change/" in page
    assert LeadActivity.all_gyms.filter(lead=lead, type="call_logged").exists()


def test_call_now_refuses_a_do_not_call_lead_and_another_gyms_lead(operator, gym, branch, other_gym):
    blocked = LeadFactory(gym=gym, branch=branch, do_not_call=True)
    page = html(operator.post(f"/admin/leads/lead/{blocked.pk}/call-now/", follow=True))
    assert "do-not-call" in page and not Call.all_gyms.filter(lead=blocked).exists()
    foreign = LeadFactory(gym=other_gym)
    operator.post(f"/admin/leads/lead/{foreign.pk}/call-now/", follow=True)
    assert not Call.all_gyms.filter(lead=foreign).exists()


# --- call page -------------------------------------------------------------------------------


def test_a_placed_calls_history_is_read_only_and_its_reading_editable(operator, gym, branch):
    call = CallFactory(gym=gym, lead=LeadFactory(gym=gym, branch=branch), outcome="undecided", duration=75,
                       transcript=[{"speaker": "agent", "text": "Hello <b>there</b>", "timestamp": 1.5}],
                       recording_url="https://recordings.example/1.wav", metrics={"latency_ms": 700})
    page = html(operator.get(f"/admin/calls/call/{call.pk}/change/"))
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page and '<audio class="recording" controls' in page
    assert "<th>Latency ms</th><td>700</td>" in page and 'name="transcript"' not in page
    assert 'name="start_time_0"' not in page and 'name="outcome"' in page
    data = {"outcome": "not_interested", "sentiment": "", "notes": "", "duration": "5",
            "call_notes-TOTAL_FORMS": "0", "call_notes-INITIAL_FORMS": "0"}
    assert operator.post(f"/admin/calls/call/{call.pk}/change/", data).status_code == 302
    call.refresh_from_db()
    assert (call.outcome, call.duration) == ("not_interested", 75)
    assert LeadActivity.all_gyms.filter(lead=call.lead, type="call_outcome_set").exists()


# --- campaigns -------------------------------------------------------------------------------


def test_campaign_actions_schedule_pause_and_resume_with_a_message(operator, gym, branch):
    gym.timezone = "UTC" if 1 <= timezone.now().hour <= 22 else "Asia/Tokyo"  # well inside the call hours
    gym.save()
    campaign = CampaignFactory(gym=gym, status="active", call_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                               call_hours_start=dt.time(0), call_hours_end=dt.time(23, 59))
    for _ in range(2):
        CampaignLeadFactory(gym=gym, campaign=campaign, lead=LeadFactory(gym=gym, branch=branch))

    def act(action):
        return html(operator.post("/admin/calls/campaign/", {"action": action, "_selected_action": [str(campaign.pk)]},
                                  follow=True))

    assert "2 call(s) queued" in act("schedule_now")
    assert Call.all_gyms.filter(campaign=campaign, status="queued").count() == 2
    assert "no call queued" in act("schedule_now")
    assert f"{campaign.name}: paused." in act("pause")
    assert Campaign.all_gyms.get(pk=campaign.pk).status == "paused"
    assert "only an active one can be paused" in act("pause")
    assert f"{campaign.name}: active." in act("resume")
    assert Campaign.all_gyms.get(pk=campaign.pk).status == "active"


# --- appointments ----------------------------------------------------------------------------


def test_booking_from_the_admin_reads_the_branchs_wall_clock_and_refuses_overlaps(operator, gym):
    west = BranchFactory(gym=gym, name="West", timezone="America/Los_Angeles")
    lead = LeadFactory(gym=gym, branch=west)
    day = timezone.localdate(timezone=west.tzinfo) + dt.timedelta(days=3)
    data = {"lead": str(lead.pk), "branch": str(west.pk), "staff": "", "type": "tour", "day": day.isoformat(),
            "time": "09:30", "duration": "45", "status": "scheduled", "notes": "From the desk",
            "calls-TOTAL_FORMS": "0", "calls-INITIAL_FORMS": "0"}  # the read-only calls inline
    response = operator.post("/admin/appointments/appointment/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    booked = Appointment.all_gyms.get(lead=lead)
    assert booked.date == dt.datetime.combine(day, dt.time(9, 30), tzinfo=west.tzinfo)
    assert LeadActivity.all_gyms.filter(lead=lead, type="appointment_booked").exists()
    again = operator.post("/admin/appointments/appointment/add/", {**data, "time": "10:00"})
    assert again.status_code == 200 and "Double booking" in again.content.decode()
    assert Appointment.all_gyms.filter(lead=lead).count() == 1


# --- query budgets ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/leads/lead/", "/admin/calls/call/", "/admin/appointments/appointment/"])
def test_a_list_costs_the_same_queries_for_one_row_or_many(operator, gym, branch, path):
    def rows(count):
        for _ in range(count):
            lead = LeadFactory(gym=gym, branch=branch, assigned_to=operator.user)
            CallFactory(gym=gym, lead=lead, campaign=CampaignFactory(gym=gym))
            AppointmentFactory(gym=gym, branch=branch, lead=lead, staff=operator.user)
        with CaptureQueriesContext(connection) as queries:
            html(operator.get(path))
        return len(queries)

    assert rows(1) == rows(10)
