"""The admin base every tenant model uses.

Gym staff (``is_staff`` with a gym) see and edit only their gym's rows, with foreign-key
choices narrowed to it; the gym of a new row is theirs. Superusers see every gym (the tenant
middleware opens the audited all-gyms bypass for them on /admin/ only).

Roles follow the API's rules with the API's role sets (``tenants.permissions``): a model admin
declares ``read_roles``, ``write_roles`` and ``delete_roles`` as the API view of the same rows does,
and every action it offers is a ``role_action`` naming the roles that may run it (an agent is not
offered, and cannot post, what the API refuses them). An action without roles is refused when the
class is defined.
"""

from django.contrib import admin
from django.db import models

from .models import Gym, GymOwned, User
from .permissions import ADMIN, ADMIN_MANAGER, ALL_ROLES


def role_action(*, roles, description, **kwargs):
    """An admin action that only ``roles`` are offered and may run (superusers may run every action)."""

    def decorate(func):
        func = admin.action(description=description, **kwargs)(func)
        func.allowed_roles = frozenset(roles)
        return func

    return decorate


def staff_name(user):
    """How the admin names a staff member: their name, the email when they have none."""
    return (user.full_name or user.email) if user is not None else "-"


def staff_gym(request):
    user = request.user
    if user.is_superuser:
        return None
    return user.gym


class GymScopedAdminMixin:
    """Shared by model admins and inlines."""

    def get_queryset(self, request):
        manager = self.model.all_gyms if hasattr(self.model, "all_gyms") else self.model._default_manager
        queryset = manager.get_queryset()
        if request.user.is_superuser:
            return queryset
        gym = staff_gym(request)
        return queryset.filter(gym=gym) if gym is not None else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._narrow(db_field, request, kwargs)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is User:
            field.label_from_instance = staff_name
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._narrow(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _narrow(self, db_field, request, kwargs):
        target = db_field.related_model
        if request.user.is_superuser:
            if hasattr(target, "all_gyms"):
                kwargs.setdefault("queryset", target.all_gyms.all())
            return
        gym = staff_gym(request)
        if target is Gym:
            kwargs["queryset"] = Gym.objects.filter(pk=getattr(gym, "pk", None))
        elif issubclass(target, GymOwned) or any(f.name == "gym" for f in target._meta.fields):
            manager = target.all_gyms if hasattr(target, "all_gyms") else target._default_manager
            kwargs["queryset"] = manager.filter(gym=gym) if gym is not None else manager.none()

    def _role_allows(self, request, roles):
        user = request.user
        if user.is_superuser:
            return True
        return bool(user.is_active and user.is_staff and user.gym_id and user.role in roles)

    def has_module_permission(self, request):
        return self._role_allows(request, self.read_roles)

    def has_view_permission(self, request, obj=None):
        return self._role_allows(request, self.read_roles)

    def has_add_permission(self, request, obj=None):
        return self._role_allows(request, self.write_roles)

    def has_change_permission(self, request, obj=None):
        return self._role_allows(request, self.write_roles)

    def has_delete_permission(self, request, obj=None):
        return self._role_allows(request, self.delete_roles)

    read_roles = ALL_ROLES
    write_roles = ADMIN_MANAGER
    delete_roles = ADMIN


class GymScopedAdmin(GymScopedAdminMixin, admin.ModelAdmin):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for action in cls.actions or ():
            func = getattr(cls, action) if isinstance(action, str) else action
            if not hasattr(func, "allowed_roles"):
                raise TypeError(f"{cls.__name__}: action {getattr(func, '__name__', action)!r} must be a "
                                "role_action naming the roles that may run it.")

    def get_actions(self, request):
        """Django's own actions follow the permissions (delete: ``delete_roles``); ours their roles."""
        actions = super().get_actions(request)
        return {name: entry for name, entry in actions.items()
                if self._role_allows(request, getattr(entry[0], "allowed_roles", ALL_ROLES))}

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser and "gym" not in filters and any(
            f.name == "gym" for f in self.model._meta.fields
        ):
            filters.insert(0, "gym")
        return filters

    def save_model(self, request, obj, form, change):
        if not change and getattr(obj, "gym_id", None) is None:
            gym = staff_gym(request)
            if gym is None:
                gym = self._gym_from_related(obj)
            obj.gym = gym
        super().save_model(request, obj, form, change)

    @staticmethod
    def _gym_from_related(obj):
        """A superuser's new row takes the gym of the first related tenant row it points at."""
        for field in obj._meta.fields:
            if isinstance(field, models.ForeignKey) and field.name != "gym":
                related = getattr(obj, field.name, None)
                if related is not None and getattr(related, "gym_id", None):
                    return related.gym
        return None

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "gym_id") and instance.gym_id is None:
                instance.gym_id = form.instance.gym_id
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()


class GymScopedInline(GymScopedAdminMixin, admin.TabularInline):
    extra = 0
