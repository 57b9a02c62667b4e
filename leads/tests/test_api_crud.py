"""Create, read, update, delete, status, tags and timeline through HTTP."""

import pytest
from django.urls import reverse

from leads.models import ActivityType, Lead, LeadActivity, LeadTag
from tenants.models import Role
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

from .factories import LeadActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db

LIST = "/api/leads"
VALID = {"first_name": "Jane", "last_name": "Doe", "phone": "(212) 555-0123"}
LEAD_FIELDS = {"id", "first_name", "last_name", "full_name", "phone", "email", "status", "source", "notes", "interest",
               "interest_location", "branch_id", "branch_name", "assigned_to_id", "last_conversation_summary",
               "last_called", "score", "call_count", "appointment_date", "do_not_call", "lost_reason", "tags",
               "created_at", "updated_at"}


def detail(lead_id, suffix=""):
    return f"/api/leads/{lead_id}{suffix}"


def types(lead):
    return list(LeadActivity.objects.for_gym(lead.gym).filter(lead=lead).order_by("created_at")
                .values_list("type", flat=True))


class TestCreate:
    def test_agent_creates_a_lead_with_defaults_normalised_phone_and_their_branch(self, agent_client, agent_user,
                                                                                   gym):
        response = agent_client.post(LIST, VALID, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == LEAD_FIELDS | {"assigned_to", "calls", "appointments"}
        assert body["phone"] == "+12125550123"
        assert body["status"] == "new" and body["source"] == "other"
        assert body["full_name"] == "Jane Doe"
        assert body["branch_id"] == str(agent_user.branch_id) and body["branch_name"] == "Main"
        assert body["assigned_to"] is None and body["calls"] == [] and body["appointments"] == []
        assert body["appointment_date"] is None and body["call_count"] == 0 and body["tags"] == []
        assert body["created_at"].endswith(("Z", "+00:00"))
        lead = Lead.objects.for_gym(gym).get()
        assert types(lead) == [ActivityType.LEAD_CREATED]

    def test_create_with_every_optional_field(self, admin_client, gym, branch):
        other_branch = BranchFactory(gym=gym, name="Uptown")
        staff = UserFactory(gym=gym, branch=branch, role=Role.AGENT, first_name="Sam", last_name="Rivera")
        vip, hot = TagFactory(gym=gym, name="VIP", color="#8E24AA"), TagFactory(gym=gym, name="Hot Lead")
        response = admin_client.post(LIST, {
            **VALID, "email": "Jane.Doe@EXAMPLE.com", "status": "lost", "source": "walk_in", "notes": "Asked about yoga",
            "interest": "Yoga", "interest_location": "Uptown", "branch_id": str(other_branch.id),
            "assigned_to_id": str(staff.id), "score": 0.75, "do_not_call": True, "lost_reason": "Too expensive",
            "tags": [str(vip.id), str(hot.id), str(vip.id)]}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["email"] == "Jane.Doe@example.com"
        assert body["branch_name"] == "Uptown" and body["assigned_to_id"] == str(staff.id)
        assert body["assigned_to"] == {"id": str(staff.id), "first_name": "Sam", "last_name": "Rivera"}
        assert body["score"] == 0.75 and body["do_not_call"] is True and body["lost_reason"] == "Too expensive"
        assert [tag["name"] for tag in body["tags"]] == ["Hot Lead", "VIP"]
        assert {"id": str(vip.id), "name": "VIP", "color": "#8E24AA"} in body["tags"]

    def test_duplicate_phone_is_409_with_the_existing_id(self, agent_client, gym):
        existing = LeadFactory(gym=gym, phone="+12125550123")
        response = agent_client.post(LIST, {**VALID, "phone": "+1 212-555-0123"}, format="json")
        assert response.status_code == 409
        assert response.json()["existing_id"] == str(existing.id)
        assert Lead.objects.for_gym(gym).count() == 1

    def test_the_same_phone_in_another_gym_is_no_duplicate(self, agent_client, gym, other_gym):
        LeadFactory(gym=other_gym, phone="+12125550123")
        assert agent_client.post(LIST, VALID, format="json").status_code == 201

    @pytest.mark.parametrize("change,field", [
        ({"phone": "not a phone"}, "phone"),
        ({"phone": "555 0123"}, "phone"),
        ({"phone": "123456789012"}, "phone"),
        ({"phone": "415.555.0142"}, "phone"),
        ({"email": "jane@"}, "email"),
        ({"status": "hot"}, "status"),
        ({"source": "Walk In"}, "source"),
        ({"score": 1.5}, "score"),
        ({"score": -0.1}, "score"),
        ({"first_name": "  "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
        ({"assigned_to_id": "not-a-uuid"}, "assigned_to_id"),
        ({"tags": ["00000000-0000-4000-8000-000000000000"]}, "tags"),
        ({"tags": "VIP"}, "tags"),
    ])
    def test_invalid_field_is_400_naming_it(self, agent_client, gym, change, field):
        response = agent_client.post(LIST, {**VALID, **change}, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not Lead.objects.for_gym(gym).exists()

    def test_required_fields(self, agent_client):
        response = agent_client.post(LIST, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"first_name", "last_name", "phone"}

    def test_another_gyms_branch_assignee_and_tag_are_refused_like_missing_ones(self, agent_client, other_gym):
        foreign_branch = BranchFactory(gym=other_gym)
        foreign_user = UserFactory(gym=other_gym, branch=foreign_branch)
        foreign_tag = TagFactory(gym=other_gym)
        response = agent_client.post(LIST, {**VALID, "branch_id": str(foreign_branch.id),
                                            "assigned_to_id": str(foreign_user.id), "tags": [str(foreign_tag.id)]},
                                     format="json")
        assert response.status_code == 400
        body = response.json()
        missing = agent_client.post(LIST, {**VALID, "branch_id": "00000000-0000-4000-8000-000000000000"},
                                    format="json").json()
        assert body["branch_id"] == missing["branch_id"]
        assert body["assigned_to_id"] == body["branch_id"] and body["tags"] == {"0": body["branch_id"]}

    def test_an_inactive_staff_member_cannot_be_assigned(self, agent_client, gym, branch):
        gone = UserFactory(gym=gym, branch=branch, is_active=False)
        response = agent_client.post(LIST, {**VALID, "assigned_to_id": str(gone.id)}, format="json")
        assert response.status_code == 400 and "assigned_to_id" in response.json()

    def test_phone_is_read_for_the_gyms_country(self, agent_client, gym):
        gym.country = "GB"
        gym.save()
        response = agent_client.post(LIST, {**VALID, "phone": "020 7946 0958"}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["phone"] == "+442079460958"


class TestRead:
    def test_detail_has_assignee_calls_and_appointments(self, agent_client, gym, branch, agent_user):
        lead = LeadFactory(gym=gym, branch=branch, assigned_to=agent_user)
        response = agent_client.get(detail(lead.id))
        assert response.status_code == 200
        body = response.json()
        assert body["assigned_to"]["id"] == str(agent_user.id)
        assert body["calls"] == [] and body["appointments"] == []
        assert reverse("lead-detail", args=[lead.id]) == f"/api/leads/{lead.id}"

    def test_malformed_and_unknown_ids_are_404(self, agent_client):
        assert agent_client.get(detail("not-a-uuid")).status_code == 404
        assert agent_client.get(detail("00000000-0000-4000-8000-000000000000")).status_code == 404

    def test_another_gyms_lead_is_404(self, agent_client, other_gym):
        assert agent_client.get(detail(LeadFactory(gym=other_gym).id)).status_code == 404

    def test_routes_answer_with_and_without_slash(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        for path in (LIST, LIST + "/", detail(lead.id), detail(lead.id) + "/", "/api/leads/prioritized/"):
            assert agent_client.get(path).status_code == 200, path

    def test_anonymous_is_401(self, api_client):
        response = api_client().get(LIST)
        assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]


class TestUpdate:
    def test_patch_returns_updated_values_and_records_changed_fields(self, agent_client, gym):
        lead = LeadFactory(gym=gym, notes="")
        response = agent_client.patch(detail(lead.id), {"notes": "Call after 6pm", "interest": "Boxing",
                                                        "first_name": lead.first_name}, format="json")
        assert response.status_code == 200
        assert response.json()["notes"] == "Call after 6pm" and response.json()["interest"] == "Boxing"
        entry = LeadActivity.objects.for_gym(gym).get(lead=lead)
        assert entry.type == ActivityType.LEAD_UPDATED and entry.data == {"fields": ["notes", "interest"]}

    def test_put_is_partial_too(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        response = agent_client.put(detail(lead.id), {"email": "new@example.com"}, format="json")
        assert response.status_code == 200 and response.json()["email"] == "new@example.com"
        assert response.json()["first_name"] == lead.first_name

    def test_unchanged_values_record_nothing(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        assert agent_client.patch(detail(lead.id), {"phone": lead.phone}, format="json").status_code == 200
        assert types(lead) == []

    def test_status_assignee_and_do_not_call_have_their_own_entries(self, agent_client, gym, branch, agent_user):
        lead = LeadFactory(gym=gym, branch=branch)
        response = agent_client.patch(detail(lead.id), {"status": "qualified", "assigned_to_id": str(agent_user.id),
                                                        "do_not_call": True, "score": 0.4}, format="json")
        assert response.status_code == 200
        entries = {e.type: e for e in LeadActivity.objects.for_gym(gym).filter(lead=lead)}
        assert set(entries) == {"status_changed", "assigned", "do_not_call_set", "lead_updated"}
        assert entries["status_changed"].data["from"] == "new" and entries["status_changed"].data["to"] == "qualified"
        assert entries["assigned"].data["to"] == str(agent_user.id)
        assert entries["lead_updated"].data == {"fields": ["score"]}
        assert entries["status_changed"].actor_user == agent_user

    def test_tags_in_an_update_replace_the_set(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        keep, drop, new = (TagFactory(gym=gym) for _ in range(3))
        LeadTag.objects.for_gym(gym).bulk_create([LeadTag(gym=gym, lead=lead, tag=keep),
                                                  LeadTag(gym=gym, lead=lead, tag=drop)])
        response = agent_client.patch(detail(lead.id), {"tags": [str(keep.id), str(new.id)]}, format="json")
        assert {t["id"] for t in response.json()["tags"]} == {str(keep.id), str(new.id)}
        assert sorted(types(lead)) == ["tag_added", "tag_removed"]

    def test_phone_taken_by_another_lead_is_409(self, agent_client, gym):
        first, second = LeadFactory(gym=gym), LeadFactory(gym=gym)
        response = agent_client.patch(detail(second.id), {"phone": first.phone}, format="json")
        assert response.status_code == 409 and response.json()["existing_id"] == str(first.id)

    def test_invalid_update_is_400_and_changes_nothing(self, agent_client, gym):
        lead = LeadFactory(gym=gym, email="a@example.com")
        response = agent_client.patch(detail(lead.id), {"email": "nope", "notes": "x"}, format="json")
        assert response.status_code == 400 and "email" in response.json()
        lead.refresh_from_db()
        assert lead.email == "a@example.com" and lead.notes == ""


class TestStatus:
    def test_status_endpoint_sets_status_and_lost_reason(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        response = agent_client.patch(detail(lead.id, "/status"), {"status": "lost", "lost_reason": "Moved away"},
                                      format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "lost" and response.json()["lost_reason"] == "Moved away"
        entry = LeadActivity.objects.for_gym(gym).get(lead=lead)
        assert entry.type == "status_changed" and "Moved away" in entry.description

    def test_leaving_lost_clears_the_reason(self, agent_client, gym):
        lead = LeadFactory(gym=gym, status="lost", lost_reason="Too expensive")
        response = agent_client.patch(detail(lead.id, "/status"), {"status": "contacted"}, format="json")
        assert response.json()["lost_reason"] == ""

    def test_unknown_status_is_400(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        response = agent_client.patch(detail(lead.id, "/status"), {"status": "won"}, format="json")
        assert response.status_code == 400 and "status" in response.json()

    def test_same_status_records_nothing(self, agent_client, gym):
        lead = LeadFactory(gym=gym, status="contacted")
        assert agent_client.patch(detail(lead.id, "/status"), {"status": "contacted"}, format="json").status_code == 200
        assert types(lead) == []


class TestTags:
    def test_add_and_remove_tags_by_id(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        vip, hot = TagFactory(gym=gym, name="VIP"), TagFactory(gym=gym, name="Hot")
        response = agent_client.post(detail(lead.id, "/tags"), [str(vip.id), str(hot.id)], format="json")
        assert response.status_code == 200
        assert [t["name"] for t in response.json()["tags"]] == ["Hot", "VIP"]
        again = agent_client.post(detail(lead.id, "/tags"), [str(vip.id)], format="json")
        assert len(again.json()["tags"]) == 2
        response = agent_client.delete(detail(lead.id, "/tags"), [str(vip.id)], format="json")
        assert response.status_code == 200 and [t["name"] for t in response.json()["tags"]] == ["Hot"]
        assert sorted(types(lead)) == ["tag_added", "tag_added", "tag_removed"]

    def test_another_gyms_tag_is_400_like_a_missing_one(self, agent_client, gym, other_gym):
        lead = LeadFactory(gym=gym)
        foreign = agent_client.post(detail(lead.id, "/tags"), [str(TagFactory(gym=other_gym).id)], format="json")
        missing = agent_client.post(detail(lead.id, "/tags"), ["00000000-0000-4000-8000-000000000000"], format="json")
        assert foreign.status_code == missing.status_code == 400
        assert foreign.json() == missing.json()
        assert not LeadTag.objects.for_gym(gym).exists()

    def test_body_must_be_a_list(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        response = agent_client.post(detail(lead.id, "/tags"), {"tags": []}, format="json")
        assert response.status_code == 400


class TestDelete:
    def test_agent_cannot_delete_lead(self, agent_client, gym):
        lead = LeadFactory(gym=gym)
        assert agent_client.delete(detail(lead.id)).status_code == 403
        assert Lead.objects.for_gym(gym).filter(pk=lead.pk).exists()

    @pytest.mark.parametrize("client_fixture", ["manager_client", "admin_client"])
    def test_manager_and_admin_delete_then_404(self, request, client_fixture, gym):
        client = request.getfixturevalue(client_fixture)
        lead = LeadFactory(gym=gym)
        LeadActivityFactory(gym=gym, lead=lead)
        assert client.delete(detail(lead.id)).status_code == 204
        assert client.delete(detail(lead.id)).status_code == 404
        assert not LeadActivity.objects.for_gym(gym).exists()


class TestActivities:
    def test_timeline_is_paginated_newest_first_with_actor(self, agent_client, agent_user, gym):
        created = agent_client.post(LIST, VALID, format="json").json()
        agent_client.patch(detail(created["id"], "/status"), {"status": "contacted"}, format="json")
        response = agent_client.get(detail(created["id"], "/activities"), {"limit": 1})
        assert response.status_code == 200
        body = response.json()
        assert body["pagination"] == {"total": 2, "page": 1, "limit": 1, "pages": 2}
        entry = body["data"][0]
        assert entry["type"] == "status_changed" and entry["lead_id"] == created["id"]
        assert entry["actor"] == {"type": "user", "id": str(agent_user.id), "name": agent_user.full_name}
        assert entry["data"] == {"from": "new", "to": "contacted", "lost_reason": ""}
        assert set(entry) == {"id", "lead_id", "type", "description", "actor", "data", "created_at"}

    def test_timeline_query_count_does_not_grow(self, agent_client, gym, data_queries):
        lead = LeadFactory(gym=gym)
        LeadActivityFactory.create_batch(30, gym=gym, lead=lead)
        with data_queries(4):
            agent_client.get(detail(lead.id, "/activities"), {"limit": 1})
        with data_queries(4):
            agent_client.get(detail(lead.id, "/activities"), {"limit": 50})
