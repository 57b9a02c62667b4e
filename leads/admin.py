import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from appointments.models import Appointment
from calls import services as call_services
from calls.models import Call
from console.filters import TagFilter, staff_filter, when_filter
from console.refusals import REFUSALS, refusal
from tenants.admin_base import GymScopedAdmin, GymScopedInline, role_action, staff_gym, staff_name
from tenants.admin_times import local_time_column
from tenants.models import Tag
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES

from . import services
from .activity import Actor
from .export import export_response
from .models import Lead, LeadActivity
from .phones import InvalidPhoneNumber, normalize_phone
from .selectors import lead_with_extras

# Kept by the calls app with each call; shown, never edited here.
CALL_FIELDS = ["call_count", "last_called_local", "last_conversation_summary"]
# Who may queue a call: the roles of POST /api/calls.
CALL_NOW_ROLES = ALL_ROLES


class HistoryInline(GymScopedInline):
    """A read-only list of the lead's history, newest first: rows are written by the services."""

    can_delete = False
    template = "console/history_inline.html"
    related = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CallInline(HistoryInline):
    model = Call
    verbose_name_plural = "calls"
    fields = ["start_time_local", "direction", "status", "outcome", "duration", "summary"]
    readonly_fields = fields
    related = ("branch",)
    show_change_link = True
    start_time_local = local_time_column("start_time", "Started")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("transcript", "metrics").order_by(
            *Call._meta.ordering)


class AppointmentInline(HistoryInline):
    model = Appointment
    fields = ["date_local", "type", "branch", "staff_name", "duration", "status"]
    readonly_fields = fields
    related = ("branch", "staff")
    ordering = ["-date", "-id"]
    show_change_link = True
    date_local = local_time_column("date", "Date")

    @admin.display(description="Staff")
    def staff_name(self, appointment):
        return staff_name(appointment.staff)


class LeadActivityInline(HistoryInline):
    """The timeline, read-only: entries are written by the services that make the changes."""

    model = LeadActivity
    verbose_name_plural = "timeline"
    fields = ["created_at_local", "type", "description", "actor_name"]
    verbose_name = "timeline entry"
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    created_at_local = local_time_column("created_at", "When")


class LeadAdminForm(forms.ModelForm):
    # Saved through the lead service (LeadTag rows carry the gym), never by the form's m2m save.
    tags = forms.ModelMultipleChoiceField(queryset=Tag.all_gyms.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Lead
        fields = ["first_name", "last_name", "phone", "email", "status", "source", "branch", "assigned_to", "score",
                  "do_not_call", "lost_reason", "interest", "interest_location", "notes", "tags"]

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
        if any(tag.gym_id != gym.pk for tag in cleaned.get("tags") or []):
            self.add_error("tags", "Choose tags of the lead's gym.")
        self.lead_gym = gym
        return cleaned


@admin.register(Lead)
class LeadAdmin(GymScopedAdmin):
    form = LeadAdminForm
    change_form_template = "console/lead_change_form.html"
    list_display = ["full_name", "phone", "status", "source", "branch", "assignee", "last_called_local", "created_on"]
    list_filter = ["status", "source", TagFilter, staff_filter("assigned_to", title="assigned to"), "branch",
                   when_filter("created_at", title="created", parameter="created",
                               choices=("today", "week", "last_7_days", "month")),
                   "do_not_call"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["branch", "assigned_to"]
    readonly_fields = [*CALL_FIELDS, "created_at_local", "updated_at_local"]
    ordering = ["-created_at", "-id"]
    inlines = [CallInline, AppointmentInline, LeadActivityInline]
    actions = ["export_csv", "call_now_action"]
    # As the API: agents create and update leads, admins and managers delete and export them.
    write_roles = ALL_ROLES
    delete_roles = ADMIN_MANAGER
    last_called_local = local_time_column("last_called", "Last called")
    created_on = local_time_column("created_at", "Created", fmt="%Y-%m-%d")
    created_at_local = local_time_column("created_at", "Created")
    updated_at_local = local_time_column("updated_at", "Updated")

    @admin.display(description="Name", ordering="first_name")
    def full_name(self, lead):
        return lead.full_name

    @admin.display(description="Assigned to", ordering="assigned_to__first_name")
    def assignee(self, lead):
        return staff_name(lead.assigned_to)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.gym = obj.gym if obj is not None else staff_gym(request)
        tags = Tag.all_gyms.order_by("name", "id")
        form.base_fields["tags"].queryset = tags.filter(gym=form.gym) if form.gym is not None else tags
        return form

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

    def save_related(self, request, form, formsets, change):
        """Tags were saved by the service (no m2m save of the form); the inlines are read-only history."""
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        services.lead_delete(lead=obj, actor=Actor.for_user(request.user))

    @role_action(roles=ADMIN_MANAGER, description="Export the selected leads as CSV")
    def export_csv(self, request, queryset):
        gym = staff_gym(request)  # superusers (no gym) get UTC
        tz = gym.tzinfo if gym is not None else datetime.UTC
        return export_response(lead_with_extras(queryset.order_by("-created_at", "-id")), tz=tz)

    @role_action(roles=CALL_NOW_ROLES, description="Call the selected leads now")
    def call_now_action(self, request, queryset):
        for lead in queryset.select_related("branch"):
            self._call_now(request, lead)

    # --- "Call the lead now" on the lead's page -----------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.call_now_view)
        return [path("<path:object_id>/call-now/", view, name="leads_lead_call_now"), *super().get_urls()]

    def call_now_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        lead = self.get_object(request, object_id)
        if lead is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self._role_allows(request, CALL_NOW_ROLES):
            raise PermissionDenied
        self._call_now(request, lead)
        return HttpResponseRedirect(reverse("admin:leads_lead_change", args=[lead.pk]))

    def _call_now(self, request, lead):
        """Queues an outbound call for now through the service POST /api/calls uses."""
        try:
            call = call_services.call_create(gym=lead.gym, actor=Actor.for_user(request.user), lead=lead)
        except REFUSALS as exc:
            reason = refusal(exc)
            self.message_user(request, f"{lead.full_name}: {reason}", messages.ERROR)
            return
        link = reverse("admin:calls_call_change", args=[call.pk])
        self.message_user(request, format_html('Call to {} queued: <a href="{}">open the call</a>.',
                                               lead.full_name, link), messages.SUCCESS)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_call_now"] = obj is not None and self._role_allows(request, CALL_NOW_ROLES)
        return super().render_change_form(request, context, add, change, form_url, obj)
