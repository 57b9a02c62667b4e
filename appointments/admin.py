import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone

from calls.models import APPOINTMENT_PURPOSES, Call
from console.filters import staff_filter, when_filter
from console.links import change_link
from console.refusals import REFUSALS, refusal
from leads.activity import Actor
from reps_dashboard.errors import Conflict
from tenants.admin_base import GymScopedAdmin, GymScopedInline, role_action, staff_gym, staff_name
from tenants.admin_times import local_text, local_time_column
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES

from . import services
from .localtime import NonexistentTime, to_aware
from .models import BOOKABLE_STATUSES, DURATION_MAX, DURATION_MIN, Appointment, AppointmentStatus
from .selectors import appointment_conflict
from .showrate.selectors import appointments_needing_outcome


def _status_action(status):
    label = AppointmentStatus(status).label.lower()

    # Every role moves appointments through their lifecycle, as in the API.
    @role_action(roles=ALL_ROLES, description=f"Mark selected appointments {label}", permissions=["change"])
    def mark(modeladmin, request, queryset):
        changed, refused = 0, []
        for appointment in queryset.select_related("lead", "branch"):
            try:
                services.appointment_set_status(appointment=appointment, status=status,
                                                actor=Actor.for_user(request.user))
                changed += 1
            except Conflict as exc:
                refused.append(f"{appointment.lead.full_name}: {exc.message}")
        if changed:
            modeladmin.message_user(request, f"{changed} appointment(s) marked {label}.", messages.SUCCESS)
        for reason in refused:
            modeladmin.message_user(request, reason, messages.WARNING)

    mark.__name__ = f"mark_{status}"
    return mark


class BookingForm(forms.ModelForm):
    """A new appointment: the start is a wall-clock time of the chosen branch's timezone."""

    day = forms.DateField(widget=admin.widgets.AdminDateWidget, label="Date")
    time = forms.TimeField(widget=admin.widgets.AdminTimeWidget, label="Time",
                           help_text="Local time of the branch.")
    status = forms.ChoiceField(choices=[(s, AppointmentStatus(s).label) for s in BOOKABLE_STATUSES],
                               initial=AppointmentStatus.SCHEDULED)
    duration = forms.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, initial=60,
                                  help_text=f"Minutes, {DURATION_MIN} to {DURATION_MAX}.")

    class Meta:
        model = Appointment
        fields = ["lead", "branch", "staff", "type", "duration", "status", "notes"]

    def clean(self):
        cleaned = super().clean()
        branch, day, time = cleaned.get("branch"), cleaned.get("day"), cleaned.get("time")
        if branch is None or day is None or time is None:
            return cleaned
        try:
            cleaned["start"] = to_aware(dt.datetime.combine(day, time), branch.tzinfo)
        except NonexistentTime as exc:
            self.add_error("time", str(exc))
            return cleaned
        if cleaned.get("duration") and cleaned["status"] in (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED):
            clash = appointment_conflict(gym=branch.gym, start=cleaned["start"],
                                         end=cleaned["start"] + dt.timedelta(minutes=cleaned["duration"]),
                                         lead=cleaned.get("lead"), staff=cleaned.get("staff"))
            if clash is not None:
                self.add_error("time", f"Double booking: {clash.lead.full_name} / {staff_name(clash.staff)} "
                                       f"already have an appointment at {clash.local_start:%Y-%m-%d %H:%M %Z}.")
        return cleaned


class NeedsOutcomeFilter(admin.SimpleListFilter):
    """Still scheduled or confirmed after the appointment's day: did the lead come?"""

    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("needed", "Needs an outcome")]

    def queryset(self, request, queryset):
        if self.value() != "needed":
            return queryset
        return appointments_needing_outcome(queryset, gym=staff_gym(request), now=timezone.now())


class LadderCallInline(GymScopedInline):
    """The appointment's confirmation and recall calls (read only: the dialer and the voice agent
    write them)."""

    model = Call
    fk_name = "appointment"
    verbose_name_plural = "confirmation and recall calls"
    fields = ["purpose", "status", "outcome", "scheduled_at", "start_time", "duration", "summary"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(purpose__in=APPOINTMENT_PURPOSES)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(GymScopedAdmin):
    """Booked here (through the booking service: overlap rules, the lead's timeline) or through
    the API; on an existing appointment operators edit notes and change statuses through the same
    lifecycle service, and move it through the API."""

    list_display = ["local_start", "type", "lead_name", "branch", "staff_name", "duration", "status"]
    list_display_links = ["local_start"]
    list_filter = [NeedsOutcomeFilter, when_filter("date", choices=("today", "upcoming", "next_7_days", "week", "past")), "status", "type",
                   staff_filter("staff", title="staff"), "branch"]
    search_fields = ["lead__first_name", "lead__last_name", "lead__phone", "notes"]
    list_select_related = ["lead", "branch", "staff"]
    ordering = ["-date", "-id"]
    autocomplete_fields = ["lead"]
    fields = ["lead_link", "branch", "staff_name", "type", "local_start", "local_end", "duration", "status", "notes",
              "reminder_sent", "rescheduled_from", "confirmation_called_local", "caller_confirmed_local", "rebooked_as",
              "created_by_name", "created_at_local", "updated_at_local"]
    readonly_fields = [name for name in fields if name != "notes"]
    add_fields = ["lead", "branch", "staff", "type", "day", "time", "duration", "status", "notes"]
    actions = [_status_action(s) for s in ("confirmed", "completed", "no_show", "canceled")]
    # As the API: every role books and updates appointments; admins and managers delete them.
    write_roles = ALL_ROLES
    delete_roles = ADMIN_MANAGER
    local_start = local_time_column("date", "Starts")
    created_at_local = local_time_column("created_at", "Created")
    updated_at_local = local_time_column("updated_at", "Updated")
    confirmation_called_local = local_time_column("confirmation_called_at", "Confirmation called at")
    caller_confirmed_local = local_time_column("caller_confirmed_at", "Caller confirmed at")
    inlines = [LadderCallInline]

    @admin.display(description="Ends")
    def local_end(self, appointment):
        return local_text(appointment.local_end, appointment.branch.tzinfo)

    @admin.display(description="Lead", ordering="lead__first_name")
    def lead_name(self, appointment):
        return change_link(appointment.lead, appointment.lead.full_name)

    lead_link = lead_name

    @admin.display(description="Staff", ordering="staff__first_name")
    def staff_name(self, appointment):
        return staff_name(appointment.staff)

    @admin.display(description="Booked by")
    def created_by_name(self, appointment):
        return staff_name(appointment.created_by) if appointment.created_by_id else "Voice agent / system"

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BookingForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        gym = staff_gym(request)
        if gym is not None and "branch" not in initial and request.user.branch_id:
            initial["branch"] = request.user.branch_id
        return initial

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user)
        if change:
            if "notes" in form.changed_data:
                services.appointment_update(appointment=obj, actor=actor, notes=form.cleaned_data["notes"])
            return
        data = form.cleaned_data
        booked = services.appointment_book(
            gym=data["branch"].gym, actor=actor, lead=data["lead"], type=data["type"], start=data["start"],
            duration=data["duration"], branch=data["branch"], staff=data["staff"], status=data["status"],
            notes=data["notes"])
        for field in Appointment._meta.concrete_fields:  # the admin logs and links the row it was given
            setattr(obj, field.attname, getattr(booked, field.attname))
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A rule the form could not check in advance (a booking made meanwhile, an inactive branch)
        comes back as a message on the same page."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:
            reason = refusal(exc)
            self.message_user(request, f"Not saved: {reason}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
