"""The one base every gym-scoped API viewset uses: tenancy cannot be forgotten or bypassed."""

from rest_framework import mixins, viewsets
from rest_framework.generics import get_object_or_404

from tenants.permissions import TENANT_PERMISSIONS, permission_set_name


class GymScopedViewSet(viewsets.GenericViewSet):
    """Scopes every queryset to the request's gym, sets the gym on create, checks the role.

    Subclasses declare ``model`` and narrow with ``scope_queryset(queryset)`` (select_related,
    annotations, a branch filter...); they declare who may do what with ``read_roles``,
    ``write_roles``, ``delete_roles`` and ``action_roles`` (``tenants.permissions.HasRole``). They
    may not override ``get_queryset``, ``get_object`` or the permission checks, nor set
    ``queryset``, nor replace the permissions with anything but a named set (the gym API key's, for
    the voice agent's machine endpoints), on the class or on an ``@action``: all checked when the
    class is defined, so no subclass can widen what a request sees or who may make it. The gym is
    the one the tenant middleware resolved from the user's row.
    """

    model = None
    permission_classes = TENANT_PERMISSIONS
    _sealed = ("get_queryset", "get_object", "get_permissions", "check_permissions", "check_object_permissions")
    _permission_sets = ("tenant", "api key")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Resolved through the bases, so a mixin listed before this class cannot override them either.
        overridden = [name for name in cls._sealed if getattr(cls, name) is not getattr(GymScopedViewSet, name)]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}; narrow the gym-scoped queryset in "
                "scope_queryset() and declare roles with read_roles/write_roles/action_roles instead."
            )
        if cls.queryset is not None:
            raise TypeError(f"{cls.__name__} sets queryset; declare model and scope_queryset() instead.")
        cls._check_permission_set(cls.permission_classes, cls.__name__)
        for extra in cls.get_extra_actions():
            if "permission_classes" in extra.kwargs:
                cls._check_permission_set(extra.kwargs["permission_classes"], f"{cls.__name__}.{extra.__name__}")

    @classmethod
    def _check_permission_set(cls, classes, where):
        if permission_set_name(classes) not in cls._permission_sets:
            raise TypeError(
                f"{where} replaces the gym permissions; declare read_roles/write_roles/action_roles, or use "
                "tenants.permissions.API_KEY_PERMISSIONS for a machine endpoint."
            )

    @property
    def gym(self):
        return getattr(self.request, "gym", None)

    def scope_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no request gym
            return self.model._base_manager.none()
        return self.scope_queryset(self.model.objects.for_gym(self.gym))

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset()) if self.filter_object_queryset else self.get_queryset()
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        obj = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup_url_kwarg]})
        if self.gym is not None and getattr(obj, "gym_id", None) == self.gym.pk:
            obj.gym = self.gym  # the row the middleware loaded: services reading obj.gym need no query
        self.check_object_permissions(self.request, obj)
        return obj

    # Detail routes ignore list filters by default (a filter must not turn a GET into a 404).
    filter_object_queryset = False

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["gym"] = self.gym
        return context

    def perform_create(self, serializer):
        serializer.save(gym=self.gym)


class GymScopedModelViewSet(
    GymScopedViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """CRUD on the gym's rows. The gym base comes first in the bases so that its
    ``perform_create`` (which sets the gym) wins over the mixin's plain ``save()``; compose
    other mixin sets the same way."""
