import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated

from tenants.api.viewsets import GymScopedViewSet
from tenants.models import Branch, Gym, Role, Tag, User
from tenants.permissions import API_KEY_PERMISSIONS, TENANT_PERMISSIONS
from tenants.scope import current_gym, gym_scope, unscoped
from tenants.tests.factories import TEST_PASSWORD, BranchFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_scoped_manager_fails_closed_outside_a_scope(gym, other_gym):
    TagFactory(gym=gym)
    TagFactory(gym=other_gym)
    assert Tag.objects.count() == 0
    with gym_scope(gym):
        assert list(Tag.objects.values_list("gym_id", flat=True)) == [gym.id]
    with unscoped("test"):
        assert Tag.objects.count() == 2
    assert current_gym() is None


def test_for_gym_is_explicit_and_none_means_no_rows(gym, other_gym):
    TagFactory(gym=gym)
    TagFactory(gym=other_gym)
    with unscoped("test"):
        assert list(Tag.objects.for_gym(gym).values_list("gym_id", flat=True)) == [gym.id]
        assert Tag.objects.for_gym(None).count() == 0


def test_scope_is_closed_even_when_the_body_raises(gym):
    with pytest.raises(RuntimeError):
        with gym_scope(gym):
            raise RuntimeError("boom")
    assert current_gym() is None


def test_viewsets_cannot_override_get_queryset_or_get_object():
    for name in ("get_queryset", "get_object"):
        with pytest.raises(TypeError, match="scope_queryset"):
            type("Leaky", (GymScopedViewSet,), {name: lambda self: None})
    with pytest.raises(TypeError, match="queryset"):
        type("Leaky", (GymScopedViewSet,), {"queryset": Tag.all_gyms.all()})


@pytest.mark.parametrize("name", ["get_permissions", "check_permissions", "check_object_permissions", "get_queryset"])
def test_viewsets_cannot_override_the_permission_checks_not_even_through_a_mixin(name):
    with pytest.raises(TypeError, match="read_roles"):
        type("Open", (GymScopedViewSet,), {name: lambda self, *args: []})
    mixin = type("OpenMixin", (), {name: lambda self, *args: []})
    with pytest.raises(TypeError, match="read_roles"):
        type("Open", (mixin, GymScopedViewSet), {})


def test_viewsets_keep_a_named_permission_set_on_the_class_and_on_actions():
    with pytest.raises(TypeError, match="replaces the gym permissions"):
        type("Open", (GymScopedViewSet,), {"permission_classes": [IsAuthenticated]})

    with pytest.raises(TypeError, match=r"Open\.peek replaces the gym permissions"):
        class Open(GymScopedViewSet):
            @action(detail=False, permission_classes=[AllowAny])
            def peek(self, request):
                return None

    class Machine(GymScopedViewSet):  # the voice agent's set is the one other a viewset may take
        permission_classes = API_KEY_PERMISSIONS

        @action(detail=False, permission_classes=TENANT_PERMISSIONS)
        def staff(self, request):
            return None

    assert Machine.permission_classes == API_KEY_PERMISSIONS


def test_middleware_scope_ends_with_the_request(admin_client):
    assert admin_client.get("/api/settings/tags").status_code == 200
    assert current_gym() is None


def test_gym_comes_from_the_user_row_not_from_headers_or_body(admin_client, gym, other_gym):
    TagFactory(gym=other_gym, name="theirs")
    response = admin_client.get("/api/settings/tags", HTTP_X_GYM_ID=str(other_gym.id))
    assert response.json()["pagination"]["total"] == 0
    created = admin_client.post("/api/settings/tags", {"name": "mine", "gym": str(other_gym.id),
                                                       "gym_id": str(other_gym.id)}, format="json")
    assert created.status_code == 201
    assert Tag.all_gyms.get(pk=created.json()["id"]).gym_id == gym.id


# --- commands -------------------------------------------------------------------------------


def test_create_gym_creates_gym_branch_and_admin_and_prints_the_id():
    out = io.StringIO()
    call_command("create_gym", "--name", "Iron Temple", "--timezone", "America/Chicago", "--branch", "Downtown",
                 "--admin-email", "Owner@Iron.example", "--admin-password", TEST_PASSWORD, stdout=out)
    gym = Gym.objects.get(pk=out.getvalue().strip())
    assert gym.timezone == "America/Chicago"
    branch = Branch.all_gyms.get(gym=gym)
    assert branch.name == "Downtown" and branch.timezone == "America/Chicago"
    owner = User.objects.get(email="owner@iron.example")
    assert (owner.gym, owner.branch, owner.role) == (gym, branch, Role.ADMIN)
    assert owner.check_password(TEST_PASSWORD)


def test_create_gym_rejects_a_bad_timezone_and_writes_nothing():
    with pytest.raises(CommandError, match="timezone"):
        call_command("create_gym", "--name", "X", "--timezone", "Nowhere/Land", "--branch", "B",
                     "--admin-email", "x@y.example", "--admin-password", TEST_PASSWORD, stdout=io.StringIO())
    assert not Gym.objects.exists() and not User.objects.exists()


def test_seed_demo_builds_a_gym_you_can_log_in_to(api_client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin@demo.gym" in out.getvalue()
    response = api_client().post("/api/auth/login", {"username": "admin@demo.gym", "password": "demo-password-123"},
                                 format="json")
    assert response.status_code == 200
    call_command("seed_demo", stdout=out)  # a second run leaves the existing gym alone
    assert Gym.objects.filter(name="Demo Fitness").count() == 1
    call_command("seed_demo", "--reset", stdout=out)
    assert Gym.objects.filter(name="Demo Fitness").count() == 1


# --- admin ----------------------------------------------------------------------------------


@pytest.fixture
def staff_admin(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True, email="staff@home.gym")


def test_admin_staff_see_only_their_gym(client, staff_admin, gym, other_gym):
    BranchFactory(gym=other_gym, name="Their branch")
    TagFactory(gym=other_gym, name="Their tag")
    TagFactory(gym=gym, name="Our tag")
    client.force_login(staff_admin)
    tags = client.get("/admin/tenants/tag/").content.decode()
    assert "Our tag" in tags and "Their tag" not in tags
    branches = client.get("/admin/tenants/branch/").content.decode()
    assert "Their branch" not in branches
    foreign = Tag.all_gyms.get(name="Their tag")
    assert client.get(f"/admin/tenants/tag/{foreign.pk}/change/").status_code in (302, 404)


def test_admin_add_form_offers_only_own_gym_choices_and_sets_the_gym(client, staff_admin, gym, other_gym):
    BranchFactory(gym=other_gym, name="Their branch")
    client.force_login(staff_admin)
    form = client.get("/admin/tenants/user/add/").content.decode()
    assert "Their branch" not in form
    response = client.post("/admin/tenants/tag/add/", {"name": "Admin made", "color": "#123456"})
    assert response.status_code == 302
    assert Tag.all_gyms.get(name="Admin made").gym == gym


def test_superuser_sees_every_gym_in_the_admin(client, gym, other_gym):
    TagFactory(gym=gym, name="Ours")
    TagFactory(gym=other_gym, name="Theirs")
    root = User.objects.create_superuser("root@ops.example", TEST_PASSWORD)
    client.force_login(root)
    page = client.get("/admin/tenants/tag/").content.decode()
    assert "Ours" in page and "Theirs" in page


def test_agents_without_staff_flag_cannot_use_the_admin(client, agent_user):
    client.force_login(agent_user)
    assert client.get("/admin/tenants/tag/").status_code == 302


# --- production settings ----------------------------------------------------------------------


def _settings_import(env):
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='reps_dashboard.settings'; django.setup()"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JWT_", "FIELD_ENCRYPTION_KEY"))}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                          cwd=django_settings.BASE_DIR)


@pytest.mark.parametrize("env,message", [
    ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY"),
    ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40}, "JWT_SIGNING_KEY"),
    ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40, "JWT_SIGNING_KEY": "s" * 40}, "must differ"),
    ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40, "JWT_SIGNING_KEY": "j" * 40}, "DJANGO_ALLOWED_HOSTS"),
    ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40, "JWT_SIGNING_KEY": "j" * 40,
      "DJANGO_ALLOWED_HOSTS": "api.example.com"}, "FIELD_ENCRYPTION_KEY"),
    ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40, "JWT_SIGNING_KEY": "j" * 40,
      "DJANGO_ALLOWED_HOSTS": "api.example.com", "FIELD_ENCRYPTION_KEY": "not-a-fernet-key"}, "FIELD_ENCRYPTION_KEY"),
])
def test_production_refuses_to_start_without_real_secrets(env, message):
    result = _settings_import(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_real_secrets():
    result = _settings_import({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "s" * 40, "JWT_SIGNING_KEY": "j" * 40,
                               "DJANGO_ALLOWED_HOSTS": "api.example.com",
                               "FIELD_ENCRYPTION_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="})
    assert result.returncode == 0, result.stderr
