from django.urls import reverse
from rest_framework import serializers

from appointments.models import DURATION_MAX, DURATION_MIN
from appointments.serializers import (
    AppointmentCreateSerializer,
    AppointmentDetailSerializer,
    AppointmentShortSerializer,
    AvailabilityParamsSerializer,
    OffsetDateTimeField,
    SlotSerializer,
)
from knowledge.serializers import SearchResultSerializer
from leads.models import Lead
from leads.phones import InvalidPhoneNumber, normalize_phone
from reps_dashboard.errors import INVALID_ID
from tenants.api.fields import GymScopedRelatedField
from tenants.models import Branch, User

from .models import WebhookOutcome
from .scheduler import Skipped
from .tool_request import caller_branch, caller_lead
from .webhook_health import webhook_health

# The id is not echoed: a body may carry several, and each unknown one reads the same.
UNKNOWN_ID = {"does_not_exist": INVALID_ID}


# --- settings ----------------------------------------------------------------------------


class RetellIntegrationSerializer(serializers.Serializer):
    """The gym's Retell integration. Before the first PUT/PATCH it is not configured: ``id`` and
    ``webhook_url`` are null."""

    id = serializers.UUIDField(read_only=True, allow_null=True)
    api_key = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200,
                                    trim_whitespace=True, help_text="The Retell API key (write-only; \"\" clears it).")
    api_key_set = serializers.BooleanField(read_only=True)
    api_key_last4 = serializers.CharField(read_only=True, help_text="The key's last 4 characters, to recognise it.")
    webhook_api_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, trim_whitespace=True,
        help_text="The Retell API key with the \"webhook\" badge, when it is not `api_key` (write-only; \"\" "
                  "clears it, and webhooks are then checked with `api_key`).")
    webhook_api_key_set = serializers.BooleanField(read_only=True)
    webhook_api_key_last4 = serializers.CharField(read_only=True)
    agent_id = serializers.CharField(required=False, allow_blank=True, max_length=128,
                                     help_text="The Retell agent that places outbound calls.")
    from_number = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                        help_text="The Retell number outbound calls come from; stored as E.164.")
    enabled = serializers.BooleanField(required=False, help_text="Needs the API key, agent id and from-number.")
    webhook_url = serializers.URLField(read_only=True, allow_null=True,
                                       help_text="Paste into Retell as the agent's webhook URL.")
    last_webhook_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                                help_text="When a signed delivery last arrived (to the minute).")
    last_webhook_error = serializers.CharField(read_only=True, help_text="Why the last refused delivery was "
                                                                         "refused (\"\" when none was).")
    last_webhook_error_at = serializers.DateTimeField(read_only=True, allow_null=True)
    webhook_refused_24h = serializers.IntegerField(read_only=True, help_text="Deliveries refused in the last 24 "
                                                                             "hours (bad signature, stale, disabled).")
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, integration):
        saved = not integration._state.adding
        request = self.context["request"]
        url = reverse("voice-retell-webhook", kwargs={"integration_id": integration.pk}) if saved else None
        health = webhook_health(integration=integration) if saved else None
        moment = serializers.DateTimeField().to_representation
        return {
            "id": str(integration.pk) if saved else None,
            "api_key_set": bool(integration.api_key_encrypted),
            "api_key_last4": integration.api_key_last4,
            "webhook_api_key_set": bool(integration.webhook_api_key_encrypted),
            "webhook_api_key_last4": integration.webhook_api_key_last4,
            "agent_id": integration.agent_id,
            "from_number": integration.from_number,
            "enabled": integration.enabled,
            "webhook_url": request.build_absolute_uri(url) if url else None,
            "last_webhook_at": moment(health.last_webhook_at) if health and health.last_webhook_at else None,
            "last_webhook_error": health.last_webhook_error if health else "",
            "last_webhook_error_at": (moment(health.last_webhook_error_at)
                                      if health and health.last_webhook_error_at else None),
            "webhook_refused_24h": health.webhook_refused_24h if health else 0,
            "created_at": serializers.DateTimeField().to_representation(integration.created_at) if saved else None,
            "updated_at": serializers.DateTimeField().to_representation(integration.updated_at) if saved else None,
        }


class ScheduleResultSerializer(serializers.Serializer):
    campaign_id = serializers.UUIDField(source="campaign.pk")
    date = serializers.DateField(help_text="The gym's local day the calls were queued for.")
    queued = serializers.SerializerMethodField(help_text="Calls queued by this run.")
    skipped = serializers.ChoiceField(choices=Skipped.choices, allow_null=True,
                                      help_text="Why nothing (more) was queued, when nothing was.")

    def get_queued(self, result) -> int:
        return len(result.calls)


# --- webhook -----------------------------------------------------------------------------


class RetellCallPayloadSerializer(serializers.Serializer):
    """The part of Retell's call object we read (it sends more; see docs/voice-agent.md)."""

    call_id = serializers.CharField()
    call_status = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    from_number = serializers.CharField(required=False)
    to_number = serializers.CharField(required=False)
    metadata = serializers.DictField(required=False, help_text="lead_id, call_id, campaign_id when we placed the call.")
    retell_llm_dynamic_variables = serializers.DictField(required=False)
    start_timestamp = serializers.IntegerField(required=False, help_text="Unix milliseconds.")
    end_timestamp = serializers.IntegerField(required=False, help_text="Unix milliseconds.")
    disconnection_reason = serializers.CharField(required=False)
    transcript = serializers.CharField(required=False)
    transcript_object = serializers.ListField(child=serializers.DictField(), required=False)
    recording_url = serializers.CharField(required=False)
    call_analysis = serializers.DictField(required=False)


class RetellWebhookSerializer(serializers.Serializer):
    event = serializers.CharField(help_text="call_started, call_ended, call_analyzed; others are recorded and ignored.")
    call = RetellCallPayloadSerializer()


class WebhookResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=WebhookOutcome.choices)


# --- in-call tools -----------------------------------------------------------------------


class BranchInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "name", "address", "phone", "timezone", "opening_hours"]
        read_only_fields = fields


class ToolAnswerSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="One sentence the agent can read and say.")


class LookupParamsSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40, required=False,
                                  help_text="The caller's number, in any common format. Default: the call's.")

    def validate_phone(self, value):
        try:
            return normalize_phone(value, self.context["gym"].country)
        except InvalidPhoneNumber as exc:
            raise serializers.ValidationError(str(exc))


class NextAppointmentSerializer(AppointmentShortSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    end_time = OffsetDateTimeField(source="local_end", read_only=True)

    class Meta(AppointmentShortSerializer.Meta):
        fields = [*AppointmentShortSerializer.Meta.fields, "branch_name", "end_time"]
        read_only_fields = fields


class CallerLeadSerializer(serializers.ModelSerializer):
    """What the agent needs to know about a caller (``voice.selectors.lead_with_next_appointment``)."""

    full_name = serializers.CharField(read_only=True)
    branch_id = serializers.UUIDField(read_only=True, allow_null=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True, allow_null=True, default=None)
    next_appointment = NextAppointmentSerializer(read_only=True, allow_null=True,
                                                 help_text="The next scheduled or confirmed appointment.")

    class Meta:
        model = Lead
        fields = ["id", "first_name", "last_name", "full_name", "phone", "email", "status", "interest",
                  "interest_location", "branch_id", "branch_name", "last_conversation_summary", "last_called",
                  "call_count", "do_not_call", "next_appointment"]
        read_only_fields = fields


class LookupAnswerSerializer(ToolAnswerSerializer):
    found = serializers.BooleanField(help_text="Whether the caller is a known lead.")
    lead = CallerLeadSerializer(allow_null=True)
    branches = BranchInfoSerializer(many=True, help_text="The gym's branches, to ask which one suits the caller.")


class SearchAnswerSerializer(ToolAnswerSerializer, SearchResultSerializer):
    """``GET /api/knowledge/search``'s answer, with ``found`` and a ``message`` for the agent."""

    found = serializers.BooleanField(help_text="Whether anything matched.")


class VoiceAvailabilityParamsSerializer(AvailabilityParamsSerializer):
    branch_id = GymScopedRelatedField(model=Branch, required=False, allow_null=True,
                                      help_text="Default: the caller's branch, or the gym's only one.")

    def validate_branch_id(self, value):
        return value if value is None else super().validate_branch_id(value)


class AvailabilityAnswerSerializer(ToolAnswerSerializer):
    found = serializers.BooleanField(help_text="Whether any slot is free that day.")
    branch_id = serializers.UUIDField(allow_null=True)
    date = serializers.DateField(allow_null=True)
    timezone = serializers.CharField(allow_null=True)
    available_slots = SlotSerializer(many=True, help_text="The free slots only.")
    branches = BranchInfoSerializer(many=True, help_text="Set when the branch must be asked for.")


class CallerAppointmentSerializer(AppointmentCreateSerializer):
    """As ``POST /api/appointments``; the lead defaults to the caller (the call object), the branch to
    the lead's or the gym's only one, the duration to 60 minutes."""

    lead_id = GymScopedRelatedField(model=Lead, required=False, allow_null=True, error_messages=UNKNOWN_ID,
                                    help_text="Default: the caller (metadata.lead_id or the caller's number).")
    branch_id = GymScopedRelatedField(model=Branch, required=False, allow_null=True, error_messages=UNKNOWN_ID,
                                      help_text="Default: the lead's branch, or the gym's only one.")
    staff_id = GymScopedRelatedField(model=User, required=False, allow_null=True, error_messages=UNKNOWN_ID)
    duration = serializers.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, default=60,
                                        help_text=f"Minutes, {DURATION_MIN}..{DURATION_MAX}; default 60.")

    def validate(self, attrs):
        gym = self.context["gym"]
        attrs["lead_id"] = attrs.get("lead_id") or caller_lead(gym=gym, call=self.context.get("call") or {})
        attrs["branch_id"] = attrs.get("branch_id") or caller_branch(gym=gym, lead=attrs["lead_id"])
        return super().validate(attrs) if attrs["branch_id"] is not None else attrs


class BookingAnswerSerializer(ToolAnswerSerializer):
    booked = serializers.BooleanField()
    appointment = AppointmentDetailSerializer(allow_null=True)
    existing_id = serializers.UUIDField(allow_null=True, help_text="The appointment in the way, when one is.")
    next_available_slots = SlotSerializer(many=True, help_text="When not booked: the next free slots of the branch "
                                                               "after the time asked for, soonest first (at most 3).")
    branches = BranchInfoSerializer(many=True, help_text="Set when the branch must be asked for.")


class DoNotCallAnswerSerializer(ToolAnswerSerializer):
    found = serializers.BooleanField(help_text="Whether the caller is a known lead.")
    id = serializers.UUIDField(allow_null=True)
    do_not_call = serializers.BooleanField()
    canceled_calls = serializers.IntegerField(help_text="Queued calls of the lead canceled now.")
    updated_at = serializers.DateTimeField(allow_null=True)
