"""Tenancy and role permissions (contract: roles).

admin: everything in the gym. manager: every domain read and write, campaigns, tags and
knowledge; settings otherwise read-only. agent: reads; creates and updates leads, calls,
appointments and notes; no deletes, no settings writes.
"""

from rest_framework import permissions

from .models import Role

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
    """A machine client authenticated by one of the gym's API keys whose scope is the view's
    ``api_key_scope`` (default: voice)."""

    def has_permission(self, request, view):
        from .api_keys import ApiKeyPrincipal
        from .models import ApiKeyScope

        scope = getattr(view, "api_key_scope", ApiKeyScope.VOICE)
        self.message = f"This endpoint needs a gym API key with the scope {scope} (Authorization: Api-Key <key>)."
        user = request.user
        return isinstance(user, ApiKeyPrincipal) and getattr(request, "gym", None) is not None \
            and request.gym.pk == user.gym_id and user.key.scope == scope
