"""The permission conventions, proven on every route: a view that forgets its permissions, replaces
them or grants a role too much fails here, without anyone writing a test for it.

* Every API route declares one of the named permission sets (``tenants.permissions``); the gym
  permissions are DRF's default, and each opt-out is listed below by route name.
* Through HTTP, on every operation: no credentials is a 401, a gym-less account a 403, a gym API
  key opens the voice agent's machine endpoints only, and a staff token never opens those.
* The role matrix: every operation, as an agent and as a manager, is refused (403) exactly when
  the roles of the contract exclude it.
"""

import pytest
from rest_framework.test import APIClient
from rest_framework.views import APIView

from reps_dashboard.tests.hardening import raw_schema
from reps_dashboard.tests.routes import ANY_ID, PARAM, routes, view_class
from tenants.api_keys import api_key_create
from tenants.authentication import ApiKeyAuthentication
from tenants.middleware import MACHINE_PREFIXES
from tenants.models import Role, User
from tenants.permissions import HasRole, permission_set_name
from tenants.tests.factories import UserFactory

GYM_SETS = ("tenant", "api key")
# Every route outside the gym permissions, by name: adding one is a decision to review here.
OPT_OUTS = {
    "credentials": {"auth-login", "auth-refresh", "auth-refresh-token"},
    "own account": {"auth-logout", "auth-me", "auth-change-password"},
    "signed webhook": {"voice-retell-webhook"},
    "public documentation": {"schema", "swagger-ui", "redoc"},
}
PUBLIC_SETS = ("credentials", "signed webhook", "public documentation")
SEALED = ("get_permissions", "check_permissions", "check_object_permissions")
# Outside /api/: plain Django views, by name (the Django admin has its own login and gym scoping).
NON_API = set()  # the health probes answer in reps_dashboard/probes.py, before routing


def _name(route):
    return f"{route.path} ({route.name})"


def test_a_view_that_says_nothing_gets_the_gym_permissions():
    class Forgetful(APIView):
        pass

    assert permission_set_name(Forgetful.permission_classes) == "tenant"
    assert any(isinstance(check, HasRole) for check in Forgetful().get_permissions())


def test_every_api_route_is_a_drf_view_with_a_named_permission_set():
    problems = []
    for route in routes():
        if route.view_class is None:
            problems.append(f"{_name(route)}: not a DRF view, so no permission applies")
            continue
        name = permission_set_name(route.permission_classes)
        if name is None:
            problems.append(f"{_name(route)}: permission_classes {route.permission_classes} is no named set")
        elif name not in GYM_SETS and route.name not in OPT_OUTS[name]:
            problems.append(f"{_name(route)}: opts out of the gym permissions ({name}) without being listed")
        overridden = [method for method in SEALED if getattr(route.view_class, method) is not getattr(APIView, method)]
        if overridden:
            problems.append(f"{_name(route)}: overrides {overridden}")
    assert problems == []


def test_every_listed_opt_out_is_routed_with_its_set():
    by_name = {route.name: permission_set_name(route.permission_classes) for route in routes() if route.view_class}
    assert {name: by_name.get(name) for names in OPT_OUTS.values() for name in names} == {
        name: kind for kind, names in OPT_OUTS.items() for name in names}


def test_api_keys_open_the_voice_agent_endpoints_and_nothing_else():
    for route in routes():
        if route.view_class is None:
            continue
        machine = permission_set_name(route.permission_classes) == "api key"
        key_accepted = ApiKeyAuthentication in route.authentication_classes
        assert machine == key_accepted, f"{_name(route)}: API key accepted {key_accepted}, key permissions {machine}"
        # The tenant middleware resolves a key's gym under the machine prefixes only.
        assert not machine or route.path.startswith(MACHINE_PREFIXES), _name(route)
        assert not machine or route.authentication_classes == [ApiKeyAuthentication], _name(route)


def test_every_route_outside_the_api_is_known():
    outside = {route.name for route in routes(prefix="/") if not (route.path + "/").startswith(("/api/", "/admin/"))}
    assert outside == NON_API


# --- through HTTP ----------------------------------------------------------------------------


def _operations():
    params = []
    for path, item in raw_schema()["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                params.append(pytest.param(method, path, id=f"{method.upper()} {path}"))
    return params


def _set_of(path):
    return permission_set_name(view_class(path).permission_classes)


def _send(client, method, path):
    url = PARAM.sub(ANY_ID, path)
    if method in ("post", "put", "patch"):
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


@pytest.mark.parametrize("method,path", _operations())
def test_credentials_are_required_and_kept_apart(method, path, api_client, admin_user, key_client):
    kind = _set_of(path)
    if kind in PUBLIC_SETS:
        return  # its own credential (a password, a refresh token, a signature) is checked by the view
    assert _send(APIClient(), method, path).status_code == 401, "no credentials"
    gymless = api_client(User.objects.create_superuser("root@ops.example", "long-enough-pass-1"))
    staff = api_client(admin_user)
    if kind == "tenant":
        assert _send(gymless, method, path).status_code == 403, "a gym-less account"
        assert _send(key_client, method, path).status_code == 401, "a gym API key on a staff endpoint"
        assert _send(staff, method, path).status_code not in (401, 403), "the gym's admin"
    elif kind == "api key":
        assert _send(staff, method, path).status_code == 401, "a staff token on a machine endpoint"
        if path.startswith("/api/intake/"):  # a key opens the endpoints of its scope only
            assert _send(key_client, method, path).status_code == 403, "a voice key on lead capture"
            key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_create(gym=admin_user.gym, name='form', scope='intake')[1]}")
        assert _send(key_client, method, path).status_code not in (401, 403), "the gym's API key"
    else:
        assert kind == "own account", kind
        assert _send(gymless, method, path).status_code not in (401, 403), "any signed-in user"


# --- the role matrix (contract: roles) -------------------------------------------------------------

# Settings only an admin writes: the gym, its branches, staff, API keys and voice integration.
ADMIN_SETTINGS = ("/api/settings/gym", "/api/settings/branches", "/api/settings/users", "/api/settings/api-keys",
                  "/api/settings/integrations", "/api/auth/users")
# What an agent creates and updates (never deletes): leads, calls with their notes, appointments.
AGENT_WRITES = ("/api/leads", "/api/calls", "/api/appointments")
# Whole-list files move many leads at once: managers and admins.
LEAD_FILES = ("/api/leads/import/", "/api/leads/import/{import_id}/", "/api/leads/export/")
LEAD_TAGS = "/api/leads/{id}/tags/"  # adding or removing a tag updates the lead: every role


def role_may(role, method, path):
    """The contract's roles, as a rule over (method, path)."""
    if role == Role.ADMIN:
        return True
    if path.startswith("/api/settings/api-keys"):
        return False  # even reading: the keys are the admin's
    if role == Role.MANAGER:
        return method == "get" or not path.startswith(ADMIN_SETTINGS)
    if path.startswith(LEAD_FILES):  # the import, its errors CSV, the export
        return False
    if method == "get" or path == LEAD_TAGS:
        return True
    return method != "delete" and path.startswith(AGENT_WRITES)


def _staff_operations():
    return [param for param in _operations() if _set_of(param.values[1]) == "tenant"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
@pytest.mark.parametrize("method,path", _staff_operations())
def test_role_matrix(method, path, role, gym, branch, api_client):
    response = _send(api_client(UserFactory(gym=gym, branch=branch, role=role)), method, path)
    if role_may(role, method, path):
        assert response.status_code != 403, f"{role} refused: {response.content[:200]}"
    else:
        assert response.status_code == 403, f"{role} allowed: {response.status_code}"
        assert response.json() == {"detail": HasRole.message}
