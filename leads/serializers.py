import uuid

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.serializers import AppointmentShortSerializer
from calls.serializers import CallShortSerializer
from knowledge.models import ImportStatus
from reps_dashboard.api.fields import HandWrittenRow, optional_str
from reps_dashboard.errors import INVALID_ID
from reps_dashboard.import_report import (
    BY_FIELD_HELP,
    ERROR_COUNT_HELP,
    ERRORS_CSV_HELP,
    MAX_LISTED,
    TRUNCATED_HELP,
)
from tenants.api.fields import GymScopedRelatedField
from tenants.models import Branch, Tag, User

from . import selectors
from .models import ActorType, Lead, LeadActivity, LeadSource, LeadStatus
from .phones import InvalidPhoneNumber, normalize_phone

# The contract's phone shape for API input (imports are a little more lenient, see phones.py).
PHONE_PATTERN = r"^\+?[0-9\-\(\)\s]{8,20}$"
NOTES_MAX = 10_000
MAX_TAGS = 50
MAX_EXCLUDED = 500


# --- output -------------------------------------------------------------------------------


class TagSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]
        read_only_fields = fields


class LeadSerializer(HandWrittenRow, serializers.ModelSerializer):
    """A lead as every list and response shows it. Reads need ``selectors.lead_with_extras``."""

    full_name = serializers.CharField(read_only=True)
    branch_id = serializers.UUIDField(read_only=True, allow_null=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True, allow_null=True)
    assigned_to_id = serializers.UUIDField(read_only=True, allow_null=True)
    appointment_date = serializers.DateTimeField(read_only=True, allow_null=True,
                                                 help_text="The next upcoming appointment.")
    score = serializers.FloatField(read_only=True, allow_null=True, min_value=0, max_value=1)
    tags = TagSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = ["id", "first_name", "last_name", "full_name", "phone", "email", "status", "source", "notes",
                  "interest", "interest_location", "branch_id", "branch_name", "assigned_to_id",
                  "last_conversation_summary", "last_called", "score", "call_count", "appointment_date",
                  "do_not_call", "lost_reason", "tags", "created_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, lead):
        """The declared fields, written out: DRF's field-by-field path costs about 0.35 ms a
        lead (35 ms for a page of 100), this a tenth of it. The declarations above still define
        the schema, and a test checks that both paths give the same output."""
        moment = self.moment
        return {
            "id": str(lead.id), "first_name": lead.first_name, "last_name": lead.last_name,
            "full_name": lead.full_name, "phone": lead.phone, "email": lead.email, "status": lead.status,
            "source": lead.source, "notes": lead.notes, "interest": lead.interest,
            "interest_location": lead.interest_location, "branch_id": optional_str(lead.branch_id),
            "branch_name": _branch_name(lead), "assigned_to_id": optional_str(lead.assigned_to_id),
            "last_conversation_summary": lead.last_conversation_summary, "last_called": moment(lead.last_called),
            "score": float(lead.score) if lead.score is not None else None, "call_count": int(lead.call_count),
            "appointment_date": moment(lead.appointment_date), "do_not_call": bool(lead.do_not_call),
            "lost_reason": lead.lost_reason,
            "tags": _tags(lead),
            "created_at": moment(lead.created_at), "updated_at": moment(lead.updated_at),
        }


def _branch_name(lead):
    if not lead.branch_id:
        return None
    annotated = lead.__dict__.get("branch_name")  # a list page (selectors.lead_page_rows)
    return annotated if annotated is not None else lead.branch.name


def _tags(lead):
    rows = lead.__dict__.get("tag_rows")  # a list page (selectors.attach_tags)
    if rows is not None:
        return rows
    return [{"id": str(tag.id), "name": tag.name, "color": tag.color} for tag in lead.tags.all()]


class AssigneeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "first_name", "last_name"]
        read_only_fields = fields


class LeadDetailSerializer(LeadSerializer):
    """``GET /api/leads/{id}`` and every write's answer: the lead plus its assignee, latest calls
    and appointments. Needs ``select_related("assigned_to")`` on top of the extras."""

    assigned_to = AssigneeSerializer(read_only=True, allow_null=True)
    calls = serializers.SerializerMethodField(help_text="The latest 10 calls, newest first.")
    appointments = serializers.SerializerMethodField(help_text="Upcoming and latest appointments.")

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "assigned_to", "calls", "appointments"]
        read_only_fields = fields

    def to_representation(self, lead):
        data = super().to_representation(lead)
        data["assigned_to"] = AssigneeSerializer(lead.assigned_to).data if lead.assigned_to_id else None
        data["calls"] = self.get_calls(lead)
        data["appointments"] = self.get_appointments(lead)
        return data

    @extend_schema_field(CallShortSerializer(many=True))
    def get_calls(self, lead):
        return CallShortSerializer(selectors.lead_recent_calls(lead), many=True).data

    @extend_schema_field(AppointmentShortSerializer(many=True))
    def get_appointments(self, lead):
        return AppointmentShortSerializer(selectors.lead_appointments(lead), many=True).data


class ActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(source="actor_type", choices=ActorType.choices)
    id = serializers.UUIDField(source="actor_user_id", allow_null=True, help_text="The user, when type is user.")
    name = serializers.CharField(source="actor_name")


class ActivitySerializer(serializers.ModelSerializer):
    lead_id = serializers.UUIDField(read_only=True)
    actor = ActorSerializer(source="*", read_only=True)
    data = serializers.DictField(read_only=True, help_text="Details of the change, e.g. {from, to}.")

    class Meta:
        model = LeadActivity
        fields = ["id", "lead_id", "type", "description", "actor", "data", "created_at"]
        read_only_fields = fields


# --- input --------------------------------------------------------------------------------


# The id is left out of the message: the field (or list index) already says which one, and a body
# carrying several ids then fails the same way whichever of them is unknown.
UNKNOWN_ID = {"does_not_exist": INVALID_ID}


def _gym_tags(**kwargs):
    return serializers.ListField(child=GymScopedRelatedField(model=Tag, error_messages=UNKNOWN_ID),
                                 max_length=MAX_TAGS, **kwargs)


class LeadWriteSerializer(serializers.Serializer):
    """The body of ``POST /api/leads`` (and of PUT/PATCH, where every field is optional)."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    phone = serializers.RegexField(
        PHONE_PATTERN, max_length=20,
        help_text="Stored as E.164 for the gym's country; the same number already in the gym is a 409.",
        error_messages={"invalid": "Enter a phone number: 8 to 20 digits, spaces, dashes or brackets, "
                                   "optionally starting with +."})
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False, help_text="Default new.")
    source = serializers.ChoiceField(choices=LeadSource.choices, required=False, help_text="Default other.")
    notes = serializers.CharField(max_length=NOTES_MAX, required=False, allow_blank=True, trim_whitespace=False)
    interest = serializers.CharField(max_length=200, required=False, allow_blank=True)
    interest_location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    branch_id = GymScopedRelatedField(model=Branch, source="branch", required=False, allow_null=True,
                                      error_messages=UNKNOWN_ID, help_text="Default on create: the user's branch.")
    assigned_to_id = GymScopedRelatedField(model=User, source="assigned_to", required=False, allow_null=True,
                                           scope=lambda users: users.filter(is_active=True),
                                           error_messages=UNKNOWN_ID,
                                           help_text="An active staff member of the gym.")
    score = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    do_not_call = serializers.BooleanField(required=False)
    lost_reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                        help_text="Kept only while the status is lost.")
    tags = _gym_tags(required=False, help_text="Ids of the gym's tags; on update, the new set.")

    def validate_phone(self, value):
        try:
            return normalize_phone(value, self.context["gym"].country)
        except InvalidPhoneNumber as exc:
            raise serializers.ValidationError(str(exc))


class LeadUpdateSerializer(LeadWriteSerializer):
    """PUT and PATCH: partial updates on both (contract), so nothing is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "phone"):
            self.fields[name].required = False


class LeadStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    lost_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                        help_text="Why the lead was lost (kept for lost only).")


class TagIdsSerializer(serializers.Serializer):
    """``POST``/``DELETE /api/leads/{id}/tags`` take a bare JSON array; the view wraps it as ``tags``."""

    tags = _gym_tags(allow_empty=True)


TAG_IDS_BODY = {"application/json": {"type": "array", "items": {"type": "string", "format": "uuid"},
                                     "maxItems": MAX_TAGS, "description": "Ids of the gym's tags."}}


class PrioritizedParamsSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=50, default=10)
    exclude_leads = serializers.CharField(required=False, allow_blank=True,
                                          help_text="Comma-separated ids of leads to leave out.")

    def validate_exclude_leads(self, value):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if len(parts) > MAX_EXCLUDED:
            raise serializers.ValidationError(f"Exclude at most {MAX_EXCLUDED} leads.")
        try:
            ids = {uuid.UUID(part) for part in parts}
        except ValueError:
            raise serializers.ValidationError("Enter lead ids (UUIDs) separated by commas.")
        # Like every id filter: an id that is not one of the gym's leads is refused.
        known = set(Lead.objects.for_gym(self.context["gym"]).filter(id__in=ids).values_list("id", flat=True))
        if known != ids:
            raise serializers.ValidationError(INVALID_ID)
        return list(ids)


class ImportParamsSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a header row; first_name, last_name and phone are required.")
    branch_id = GymScopedRelatedField(model=Branch, required=False, allow_null=True, error_messages=UNKNOWN_ID,
                                      help_text="Branch of the imported leads; default: the user's branch.")
    on_duplicate = serializers.ChoiceField(choices=["skip", "update", "create"], default="skip",
                                           help_text="A row whose phone is already a lead (in the gym or "
                                                     "earlier in the file): skip it, update that lead, or "
                                                     "(create) report it as failed.")
    dry_run = serializers.BooleanField(default=False, help_text="Validate and count; write nothing.")


class LeadImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row as a spreadsheet shows it (header = 1).")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Lead rows in the file (blank rows not counted).")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = LeadImportErrorSerializer(many=True, help_text=f"The first {MAX_LISTED} errors.")
    error_count = serializers.IntegerField(source="summary.error_count", help_text=ERROR_COUNT_HELP)
    errors_by_field = serializers.DictField(source="summary.errors_by_field", child=serializers.IntegerField(),
                                            help_text=BY_FIELD_HELP)
    errors_truncated = serializers.BooleanField(source="summary.errors_truncated", help_text=TRUNCATED_HELP)
    errors_csv = serializers.SerializerMethodField(help_text=ERRORS_CSV_HELP)

    def get_errors_csv(self, result) -> str | None:
        return reverse("lead-import-errors", args=[result.errors_file.pk]) if result.errors_file else None


class ImportProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField(help_text="Lead rows read so far.")
    total = serializers.IntegerField(help_text="Lead rows in the file (counted from its lines until done).")


class LeadImportJobSerializer(serializers.Serializer):
    """A lead import run by a worker (``202`` from ``POST /api/leads/import`` for a large file)."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    file_name = serializers.CharField()
    progress = ImportProgressSerializer()
    result = serializers.SerializerMethodField(help_text="The import's report, once completed.")
    error = serializers.CharField(help_text="Why the import failed (empty otherwise).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ImportResultSerializer(allow_null=True))
    def get_result(self, job) -> dict | None:
        stored = job["result"]  # as leads.import_jobs.stored_report keeps it
        if stored is None:
            return None
        report = {key: value for key, value in stored.items() if key != "errors_file_id"}
        errors_file_id = stored.get("errors_file_id")
        report["errors_csv"] = reverse("lead-import-errors", args=[errors_file_id]) if errors_file_id else None
        return report


class IntakeLeadSerializer(LeadWriteSerializer):
    """``POST /api/intake/leads``: what a website form or an ad platform knows about an enquiry."""

    status = assigned_to_id = score = do_not_call = lost_reason = tags = None
    source = serializers.ChoiceField(choices=LeadSource.choices, default=LeadSource.WEBSITE,
                                     help_text="Default website.")
    source_detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                          help_text="Which form, page or ad the enquiry came from (on the timeline).")


class IntakeResultSerializer(serializers.Serializer):
    lead_id = serializers.UUIDField()
    created = serializers.BooleanField(help_text="False: the phone was known; the enquiry went on its timeline.")
    call_id = serializers.UUIDField(allow_null=True, help_text="The call queued for speed to lead, if any.")
    call_scheduled_at = serializers.DateTimeField(allow_null=True, help_text="When the dialer will place it.")
