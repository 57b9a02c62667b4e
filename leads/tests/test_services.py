"""The services other apps call (voice agent webhook, calls, appointments): names, rules, timeline."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from leads import selectors, services
from leads.activity import Actor
from leads.models import ActivityType, ActorType, Lead, LeadActivity, LeadTag
from reps_dashboard.errors import Conflict
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

AGENT = Actor.voice_agent()


def timeline(lead):
    return list(LeadActivity.objects.for_gym(lead.gym).filter(lead=lead).order_by("created_at", "id"))


def test_a_lead_a_staff_member_creates_without_a_branch_goes_to_their_branch(gym, branch, agent_user):
    staff = Actor.for_user(agent_user)
    lead = services.lead_create(gym=gym, actor=staff, first_name="A", last_name="B", phone="+12125550123")
    assert lead.branch == branch == agent_user.branch
    chosen = BranchFactory(gym=gym)
    assert services.lead_create(gym=gym, actor=staff, first_name="C", last_name="D", phone="+12125550124",
                                branch=chosen).branch == chosen
    assert services.lead_create(gym=gym, actor=staff, first_name="E", last_name="F", phone="+12125550125",
                                branch=None).branch is None  # an explicit "no branch" stays
    assert services.lead_create(gym=gym, actor=AGENT, first_name="G", last_name="H",
                                phone="+12125550126").branch is None  # the voice agent has no branch


def test_voice_agent_creates_a_lead_and_is_the_actor(gym):
    lead = services.lead_create(gym=gym, actor=AGENT, first_name=" Jane ", last_name="Doe", phone="212 555 0123",
                                source="phone", email="Jane@Example.COM")
    assert (lead.first_name, lead.phone, lead.email, lead.status) == ("Jane", "+12125550123", "Jane@example.com", "new")
    [entry] = timeline(lead)
    assert entry.type == ActivityType.LEAD_CREATED and entry.actor_type == ActorType.VOICE_AGENT
    assert entry.actor_name == "AI voice agent" and entry.data["source"] == "phone"


def test_duplicate_phone_is_a_conflict_naming_the_existing_lead_inside_an_outer_transaction(gym):
    existing = LeadFactory(gym=gym, phone="+12125550123")
    with transaction.atomic():  # e.g. a webhook handler's transaction stays usable afterwards
        with pytest.raises(Conflict) as caught:
            services.lead_create(gym=gym, actor=AGENT, first_name="A", last_name="B", phone="(212) 555-0123")
        assert caught.value.extra == {"existing_id": existing.id}
        assert Lead.objects.for_gym(gym).count() == 1


def test_the_unique_constraint_catches_what_the_check_missed(gym, monkeypatch):
    existing = LeadFactory(gym=gym, phone="+12125550123")
    checks = []
    real_refuse = services._refuse_duplicate

    def blind_first_check(gym_, lead):
        checks.append(lead)
        if len(checks) > 1:  # only the check after the failed insert sees the row
            real_refuse(gym_, lead)

    monkeypatch.setattr(services, "_refuse_duplicate", blind_first_check)
    with pytest.raises(Conflict) as caught:
        services.lead_create(gym=gym, actor=AGENT, first_name="A", last_name="B", phone="+12125550123")
    assert caught.value.extra["existing_id"] == existing.id


@pytest.mark.parametrize("field", ["branch", "assigned_to", "tags"])
def test_related_rows_of_another_gym_are_refused(gym, other_gym, field):
    branch = BranchFactory(gym=other_gym)
    value = {"branch": branch, "assigned_to": UserFactory(gym=other_gym, branch=branch),
             "tags": [TagFactory(gym=other_gym)]}[field]
    with pytest.raises(ValidationError):
        services.lead_create(gym=gym, actor=AGENT, first_name="A", last_name="B", phone="+12125550123",
                             **{field: value})
    assert not Lead.objects.for_gym(gym).exists()


def test_unknown_or_call_maintained_fields_are_a_programming_error(gym):
    lead = LeadFactory(gym=gym)
    with pytest.raises(TypeError, match="call_count"):
        services.lead_update(lead=lead, actor=AGENT, call_count=3)


def test_invalid_values_are_validation_errors(gym):
    with pytest.raises(ValidationError) as caught:
        services.lead_create(gym=gym, actor=AGENT, first_name="A", last_name="B", phone="+12125550123", score=2)
    assert "score" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.lead_create(gym=gym, actor=AGENT, first_name="A", last_name="B", phone="nope")
    assert "phone" in caught.value.message_dict


def test_update_records_assignment_and_changed_fields(gym, branch):
    staff = UserFactory(gym=gym, branch=branch, first_name="Sam", last_name="Rivera")
    lead = LeadFactory(gym=gym, branch=branch)
    services.lead_update(lead=lead, actor=AGENT, assigned_to=staff, interest="Yoga", notes="Morning person")
    services.lead_update(lead=lead, actor=AGENT, assigned_to=None)
    entries = timeline(lead)
    assert [(e.type, e.description) for e in entries] == [
        ("assigned", "Assigned to Sam Rivera"), ("lead_updated", "Updated interest, notes"),
        ("assigned", "Unassigned (was Sam Rivera)")]
    assert entries[1].data == {"fields": ["interest", "notes"]}


def test_set_status_and_do_not_call(gym):
    lead = LeadFactory(gym=gym)
    lead = services.lead_set_status(lead=lead, status="lost", actor=AGENT, lost_reason="Joined another gym")
    assert (lead.status, lead.lost_reason) == ("lost", "Joined another gym")
    lead = services.lead_set_do_not_call(lead=lead, actor=AGENT)
    assert lead.do_not_call is True
    services.lead_set_do_not_call(lead=lead, actor=AGENT)  # already set: nothing recorded
    entries = timeline(lead)
    assert [e.type for e in entries] == ["status_changed", "do_not_call_set"]
    assert entries[0].data == {"from": "new", "to": "lost", "lost_reason": "Joined another gym"}
    assert entries[1].description == "Marked do-not-call"
    lead.refresh_from_db()
    assert lead.do_not_call and lead.status == "lost"


def test_updates_keep_fields_the_calls_app_maintains(gym):
    lead = LeadFactory(gym=gym)
    Lead.all_gyms.filter(pk=lead.pk).update(call_count=4, last_conversation_summary="Wants a tour")
    services.lead_update(lead=lead, actor=AGENT, notes="stale instance")  # lead still says call_count=0
    lead.refresh_from_db()
    assert lead.call_count == 4 and lead.last_conversation_summary == "Wants a tour"


def test_add_and_remove_tags(gym):
    lead = LeadFactory(gym=gym)
    vip, hot = TagFactory(gym=gym, name="VIP"), TagFactory(gym=gym, name="Hot")
    services.lead_add_tags(lead=lead, tags=[vip, hot, vip], actor=AGENT)
    services.lead_add_tags(lead=lead, tags=[vip], actor=AGENT)
    services.lead_remove_tags(lead=lead, tags=[hot, TagFactory(gym=gym)], actor=AGENT)
    assert list(LeadTag.objects.for_gym(gym).filter(lead=lead).values_list("tag__name", flat=True)) == ["VIP"]
    assert sorted(e.description for e in timeline(lead)) == ['Tag "Hot" added', 'Tag "Hot" removed',
                                                             'Tag "VIP" added']


def test_delete_is_logged_with_its_actor(gym, caplog):
    lead = LeadFactory(gym=gym)
    lead_id = lead.pk
    user = UserFactory(gym=gym, branch=None)
    with caplog.at_level(logging.INFO, logger="leads.services"):
        services.lead_delete(lead=lead, actor=Actor.for_user(user))
    assert not Lead.objects.for_gym(gym).exists()
    assert str(lead_id) in caplog.text and str(user.pk) in caplog.text


@pytest.mark.parametrize("written", ["+12125550123", "(212) 555-0123", "212.555.0123", "1 212 555 0123"])
def test_find_by_phone_however_it_is_written(gym, other_gym, written):
    lead = LeadFactory(gym=gym, phone="+12125550123")
    LeadFactory(gym=other_gym, phone="+12125550123")
    assert selectors.lead_find_by_phone(gym=gym, phone=written) == lead


def test_find_by_phone_unknown_or_garbage_is_none(gym):
    assert selectors.lead_find_by_phone(gym=gym, phone="+12125550199") is None
    assert selectors.lead_find_by_phone(gym=gym, phone="call me") is None
