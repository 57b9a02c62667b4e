from rest_framework import serializers

from leads.models import Lead
from reps_dashboard.api.dates import datetime_problem
from reps_dashboard.api.fields import HandWrittenRow, iso_offset, optional_str
from tenants.api.fields import GymScopedRelatedField
from tenants.models import Branch, User

from .localtime import NonexistentTime, to_aware
from .models import (
    BOOKABLE_STATUSES,
    DURATION_MAX,
    DURATION_MIN,
    Appointment,
    AppointmentStatus,
    AppointmentType,
)

DEFAULT_DURATION = 60
# Far enough for any real booking or record; keeps date arithmetic clear of datetime's limits.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO-8601 kept in the offset it carries. Out: the value's own zone (the branch's), not the
    server's UTC. In: a date and a time (a bare date is refused rather than read as midnight)
    within the years FIRST_YEAR..LAST_YEAR; a value without an offset stays naive, for the
    serializer to read in the branch's timezone once it knows the branch."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value.strip()) <= len("YYYY-MM-DD"):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        parsed = super().to_internal_value(value)
        _check_year(parsed.year)
        problem = datetime_problem(parsed)
        if problem:
            raise serializers.ValidationError(problem)
        return parsed

    def enforce_timezone(self, value):
        return value


def _check_year(year):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise serializers.ValidationError(f"Must be between the years {FIRST_YEAR} and {LAST_YEAR}.")


# --- output ---------------------------------------------------------------------------------


class AppointmentLeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "first_name", "last_name", "phone", "email", "status"]
        read_only_fields = fields


class AppointmentSerializer(HandWrittenRow, serializers.ModelSerializer):
    """The list's row. ``date`` and ``end_time`` carry the branch's offset."""

    lead_id = serializers.UUIDField(read_only=True)
    lead = AppointmentLeadSerializer(read_only=True)
    branch_id = serializers.UUIDField(read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    staff_id = serializers.UUIDField(read_only=True, allow_null=True)
    date = OffsetDateTimeField(source="local_start", read_only=True, help_text="Start, in the branch's timezone.")
    end_time = OffsetDateTimeField(source="local_end", read_only=True, help_text="date + duration.")
    rescheduled_from = serializers.UUIDField(source="rescheduled_from_id", read_only=True, allow_null=True,
                                             help_text="The appointment this one replaced.")

    class Meta:
        model = Appointment
        fields = ["id", "lead_id", "lead", "branch_id", "branch_name", "staff_id", "type", "date", "duration",
                  "end_time", "status", "notes", "rescheduled_from", "created_at"]
        read_only_fields = fields

    def to_representation(self, appointment):
        """The declared fields, written out (a list page of 100 rows in a tenth of DRF's
        field-by-field time). The declarations above define the schema; a test checks that both
        paths give the same output."""
        lead = appointment.lead
        return {
            "id": str(appointment.id), "lead_id": str(appointment.lead_id),
            "lead": {"id": str(lead.id), "first_name": lead.first_name, "last_name": lead.last_name,
                     "phone": lead.phone, "email": lead.email, "status": lead.status},
            "branch_id": str(appointment.branch_id), "branch_name": appointment.branch.name,
            "staff_id": optional_str(appointment.staff_id), "type": appointment.type,
            "date": iso_offset(appointment.local_start), "duration": int(appointment.duration),
            "end_time": iso_offset(appointment.local_end), "status": appointment.status, "notes": appointment.notes,
            "rescheduled_from": optional_str(appointment.rescheduled_from_id),
            "created_at": self.moment(appointment.created_at),
        }


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "first_name", "last_name"]
        read_only_fields = fields


class AppointmentDetailSerializer(AppointmentSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "created_by", "reminder_sent", "updated_at"]
        read_only_fields = fields

    def to_representation(self, appointment):
        data = super().to_representation(appointment)
        creator = appointment.created_by
        data["created_by"] = ({"id": str(creator.id), "first_name": creator.first_name, "last_name": creator.last_name}
                              if creator is not None else None)
        data["reminder_sent"] = bool(appointment.reminder_sent)
        data["updated_at"] = self.moment(appointment.updated_at)
        return data


class AppointmentShortSerializer(serializers.ModelSerializer):
    """The short form other resources embed (the lead detail's ``appointments``)."""

    date = OffsetDateTimeField(source="local_start", read_only=True)
    branch_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "type", "date", "duration", "status", "branch_id"]
        read_only_fields = fields


class StatusResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = ["id", "status", "updated_at"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------


def _resolve_date(attrs, tz):
    """``date`` as an aware instant; without an offset it is read in ``tz`` (the branch's)."""
    if attrs.get("date") is None:
        return attrs
    try:
        attrs["date"] = to_aware(attrs["date"], tz)
    except NonexistentTime as exc:
        raise serializers.ValidationError({"date": [str(exc)]})
    return attrs


def _date_field(**kwargs):
    kwargs.setdefault("help_text", "ISO-8601; without an offset, a local time of the branch.")
    return OffsetDateTimeField(**kwargs)


def _duration_field(**kwargs):
    kwargs.setdefault("help_text", f"Minutes, {DURATION_MIN}..{DURATION_MAX}.")
    return serializers.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, **kwargs)


class AppointmentCreateSerializer(serializers.Serializer):
    lead_id = GymScopedRelatedField(model=Lead)
    type = serializers.ChoiceField(choices=AppointmentType.choices)
    date = _date_field()
    duration = _duration_field()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED)
    branch_id = GymScopedRelatedField(model=Branch, required=False, allow_null=True,
                                      help_text="Default: the lead's branch.")
    staff_id = GymScopedRelatedField(model=User, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate_status(self, value):
        if value not in BOOKABLE_STATUSES:
            raise serializers.ValidationError("A new appointment cannot be rescheduled; book it and then "
                                              "POST /appointments/{id}/reschedule.")
        return value

    def validate(self, attrs):
        branch = attrs.get("branch_id") or attrs["lead_id"].branch
        tz = branch.tzinfo if branch is not None else self.context["gym"].tzinfo
        return _resolve_date(attrs, tz)


class AppointmentUpdateSerializer(serializers.Serializer):
    """PUT and PATCH alike take any subset of the fields (the response shows the result)."""

    lead_id = GymScopedRelatedField(model=Lead, required=False,
                                    help_text="Only the current lead: an appointment cannot change hands.")
    type = serializers.ChoiceField(choices=AppointmentType.choices, required=False)
    date = _date_field(required=False)
    duration = _duration_field(required=False)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False,
                                     help_text="Same lifecycle as PATCH /{id}/status (409 otherwise).")
    branch_id = GymScopedRelatedField(model=Branch, required=False)
    staff_id = GymScopedRelatedField(model=User, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_lead_id(self, value):
        if value.pk != self.instance.lead_id:
            raise serializers.ValidationError("An appointment cannot be moved to another lead; book a new one.")
        return value

    def validate(self, attrs):
        branch = attrs.get("branch_id") or self.instance.branch
        return _resolve_date(attrs, branch.tzinfo)

    def changes(self):
        """The service's keyword arguments."""
        names = {"branch_id": "branch", "staff_id": "staff"}
        return {names.get(k, k): v for k, v in self.validated_data.items() if k != "lead_id"}


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)


class RescheduleSerializer(serializers.Serializer):
    date = _date_field()
    duration = _duration_field(required=False, help_text="Minutes; default: the old appointment's duration.")

    def validate(self, attrs):
        return _resolve_date(attrs, self.instance.branch.tzinfo)


class AvailabilityParamsSerializer(serializers.Serializer):
    branch_id = GymScopedRelatedField(model=Branch)
    date = serializers.DateField(help_text="YYYY-MM-DD, a day of the branch's timezone.")
    duration = _duration_field(default=DEFAULT_DURATION)
    staff_id = GymScopedRelatedField(model=User, required=False, allow_null=True,
                                     help_text="Only this staff member's appointments block a slot (else the branch's).")

    def validate_date(self, value):
        _check_year(value.year)
        return value

    def validate_branch_id(self, value):
        if not value.is_active:
            raise serializers.ValidationError("This branch is inactive.")
        return value


class SlotSerializer(serializers.Serializer):
    start_time = OffsetDateTimeField()
    end_time = OffsetDateTimeField()
    available = serializers.BooleanField()


class AvailabilitySerializer(serializers.Serializer):
    date = serializers.DateField()
    timezone = serializers.CharField(help_text="The branch's IANA timezone.")
    available_slots = SlotSerializer(many=True)
