import io
import random

import pytest
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from calls import demo
from calls.models import NOT_PLACED, Call, CallNote, Campaign
from calls.transcripts import parse_transcript
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from tenants.models import Role
from tenants.tests.factories import UserFactory

from .factories import CallFactory, CallNoteFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def seed(gym):
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(7), stdout=out)
    return out.getvalue()


class TestDemo:
    def test_without_leads_it_does_nothing(self, gym):
        assert "skipped" in seed(gym)
        assert not Call.all_gyms.exists() and not Campaign.all_gyms.exists()

    def test_calls_are_realistic_and_leads_agree_with_them(self, gym, branch):
        old = timezone.now() - timezone.timedelta(days=60)
        statuses = ["new", "contacted", "qualified", "converted", "lost"] * 8
        leads = [LeadFactory(gym=gym, branch=branch, status=status, do_not_call=n % 13 == 0)
                 for n, status in enumerate(statuses)]
        Lead.all_gyms.filter(gym=gym).update(created_at=old)
        UserFactory(gym=gym, branch=branch, role=Role.MANAGER)
        UserFactory(gym=gym, branch=branch, role=Role.AGENT)
        output = seed(gym)
        assert "logged" in output and "queued" in output

        calls = Call.all_gyms.filter(gym=gym)
        assert calls.filter(status="completed").exclude(transcript=None).exists()
        assert calls.filter(outcome="appointment_booked").exists() and calls.filter(sentiment="positive").exists()
        assert calls.filter(status="queued", scheduled_at__gt=timezone.now()).exists()
        assert CallNote.all_gyms.filter(gym=gym).exists()
        assert Campaign.all_gyms.filter(gym=gym).count() == 3
        assert calls.exclude(campaign=None).exists()
        assert not calls.filter(lead__do_not_call=True, direction="outbound").exists()
        for call in calls.exclude(transcript=None):
            assert parse_transcript(call.transcript) == call.transcript
        placed = calls.filter(start_time__isnull=False, status__in=["completed", "voicemail"])
        assert not placed.filter(start_time__gt=timezone.now()).exists()
        assert all(call.start_time >= old for call in placed)

        expected = {row["lead"]: row for row in calls.exclude(status__in=NOT_PLACED).values("lead").annotate(
            n=Count("pk"), last=Max(Coalesce("start_time", "created_at")))}
        for lead in Lead.all_gyms.filter(gym=gym):
            row = expected.get(lead.pk, {"n": 0, "last": None})
            assert (lead.call_count, lead.last_called) == (row["n"], row["last"]), lead
        # Timelines are dated when the calls happened, not when the demo ran.
        logged = LeadActivity.all_gyms.filter(gym=gym, type="call_logged", data__status="completed")
        assert logged.exists() and not logged.filter(created_at__gt=timezone.now() - timezone.timedelta(minutes=20))
        assert {lead.status for lead in leads} == {
            lead.status for lead in Lead.all_gyms.filter(gym=gym)}  # the demo leads keep their status

    def test_same_seed_same_calls(self, gym, other_gym):
        for target in (gym, other_gym):
            LeadFactory.create_batch(6, gym=target, status="contacted")
            Lead.all_gyms.filter(gym=target).update(created_at=timezone.now() - timezone.timedelta(days=30))
            seed(target)
        def made(target):
            return sorted(Call.all_gyms.filter(gym=target).values_list("status", "outcome", "duration"), key=str)

        assert made(gym) == made(other_gym) and made(gym)


@pytest.fixture
def staff_client(client, gym, branch):
    staff = UserFactory(gym=gym, branch=branch, role=Role.MANAGER, is_staff=True)
    client.force_login(staff)
    client.staff = staff
    return client


class TestAdmin:
    def test_lists_show_only_the_gyms_rows(self, staff_client, gym, other_gym):
        CallFactory(gym=gym, summary="Home gym call")
        CallFactory(gym=other_gym, summary="Other gym call")
        CampaignFactory(gym=gym, name="Home campaign")
        CampaignFactory(gym=other_gym, name="Other campaign")
        calls = staff_client.get("/admin/calls/call/", {"q": ""})
        assert calls.status_code == 200
        campaigns = staff_client.get("/admin/calls/campaign/")
        assert b"Home campaign" in campaigns.content and b"Other campaign" not in campaigns.content

    def test_search_by_lead_phone_and_name(self, staff_client, gym):
        call = CallFactory(gym=gym, lead=LeadFactory(gym=gym, first_name="Zebulon", phone="+12125559999"))
        CallFactory(gym=gym)
        for q in ("Zebulon", "+12125559999"):
            response = staff_client.get("/admin/calls/call/", {"q": q})
            assert response.context["cl"].result_count == 1 and str(call.pk) in response.content.decode()

    def test_change_and_new_note_go_through_the_services(self, staff_client, gym):
        lead = LeadFactory(gym=gym)
        call = CallFactory(gym=gym, lead=lead, status="queued", start_time=None, duration=None)
        existing = CallNoteFactory(gym=gym, call=call, content="old")
        url = f"/admin/calls/call/{call.pk}/change/"
        assert staff_client.get(url).status_code == 200
        data = {
            "branch": str(call.branch_id), "campaign": "", "direction": "outbound", "status": "completed",
            "outcome": "appointment_booked", "sentiment": "", "start_time_0": "2026-03-02", "start_time_1": "10:00:00",
            "end_time_0": "2026-03-02", "end_time_1": "10:02:00", "duration": "", "scheduled_at_0": "",
            "scheduled_at_1": "", "summary": "Booked.", "notes": "", "transcript": "null", "metrics": "null",
            "recording_url": "", "handled_by": "staff", "external_call_id": "",
            "call_notes-TOTAL_FORMS": "2", "call_notes-INITIAL_FORMS": "1", "call_notes-MIN_NUM_FORMS": "0",
            "call_notes-MAX_NUM_FORMS": "1000", "call_notes-0-id": str(existing.pk), "call_notes-0-call": str(call.pk),
            "call_notes-0-content": "old", "call_notes-1-id": "", "call_notes-1-call": str(call.pk),
            "call_notes-1-content": "Added in the admin",
        }
        response = staff_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        row = Lead.all_gyms.get(pk=lead.pk)
        assert (row.call_count, row.status, row.last_conversation_summary) == (1, "contacted", "Booked.")
        assert Call.all_gyms.get(pk=call.pk).duration == 120
        note = CallNote.all_gyms.get(content="Added in the admin")
        assert note.author == staff_client.staff and note.gym_id == gym.pk
        types = set(LeadActivity.all_gyms.filter(lead=lead).values_list("type", flat=True))
        assert {"call_logged", "call_outcome_set", "status_changed", "note_added"} <= types

    def test_delete_goes_through_the_service(self, client, gym, branch):
        admin = UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True)
        client.force_login(admin)
        lead = LeadFactory(gym=gym, call_count=1)
        call = CallFactory(gym=gym, lead=lead)
        response = client.post(f"/admin/calls/call/{call.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert Lead.all_gyms.get(pk=lead.pk).call_count == 0
        assert LeadActivity.all_gyms.filter(Q(lead=lead) & Q(data__reason="call_deleted")).exists()
