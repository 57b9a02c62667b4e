"""Admin permissions and actions follow the API's roles: one mechanism, checked for every model admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from appointments.models import Appointment
from appointments.views import AppointmentViewSet
from calls.models import Call, Campaign
from calls.views import CallViewSet, CampaignViewSet
from knowledge.models import KnowledgeEntry, KnowledgeSource
from knowledge.views import KnowledgeEntryViewSet, KnowledgeSourceViewSet
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leads.views import LeadViewSet
from tenants.admin_base import GymScopedAdmin, role_action
from tenants.models import ApiKey, Branch, Role, Tag
from tenants.permissions import ADMIN, ALL_ROLES
from tenants.tests.factories import UserFactory
from tenants.views import ApiKeyViewSet, BranchViewSet, TagViewSet
from voice.models import RetellIntegration
from voice.views import RetellIntegrationView

pytestmark = pytest.mark.django_db

# Each model admin and the API view over the same rows.
SAME_ROWS = {
    Lead: LeadViewSet, Call: CallViewSet, Campaign: CampaignViewSet, KnowledgeEntry: KnowledgeEntryViewSet,
    KnowledgeSource: KnowledgeSourceViewSet, Tag: TagViewSet, Branch: BranchViewSet, ApiKey: ApiKeyViewSet,
    RetellIntegration: RetellIntegrationView, Appointment: AppointmentViewSet,
}
SCOPED_ADMINS = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, GymScopedAdmin)]


def api_roles(view):
    write = getattr(view, "write_roles", ADMIN)
    return {"read": set(getattr(view, "read_roles", ALL_ROLES)), "write": set(write),
            "delete": set(getattr(view, "delete_roles", write))}


@pytest.mark.parametrize("model", list(SAME_ROWS), ids=lambda model: model.__name__)
def test_each_model_admin_has_the_roles_of_its_api(model):
    model_admin = admin.site._registry[model]
    expected = api_roles(SAME_ROWS[model])
    assert set(model_admin.read_roles) == expected["read"]
    assert set(model_admin.delete_roles) == expected["delete"]
    if model_admin.has_change_permission.__func__ is GymScopedAdmin.has_change_permission:  # not read-only
        assert set(model_admin.write_roles) == expected["write"]


def test_the_lead_export_action_has_the_roles_of_the_api_export():
    assert admin.site._registry[Lead].export_csv.allowed_roles == LeadViewSet.action_roles["export"]


def request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("model_admin", SCOPED_ADMINS, ids=lambda model_admin: model_admin.model.__name__)
def test_every_admin_offers_each_role_only_its_actions_and_deletes(model_admin, role, gym, branch):
    request = request_as(UserFactory(gym=gym, branch=branch, role=role, is_staff=True))
    actions = model_admin.get_actions(request)
    assert model_admin.has_delete_permission(request) == (role in model_admin.delete_roles)
    assert ("delete_selected" in actions) == (role in model_admin.delete_roles)
    for name, (func, _, _) in actions.items():
        assert role in getattr(func, "allowed_roles", ALL_ROLES), name
    if role == Role.AGENT:
        assert not model_admin.has_delete_permission(request) and "export_csv" not in actions


def test_an_action_without_roles_is_refused_when_the_admin_is_defined():
    def unguarded(modeladmin, request, queryset):
        queryset.delete()

    with pytest.raises(TypeError, match="must be a role_action"):
        type("LooseAdmin", (GymScopedAdmin,), {"actions": [unguarded], "__module__": __name__})
    guarded = role_action(roles=ADMIN, description="Guarded")(unguarded)
    assert type("TightAdmin", (GymScopedAdmin,), {"actions": [guarded], "__module__": __name__})


def test_nobody_outside_a_gym_is_offered_anything():
    request = request_as(AnonymousUser())
    for model_admin in SCOPED_ADMINS:
        assert model_admin.get_actions(request) == {} and not model_admin.has_view_permission(request)


def test_an_agent_cannot_post_the_export_or_a_delete(client, gym, branch):
    agent = UserFactory(gym=gym, branch=branch, role=Role.AGENT, is_staff=True)
    client.force_login(agent)
    lead = LeadFactory(gym=gym, branch=branch)
    for action in ("export_csv", "delete_selected"):
        response = client.post("/admin/leads/lead/", {"action": action, "_selected_action": [str(lead.pk)]})
        assert not response.get("Content-Type", "").startswith("text/csv")
        assert response.status_code in (200, 302)
    assert client.post(f"/admin/leads/lead/{lead.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Lead.all_gyms.filter(pk=lead.pk).exists()


def test_a_manager_exports_and_an_admin_deletes(client, gym, branch):
    lead = LeadFactory(gym=gym, branch=branch)
    client.force_login(UserFactory(gym=gym, branch=branch, role=Role.MANAGER, is_staff=True))
    response = client.post("/admin/leads/lead/", {"action": "export_csv", "_selected_action": [str(lead.pk)]})
    assert response["Content-Type"].startswith("text/csv")
    client.force_login(UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True))
    assert client.post(f"/admin/leads/lead/{lead.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Lead.all_gyms.filter(pk=lead.pk).exists()
