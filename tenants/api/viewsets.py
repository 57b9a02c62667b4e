"""The one base every gym-scoped API viewset uses: tenancy cannot be forgotten or bypassed."""

from rest_framework import mixins, viewsets
from rest_framework.generics import get_object_or_404

from tenants.permissions import TENANT_PERMISSIONS


class GymScopedViewSet(viewsets.GenericViewSet):
    """Scopes every queryset to the request's gym and sets the gym on create.

    Subclasses declare ``model`` and narrow with ``scope_queryset(queryset)`` (select_related,
    annotations, a branch filter...); they may not override ``get_queryset`` or ``get_object``
    (checked when the class is defined), so no subclass can widen what a request sees. The gym
    is the one the tenant middleware resolved from the user's row.
    """

    model = None
    permission_classes = TENANT_PERMISSIONS
    _sealed = ("get_queryset", "get_object")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls._sealed if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}; narrow the gym-scoped queryset "
                "in scope_queryset() instead."
            )
        if "queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} sets queryset; declare model and scope_queryset() instead.")

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
