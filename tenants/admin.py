from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from .admin_base import GymScopedAdmin, GymScopedAdminMixin, staff_gym
from .admin_times import local_time_column
from .models import ApiKey, Branch, Gym, Tag, User
from .permissions import ADMIN, ADMIN_MANAGER, ALL_ROLES


@admin.register(Gym)
class GymAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "country", "phone"]
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=request.user.gym_id) if request.user.gym_id else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_superuser or (request.user.is_staff and bool(request.user.gym_id))

    read_roles = ALL_ROLES
    has_view_permission = GymScopedAdminMixin.has_view_permission
    _role_allows = GymScopedAdminMixin._role_allows

    def has_change_permission(self, request, obj=None):
        return self._role_allows(request, ADMIN)  # as PUT /api/settings/gym

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Branch)
class BranchAdmin(GymScopedAdmin):
    list_display = ["name", "timezone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    write_roles = delete_roles = ADMIN


@admin.register(Tag)
class TagAdmin(GymScopedAdmin):
    list_display = ["name", "color"]
    search_fields = ["name"]
    write_roles = delete_roles = ADMIN_MANAGER


class StaffCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(GymScopedAdminMixin, DjangoUserAdmin):
    add_form = StaffCreationForm
    form = StaffChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "branch", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    write_roles = ADMIN
    delete_roles = frozenset()  # deactivate instead: history keeps its author
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone"]}),
        ("Gym", {"fields": ["gym", "branch", "role"]}),
        ("Access", {"fields": ["is_active", "is_staff"]}),
    ]
    superuser_fieldsets = fieldsets + [("Superuser", {"fields": ["is_superuser", "groups", "user_permissions"]})]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "gym", "branch",
                                                             "role"]})]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["gym"]

    def save_model(self, request, obj, form, change):
        gym = staff_gym(request)
        if gym is not None:
            obj.gym = gym
        super().save_model(request, obj, form, change)


@admin.register(ApiKey)
class ApiKeyAdmin(GymScopedAdmin):
    """Keys are created through the API (the plaintext is shown once); the admin lists and revokes."""

    list_display = ["name", "prefix", "created_at_local", "last_used_local", "revoked_local"]
    readonly_fields = ["name", "prefix", "created_by", "last_used_local", "revoked_local"]
    exclude = ["digest", "last_used_at", "revoked_at"]
    # As the API: only admins see and manage keys.
    read_roles = write_roles = delete_roles = ADMIN
    created_at_local = local_time_column("created_at", "Created")
    last_used_local = local_time_column("last_used_at", "Last used")
    revoked_local = local_time_column("revoked_at", "Revoked")

    def has_add_permission(self, request, obj=None):
        return False
