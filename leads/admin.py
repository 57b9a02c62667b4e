import datetime

from django import forms
from django.contrib import admin

from tenants.admin_base import GymScopedAdmin, GymScopedInline, staff_gym
from tenants.models import Role

from . import services
from .activity import Actor
from .export import export_response
from .models import Lead, LeadActivity
from .phones import InvalidPhoneNumber, normalize_phone
from .selectors import lead_with_extras

# Kept by the calls app with each call; shown, never edited here.
CALL_FIELDS = ["call_count", "last_called", "last_conversation_summary"]


class LeadActivityInline(GymScopedInline):
    """The timeline, read-only: entries are written by the services that make the changes."""

    model = LeadActivity
    fields = ["created_at", "type", "description", "actor_type", "actor_name"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LeadAdminForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["first_name", "last_name", "phone", "email", "status", "source", "branch", "assigned_to", "score",
                  "do_not_call", "lost_reason", "interest", "interest_location", "notes"]

    def clean(self):
        cleaned = super().clean()
        gym = self.gym or (cleaned.get("branch").gym if cleaned.get("branch") else None)
        if gym is None:
            raise forms.ValidationError("Choose a branch: it tells which gym the lead belongs to.")
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = normalize_phone(cleaned["phone"], gym.country)
            except InvalidPhoneNumber as exc:
                self.add_error("phone", str(exc))
            else:
                duplicate = Lead.objects.for_gym(gym).filter(phone=cleaned["phone"]).exclude(pk=self.instance.pk)
                if duplicate.exists():
                    self.add_error("phone", "Another lead of the gym already has this phone number.")
        self.lead_gym = gym
        return cleaned


@admin.register(Lead)
class LeadAdmin(GymScopedAdmin):
    form = LeadAdminForm
    list_display = ["full_name", "phone", "email", "status", "source", "branch", "assigned_to", "score",
                    "do_not_call", "call_count", "created_at"]
    list_filter = ["status", "source", "do_not_call", "branch", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["branch", "assigned_to"]
    readonly_fields = [*CALL_FIELDS, "tag_names", "created_at", "updated_at"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"
    inlines = [LeadActivityInline]
    actions = ["export_csv"]
    delete_roles = {Role.ADMIN, Role.MANAGER}  # as in the API

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.gym = obj.gym if obj is not None else staff_gym(request)
        return form

    @admin.display(description="Tags")
    def tag_names(self, lead):
        if lead._state.adding:
            return "-"
        return ", ".join(lead.tags.order_by("name").values_list("name", flat=True)) or "-"

    def save_model(self, request, obj, form, change):
        """Through the services, so that admin edits are normalised and on the timeline too."""
        actor = Actor.for_user(request.user)
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            form.instance = services.lead_update(lead=Lead.all_gyms.get(pk=obj.pk), actor=actor, **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in LeadAdminForm.Meta.fields}
            form.instance = services.lead_create(gym=form.lead_gym, actor=actor, **fields)
        obj.pk = form.instance.pk

    def delete_model(self, request, obj):
        services.lead_delete(lead=obj, actor=Actor.for_user(request.user))

    @admin.action(description="Export the selected leads as CSV")
    def export_csv(self, request, queryset):
        gym = staff_gym(request)  # superusers (no gym) get UTC
        tz = gym.tzinfo if gym is not None else datetime.UTC
        return export_response(lead_with_extras(queryset.order_by("-created_at", "-id")), tz=tz)
