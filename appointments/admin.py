from django.contrib import admin, messages

from leads.activity import Actor
from reps_dashboard.errors import Conflict
from tenants.admin_base import GymScopedAdmin
from tenants.models import Role

from . import services
from .models import Appointment, AppointmentStatus


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


@admin.register(Appointment)
class AppointmentAdmin(GymScopedAdmin):
    """Appointments are booked and moved through the API, where the overlap rules and the lead's
    timeline are kept; here operators browse them, edit notes and change statuses (through the
    same lifecycle service)."""

    list_display = ["date", "local_time", "type", "lead", "branch", "staff", "duration", "status"]
    list_filter = ["status", "type", "branch"]
    date_hierarchy = "date"
    search_fields = ["lead__first_name", "lead__last_name", "lead__phone", "notes"]
    list_select_related = ["lead", "branch", "staff"]
    ordering = ["-date", "-id"]
    fields = ["lead", "branch", "staff", "type", "date", "duration", "end_time", "status", "notes", "reminder_sent",
              "rescheduled_from", "created_by", "created_at", "updated_at"]
    readonly_fields = [name for name in fields if name != "notes"]
    actions = [_status_action(s) for s in ("confirmed", "completed", "no_show", "canceled")]
    delete_roles = {Role.ADMIN, Role.MANAGER}

    @admin.display(description="Local time", ordering="date")
    def local_time(self, appointment):
        return f"{appointment.local_start:%Y-%m-%d %H:%M %Z}"

    def has_add_permission(self, request, obj=None):
        return False
