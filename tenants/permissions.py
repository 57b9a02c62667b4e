"""Tenancy and role permissions (contract: roles), and the named ways out of them.

admin: everything in the gym. manager: every domain read and write, campaigns, tags and
knowledge; settings otherwise read-only. agent: reads; creates and updates leads, calls,
appointments and notes; no deletes, no settings writes.

``TENANT_PERMISSIONS`` is DRF's default (``DEFAULT_PERMISSION_CLASSES``): a view that says nothing
requires a member of a gym with a role its ``read_roles``/``write_roles`` admit. Anything else is
one of these named sets, each a deliberate choice the convention tests know by route:

* ``API_KEY_PERMISSIONS``: the voice agent's machine endpoints, a gym API key and never a staff token;
* ``OWN_ACCOUNT_PERMISSIONS``: the signed-in user's own account (me, password, logout), gym or not;
* ``[Credentials]``: login and token refresh, whose body is the credential;
* ``[SignedWebhook]``: the voice platform's deliveries, verified by their signature in the view;
* ``[PublicDocumentation]``: the OpenAPI schema and its viewers, which hold no gym data.
"""

from rest_framework import permissions

from .roles import Role

ALL_ROLES = frozenset(Role.values)
ADMIN = frozenset({Role.ADMIN})
ADMIN_MANAGER = frozenset({Role.ADMIN, Role.MANAGER})


class IsGymMember(permissions.BasePermission):
    """An active user attached to a gym; a gym-less account (a superuser) sees no tenant data."""

    message = "Your account is not attached to a gym."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.gym_id
                    and getattr(request, "gym", None) is not None and request.gym.pk == user.gym_id)


class HasRole(permissions.BasePermission):
    """Checks the view's ``read_roles`` / ``write_roles`` / ``delete_roles``.

    A view may map single actions to their own role sets with ``action_roles``: a set, or a
    dict from HTTP method to set for actions that answer several methods.
    """

    message = "Your role does not allow this action."

    def has_permission(self, request, view):
        allowed = self.allowed_roles(request, view)
        return request.user.role in allowed

    @staticmethod
    def allowed_roles(request, view):
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            roles = action_roles[action]
            return roles.get(request.method, ALL_ROLES if request.method in permissions.SAFE_METHODS else ADMIN) \
                if isinstance(roles, dict) else roles
        if request.method in permissions.SAFE_METHODS:
            return getattr(view, "read_roles", ALL_ROLES)
        if request.method == "DELETE":
            return getattr(view, "delete_roles", getattr(view, "write_roles", ADMIN))
        return getattr(view, "write_roles", ADMIN)


TENANT_PERMISSIONS = [permissions.IsAuthenticated, IsGymMember, HasRole]


class IsGymApiKey(permissions.BasePermission):
    """A machine client authenticated by one of the gym's API keys."""

    message = "This endpoint needs a gym API key (Authorization: Api-Key <key>)."

    def has_permission(self, request, view):
        from .api_keys import ApiKeyPrincipal

        user = request.user
        return isinstance(user, ApiKeyPrincipal) and getattr(request, "gym", None) is not None \
            and request.gym.pk == user.gym_id


API_KEY_PERMISSIONS = [IsGymApiKey]


class OwnAccount(permissions.IsAuthenticated):
    """Any signed-in user, also a gym-less one: the view reads and writes ``request.user`` only."""


OWN_ACCOUNT_PERMISSIONS = [OwnAccount]


class PublicEndpoint(permissions.AllowAny):
    """Base of the explicit opt-outs: no caller, so no caller's gym. A route may use a subclass
    only if the convention tests list it (``reps_dashboard/tests/test_permissions.py``)."""


class Credentials(PublicEndpoint):
    """Login and token refresh: the request body is the credential being checked."""


class SignedWebhook(PublicEndpoint):
    """A platform's delivery, signed with the gym's secret: the view finds the gym from the path
    and verifies the signature before it reads anything."""


class PublicDocumentation(PublicEndpoint):
    """The OpenAPI schema, Swagger UI and ReDoc: the API's shape, no gym data."""


# The permission sets a view may declare; anything else is refused by the base viewset and by the
# convention tests.
NAMED_PERMISSION_SETS = {
    "tenant": TENANT_PERMISSIONS,
    "api key": API_KEY_PERMISSIONS,
    "own account": OWN_ACCOUNT_PERMISSIONS,
    "credentials": [Credentials],
    "signed webhook": [SignedWebhook],
    "public documentation": [PublicDocumentation],
}


def permission_set_name(classes) -> str | None:
    """The name of ``classes`` among ``NAMED_PERMISSION_SETS``, else None."""
    classes = list(classes)
    return next((name for name, named in NAMED_PERMISSION_SETS.items() if classes == named), None)
