
from leads.models import Lead
from reps_dashboard.api.filters import CommaSeparatedChoiceFilter, DateRangeFilterSet
from tenants.api.filters import GymIdFilter
from tenants.models import Branch, User

from .models import Appointment, AppointmentStatus, AppointmentType


class AppointmentFilterSet(DateRangeFilterSet):
    """``start_date``/``end_date`` on the appointment's start (local days of the gym)."""

    date_field = "date"
    lead_id = GymIdFilter(Lead, field_name="lead")
    branch_id = GymIdFilter(Branch, field_name="branch")
    staff_id = GymIdFilter(User, field_name="staff")
    status = CommaSeparatedChoiceFilter(AppointmentStatus.choices, help_text="One status or several, comma-separated.")
    type = CommaSeparatedChoiceFilter(AppointmentType.choices, help_text="One type or several, comma-separated.")

    class Meta:
        model = Appointment
        fields = []
