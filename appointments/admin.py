from django.contrib import admin, messages
from django.utils import timezone

from calls.models import APPOINTMENT_PURPOSES, Call
from leads.activity import Actor
from reps_dashboard.errors import Conflict
from tenants.admin_base import GymScopedAdmin, GymScopedInline, staff_gym
from tenants.models import Role

from . import services
from .models import Appointment, AppointmentStatus
from .showrate.selectors import appointments_needing_outcome


def _status_action(status):
    label = AppointmentStatus(status).label.lower()

    @admin.action(description=f"Mark selected appointments {label}", permissions=["change"])
    def mark(modeladmin, request, queryset):
        changed, refused = 0, []
        for appointment in queryset.select_related("lead", "branch"):
            try:
                services.appointment_set_status(appointment=appointment, status=status,
                                                actor=Actor.for_user(request.user))
                changed += 1
            except Conflict as exc:
                refused.append(f"{appointment}: {exc.message}")
        if changed:
            modeladmin.message_user(request, f"{changed} appointment(s) marked {label}.", messages.SUCCESS)
        for reason in refused:
            modeladmin.message_user(request, reason, messages.WARNING)

    mark.__name__ = f"mark_{status}"
    return mark


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
    """Appointments are booked and moved through the API, where the overlap rules and the lead's
    timeline are kept; here operators browse them, edit notes and change statuses (through the
    same lifecycle service)."""

    list_display = ["date", "local_time", "type", "lead", "branch", "staff", "duration", "status"]
    list_filter = [NeedsOutcomeFilter, "status", "type", "branch"]
    date_hierarchy = "date"
    search_fields = ["lead__first_name", "lead__last_name", "lead__phone", "notes"]
    list_select_related = ["lead", "branch", "staff"]
    ordering = ["-date", "-id"]
    fields = ["lead", "branch", "staff", "type", "date", "duration", "end_time", "status", "notes", "reminder_sent",
              "rescheduled_from", "confirmation_called_at", "caller_confirmed_at", "rebooked_as", "created_by",
              "created_at", "updated_at"]
    readonly_fields = [name for name in fields if name != "notes"]
    actions = [_status_action(s) for s in ("confirmed", "completed", "no_show", "canceled")]
    delete_roles = {Role.ADMIN, Role.MANAGER}
    inlines = [LadderCallInline]

    @admin.display(description="Local time", ordering="date")
    def local_time(self, appointment):
        return f"{appointment.local_start:%Y-%m-%d %H:%M %Z}"

    def has_add_permission(self, request, obj=None):
        return False
