"""The call services keep the lead true: counters, last call, summary, status and timeline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls import selectors, services
from calls.models import Call, CallNote, CampaignLead
from leads.activity import Actor
from leads.models import Lead, LeadActivity
from leads.tests.factories import LeadFactory
from reps_dashboard.errors import Conflict
from tenants.tests.factories import BranchFactory

from .factories import CallFactory, CampaignFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch)


@pytest.fixture
def actor(admin_user):
    return Actor.for_user(admin_user)


def fresh(lead):
    return Lead.all_gyms.get(pk=lead.pk)


def timeline(lead):
    return list(LeadActivity.all_gyms.filter(lead=lead).order_by("created_at", "id").values_list("type", flat=True))


def completed(**extra):
    return {"status": "completed", "start_time": T0, "end_time": T0 + dt.timedelta(minutes=3), **extra}


class TestCreate:
    def test_lead_alone_queues_an_outbound_call_for_now(self, gym, lead, actor):
        before = timezone.now()
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        assert (call.direction, call.status, call.handled_by, call.branch) == ("outbound", "queued", "staff", lead.branch)
        assert before <= call.scheduled_at <= timezone.now()
        assert fresh(lead).call_count == 0 and fresh(lead).last_called is None  # not placed yet
        assert timeline(lead) == ["call_logged"]

    def test_completed_call_updates_the_lead_and_its_timeline(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, summary="Wants a tour.",
                                    outcome="appointment_booked", **completed())
        row = fresh(lead)
        assert (row.call_count, row.last_called, row.last_conversation_summary, row.status) == (
            1, T0, "Wants a tour.", "contacted")
        assert call.duration == 180  # derived from start and end
        assert timeline(lead) == ["call_logged", "call_outcome_set", "status_changed"]
        change = LeadActivity.all_gyms.get(lead=lead, type="status_changed")
        assert change.data["from"] == "new" and change.data["to"] == "contacted"
        assert change.actor_user_id == actor.user.pk
        booked = LeadActivity.all_gyms.get(lead=lead, type="call_outcome_set")
        assert booked.data["outcome"] == "appointment_booked" and "appointment booked" in booked.description

    def test_a_call_that_happened_defaults_to_completed(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, start_time=T0, duration=60)
        assert call.status == "completed" and call.scheduled_at is None

    def test_inbound_call_defaults_to_completed(self, gym, lead, actor):
        assert services.call_create(gym=gym, actor=actor, lead=lead, direction="inbound").status == "completed"

    def test_voice_agent_calls_are_handled_by_ai(self, gym, lead):
        assert services.call_create(gym=gym, actor=Actor.voice_agent(), lead=lead).handled_by == "ai"

    def test_only_a_new_lead_becomes_contacted(self, gym, actor):
        lead = LeadFactory(gym=gym, status="qualified")
        services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        assert fresh(lead).status == "qualified"
        assert "status_changed" not in timeline(lead)

    def test_voicemail_counts_as_a_call_but_does_not_contact(self, gym, lead, actor):
        services.call_create(gym=gym, actor=actor, lead=lead, status="voicemail", start_time=T0)
        assert (fresh(lead).call_count, fresh(lead).status) == (1, "new")

    def test_last_called_is_the_latest_start_whatever_the_logging_order(self, gym, lead, actor):
        services.call_create(gym=gym, actor=actor, lead=lead, **completed(summary="newer"))
        services.call_create(gym=gym, actor=actor, lead=lead, summary="older",
                             **completed(start_time=T0 - dt.timedelta(days=2), end_time=T0 - dt.timedelta(days=2)))
        row = fresh(lead)
        assert (row.call_count, row.last_called, row.last_conversation_summary) == (2, T0, "newer")

    def test_call_without_summary_keeps_the_leads_summary(self, gym, actor):
        lead = LeadFactory(gym=gym, last_conversation_summary="Imported from the old CRM.")
        services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        assert fresh(lead).last_conversation_summary == "Imported from the old CRM."

    def test_do_not_call_lead_cannot_be_queued_but_can_be_logged(self, gym, actor):
        lead = LeadFactory(gym=gym, do_not_call=True)
        with pytest.raises(Conflict, match="do-not-call"):
            services.call_create(gym=gym, actor=actor, lead=lead)
        assert not Call.all_gyms.filter(lead=lead).exists() and timeline(lead) == []
        services.call_create(gym=gym, actor=actor, lead=lead, direction="inbound")
        services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        assert fresh(lead).call_count == 2

    def test_external_call_id_is_unique_per_gym(self, gym, other_gym, lead, actor):
        first = services.call_create(gym=gym, actor=actor, lead=lead, external_call_id="ext-1", **completed())
        with pytest.raises(Conflict) as error:
            services.call_create(gym=gym, actor=actor, lead=lead, external_call_id="ext-1", **completed())
        assert error.value.extra["existing_id"] == first.pk
        services.call_create(gym=other_gym, actor=Actor.system(), lead=LeadFactory(gym=other_gym),
                             external_call_id="ext-1")
        services.call_create(gym=gym, actor=actor, lead=lead, external_call_id="")
        services.call_create(gym=gym, actor=actor, lead=lead, external_call_id="")
        assert selectors.call_by_external_id(gym=gym, external_call_id="ext-1") == first

    @pytest.mark.parametrize("fields,key", [
        ({"start_time": T0, "end_time": T0 - dt.timedelta(seconds=1)}, "end_time"),
        ({"duration": -1}, "duration"),
        ({"status": "ringing"}, "status"),
        ({"outcome": "sold"}, "outcome"),
        ({"transcript": [{"speaker": "robot", "text": "hi"}]}, "transcript"),
    ])
    def test_invalid_calls_are_refused_and_write_nothing(self, gym, lead, actor, fields, key):
        with pytest.raises(ValidationError) as error:
            services.call_create(gym=gym, actor=actor, lead=lead, **fields)
        assert key in error.value.message_dict
        assert not Call.all_gyms.exists() and timeline(lead) == []

    def test_related_rows_of_another_gym_are_refused(self, gym, other_gym, lead, actor):
        with pytest.raises(ValidationError, match="unknown"):
            services.call_create(gym=gym, actor=actor, lead=LeadFactory(gym=other_gym))
        with pytest.raises(ValidationError) as error:
            services.call_create(gym=gym, actor=actor, lead=lead, campaign=CampaignFactory(gym=other_gym))
        assert "campaign_id" in error.value.message_dict
        with pytest.raises(ValidationError):
            services.call_create(gym=gym, actor=actor, lead=lead, branch=BranchFactory(gym=other_gym))


class TestUpdate:
    def test_queued_call_completing_counts_once_and_replays_change_nothing(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        for _ in range(3):  # a webhook delivered three times
            services.call_update(call=call, actor=Actor.voice_agent(), summary="Booked a tour.",
                                 outcome="appointment_booked", **completed())
        row = fresh(lead)
        assert (row.call_count, row.last_called, row.status, row.last_conversation_summary) == (
            1, T0, "contacted", "Booked a tour.")
        assert timeline(lead) == ["call_logged", "call_logged", "call_outcome_set", "status_changed"]
        assert Call.all_gyms.get(pk=call.pk).duration == 180

    def test_replay_does_not_touch_the_row(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, **completed(notes="n"))
        stamp = Call.all_gyms.get(pk=call.pk).updated_at
        services.call_update(call=call, actor=actor, notes="n", status="completed")
        assert Call.all_gyms.get(pk=call.pk).updated_at == stamp

    def test_status_leaving_placed_states_uncounts_the_call(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, status="in_progress", start_time=T0)
        assert fresh(lead).call_count == 1
        services.call_update(call=call, actor=actor, status="canceled")
        assert (fresh(lead).call_count, fresh(lead).last_called) == (0, None)

    def test_changing_the_outcome_records_each_new_outcome(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        services.call_set_outcome(call=call, outcome="callback_requested", actor=actor)
        services.call_set_outcome(call=call, outcome="callback_requested", actor=actor)
        services.call_set_outcome(call=call, outcome="appointment_booked", actor=actor)
        outcomes = LeadActivity.all_gyms.filter(lead=lead, type="call_outcome_set").order_by("created_at")
        assert [a.data["outcome"] for a in outcomes] == ["callback_requested", "appointment_booked"]
        assert outcomes.last().data["previous_outcome"] == "callback_requested"

    def test_unknown_outcome_is_refused(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        with pytest.raises(ValidationError):
            services.call_set_outcome(call=call, outcome="sold", actor=actor)

    def test_times_moved_rederive_duration_unless_given(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        call = services.call_update(call=call, actor=actor, end_time=T0 + dt.timedelta(minutes=10))
        assert call.duration == 600
        call = services.call_update(call=call, actor=actor, end_time=T0 + dt.timedelta(minutes=20), duration=30)
        assert call.duration == 30

    def test_end_before_start_after_merge_is_refused(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        with pytest.raises(ValidationError) as error:
            services.call_update(call=call, actor=actor, start_time=T0 + dt.timedelta(hours=1))
        assert "end_time" in error.value.message_dict

    def test_requeueing_an_outbound_call_of_a_do_not_call_lead_is_refused(self, gym, actor):
        lead = LeadFactory(gym=gym)
        call = services.call_create(gym=gym, actor=actor, lead=lead, status="failed")
        Lead.all_gyms.filter(pk=lead.pk).update(do_not_call=True)
        with pytest.raises(Conflict):
            services.call_update(call=call, actor=actor, status="queued")

    def test_a_call_cannot_move_to_another_lead(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        with pytest.raises(ValidationError):
            services.call_update(call=call, actor=actor, lead=LeadFactory(gym=gym))

    def test_summary_follows_the_latest_summarised_call(self, gym, lead, actor):
        old = services.call_create(gym=gym, actor=actor, lead=lead, summary="first",
                                   **completed(start_time=T0 - dt.timedelta(days=1), end_time=None))
        new = services.call_create(gym=gym, actor=actor, lead=lead, summary="second", **completed())
        services.call_update(call=old, actor=actor, summary="first, corrected")
        assert fresh(lead).last_conversation_summary == "second"
        services.call_update(call=new, actor=actor, summary="")
        assert fresh(lead).last_conversation_summary == "first, corrected"


class TestDelete:
    def test_deleting_recomputes_the_lead_from_the_remaining_calls(self, gym, lead, actor):
        older = services.call_create(gym=gym, actor=actor, lead=lead, summary="older",
                                     **completed(start_time=T0 - dt.timedelta(days=1), end_time=None))
        newer = services.call_create(gym=gym, actor=actor, lead=lead, summary="newer", **completed())
        services.call_note_add(call=newer, author=actor.user, content="note")
        services.call_delete(call=newer, actor=actor)
        row = fresh(lead)
        assert (row.call_count, row.last_called, row.last_conversation_summary) == (
            1, T0 - dt.timedelta(days=1), "older")
        assert not CallNote.all_gyms.exists()
        services.call_delete(call=older, actor=actor)
        row = fresh(lead)
        assert (row.call_count, row.last_called, row.last_conversation_summary) == (0, None, "")
        assert LeadActivity.all_gyms.filter(lead=lead, type="lead_updated", data__reason="call_deleted").count() == 2

    def test_deleting_a_call_keeps_a_summary_from_elsewhere(self, gym, actor):
        lead = LeadFactory(gym=gym, last_conversation_summary="From the CRM.")
        call = services.call_create(gym=gym, actor=actor, lead=lead, **completed())
        services.call_delete(call=call, actor=actor)
        assert fresh(lead).last_conversation_summary == "From the CRM."


class TestNotes:
    def test_note_is_stripped_authored_and_on_the_timeline(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        note = services.call_note_add(call=call, author=actor.user, content="  Prefers evenings.  ")
        assert (note.content, note.author, note.gym_id) == ("Prefers evenings.", actor.user, gym.pk)
        entry = LeadActivity.all_gyms.get(lead=lead, type="note_added")
        assert entry.data == {"call_id": str(call.pk), "note_id": str(note.pk)}

    @pytest.mark.parametrize("content", ["", "   ", None])
    def test_empty_note_is_refused(self, gym, lead, actor, content):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        with pytest.raises(ValidationError):
            services.call_note_add(call=call, author=actor.user, content=content)

    def test_note_without_author_is_the_systems(self, gym, lead, actor):
        call = services.call_create(gym=gym, actor=actor, lead=lead)
        services.call_note_add(call=call, author=None, content="Call dropped twice.")
        assert LeadActivity.all_gyms.get(lead=lead, type="note_added").actor_type == "system"


class TestCampaigns:
    def test_defaults_come_from_the_gym(self, gym):
        gym.call_days, gym.call_hours_start, gym.call_hours_end = ["sat"], dt.time(10), dt.time(12)
        campaign = services.campaign_create(gym=gym, name="Spring")
        assert (campaign.call_days, campaign.call_hours_start, campaign.call_hours_end, campaign.status) == (
            ["sat"], dt.time(10), dt.time(12), "draft")

    def test_reversed_dates_and_hours_are_refused(self, gym):
        with pytest.raises(ValidationError) as error:
            services.campaign_create(gym=gym, name="x", start_date=dt.date(2026, 5, 2), end_date=dt.date(2026, 5, 1),
                                     call_hours_start=dt.time(18), call_hours_end=dt.time(9))
        assert set(error.value.message_dict) == {"end_date", "call_hours_end"}

    def test_adding_is_idempotent_and_removing_absent_leads_is_fine(self, gym):
        campaign = CampaignFactory(gym=gym)
        leads = LeadFactory.create_batch(3, gym=gym)
        services.campaign_add_leads(campaign=campaign, leads=leads[:2])
        services.campaign_add_leads(campaign=campaign, leads=[leads[0], leads[0], leads[2]])
        assert CampaignLead.all_gyms.filter(campaign=campaign).count() == 3
        services.campaign_remove_leads(campaign=campaign, leads=[leads[1], LeadFactory(gym=gym)])
        assert set(CampaignLead.all_gyms.filter(campaign=campaign).values_list("lead_id", flat=True)) == {
            leads[0].pk, leads[2].pk}

    def test_another_gyms_lead_refuses_the_whole_batch(self, gym, other_gym):
        campaign = CampaignFactory(gym=gym)
        with pytest.raises(ValidationError):
            services.campaign_add_leads(campaign=campaign, leads=[LeadFactory(gym=gym), LeadFactory(gym=other_gym)])
        assert not CampaignLead.all_gyms.exists()

    def test_a_campaign_with_calls_cannot_be_deleted(self, gym):
        campaign = CampaignFactory(gym=gym)
        CallFactory(gym=gym, campaign=campaign)
        with pytest.raises(Conflict):
            services.campaign_delete(campaign=campaign)


class TestRecentForLead:
    def test_latest_ten_in_short_form_in_one_query(self, gym, lead, data_queries):
        from calls.serializers import CallShortSerializer

        made = [CallFactory(gym=gym, lead=lead, start_time=T0 + dt.timedelta(hours=n)) for n in range(12)]
        unstarted = CallFactory(gym=gym, lead=lead, start_time=None, status="queued")
        CallFactory(gym=gym)  # another lead's
        with data_queries(1):
            rows = CallShortSerializer(selectors.call_recent_for_lead(lead=lead), many=True).data
        assert [row["id"] for row in rows] == [str(call.id) for call in reversed(made[2:])]
        assert set(rows[0]) == {"id", "direction", "status", "outcome", "start_time", "duration", "summary"}
        everything = selectors.call_recent_for_lead(lead=lead, limit=20)
        assert list(everything)[-1] == unstarted
