"""Query parameters and response shapes of /api/analytics (contract: Analytics)."""

from rest_framework import serializers

from appointments.models import AppointmentStatus, AppointmentType
from calls.models import CallDirection, CallOutcome, CallStatus, Sentiment
from leads.models import LeadSource, LeadStage, LeadStatus
from reps_dashboard.errors import INVALID_ID
from tenants.api.fields import GymScopedRelatedField
from tenants.models import Branch

from .period import GRANULARITIES, parse_period

# --- query parameters ------------------------------------------------------------------------


class PeriodParamsSerializer(serializers.Serializer):
    start_date = serializers.CharField(required=False, help_text=(
        "YYYY-MM-DD (a local day of the gym's timezone) or an ISO-8601 datetime. "
        "Default: 29 days before end_date's day."))
    end_date = serializers.CharField(required=False, help_text=(
        "YYYY-MM-DD (inclusive) or an ISO-8601 datetime (exclusive). Default: today, in the gym's timezone."))
    branch_id = GymScopedRelatedField(model=Branch, required=False, error_messages={"does_not_exist": INVALID_ID},
                                      help_text="Only this branch's rows.")

    def validate(self, attrs):
        attrs["period"] = parse_period(attrs.get("start_date"), attrs.get("end_date"), self.context["gym"].tzinfo)
        return attrs


class SeriesParamsSerializer(PeriodParamsSerializer):
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="day", help_text=(
        "Buckets of the series: local days, weeks starting on Monday, or months."))


# --- responses -------------------------------------------------------------------------------


def _counts(name, values):
    """Every enum value as a key, 0 where nothing matched."""
    return type(name, (serializers.Serializer,), {value: serializers.IntegerField() for value in values})


def _rate(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class LocalDateTimeField(serializers.DateTimeField):
    """As given: the period's bounds are in the gym's timezone, not the server's."""

    def to_representation(self, value):
        return value.isoformat()


class PeriodSerializer(serializers.Serializer):
    start = LocalDateTimeField(help_text="First instant of the period (inclusive), in the gym's timezone.")
    end = LocalDateTimeField(help_text="End of the period (exclusive): midnight after its last local day.")
    timezone = serializers.CharField(help_text="The gym's IANA timezone, whose local days are the buckets.")


class LeadNumbersSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    converted = serializers.IntegerField()
    conversion_rate = _rate()


class CallNumbersSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    appointments_booked = serializers.IntegerField()
    average_duration = serializers.FloatField(allow_null=True, help_text="Seconds, over completed calls.")


class AppointmentNumbersSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    no_show = serializers.IntegerField()
    show_rate = _rate()


class PeriodNumbersSerializer(serializers.Serializer):
    leads = LeadNumbersSerializer()
    calls = CallNumbersSerializer()
    appointments = AppointmentNumbersSerializer()


class OverviewSerializer(serializers.Serializer):
    period = PeriodSerializer()
    leads = LeadNumbersSerializer()
    calls = CallNumbersSerializer()
    appointments = AppointmentNumbersSerializer()
    previous_period = PeriodNumbersSerializer(help_text="The same length immediately before the period.")


class LeadSeriesSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="First local day of the bucket.")
    new = serializers.IntegerField()
    converted = serializers.IntegerField()


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=LeadStage.choices)
    count = serializers.IntegerField(help_text="Leads of the period that reached at least this stage.")


class SourceConversionSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=LeadSource.choices)
    leads = serializers.IntegerField()
    converted = serializers.IntegerField()
    rate = _rate()


class SpeedToLeadSerializer(serializers.Serializer):
    median_minutes = serializers.FloatField(allow_null=True, help_text="Over the leads of the period that were called.")
    within_5_minutes_rate = _rate(help_text="Leads of the period first called within 5 minutes, over all its leads.")


class LeadsAnalyticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total_new = serializers.IntegerField()
    by_status = _counts("LeadStatusCounts", LeadStatus.values)()
    by_source = _counts("LeadSourceCounts", LeadSource.values)()
    series = LeadSeriesSerializer(many=True)
    funnel = FunnelStageSerializer(many=True)
    conversion_by_source = SourceConversionSerializer(many=True)
    speed_to_lead = SpeedToLeadSerializer()


class CallSeriesSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="First local day of the bucket.")
    total = serializers.IntegerField()
    inbound = serializers.IntegerField()
    outbound = serializers.IntegerField()
    completed = serializers.IntegerField()


class CampaignCallsSerializer(serializers.Serializer):
    campaign_id = serializers.UUIDField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    appointments_booked = serializers.IntegerField()


class CallsAnalyticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total = serializers.IntegerField()
    by_direction = _counts("CallDirectionCounts", CallDirection.values)()
    by_status = _counts("CallStatusCounts", CallStatus.values)()
    by_outcome = _counts("CallOutcomeCounts", CallOutcome.values)()
    by_sentiment = _counts("SentimentCounts", Sentiment.values)()
    average_duration = serializers.FloatField(allow_null=True, help_text="Seconds, over completed calls.")
    total_duration = serializers.IntegerField(help_text="Seconds, over every call of the period.")
    series = CallSeriesSerializer(many=True)
    by_campaign = CampaignCallsSerializer(many=True)


class AppointmentSeriesSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="First local day of the bucket.")
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    no_show = serializers.IntegerField()


CONFIRMATION_RATE = "appointments confirmed by the lead on their confirmation call / appointments whose confirmation call was placed"
RECOVERY_RATE = "no-shows whose lead booked again within 7 days / no-shows"


class BranchAppointmentsSerializer(serializers.Serializer):
    branch_id = serializers.UUIDField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    show_rate = _rate()
    no_show = serializers.IntegerField()
    no_show_rate = _rate()
    confirmation_rate = _rate(help_text=CONFIRMATION_RATE)
    no_show_recovery_rate = _rate(help_text=RECOVERY_RATE)


class AppointmentsAnalyticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total = serializers.IntegerField()
    by_status = _counts("AppointmentStatusCounts", AppointmentStatus.values)()
    by_type = _counts("AppointmentTypeCounts", AppointmentType.values)()
    show_rate = _rate(help_text="completed / (completed + no_show)")
    no_show_rate = _rate(help_text="no_show / (completed + no_show)")
    cancel_rate = _rate(help_text="canceled / total")
    confirmation_rate = _rate(help_text=CONFIRMATION_RATE)
    no_show_recovery_rate = _rate(help_text=RECOVERY_RATE)
    confirmation_calls = serializers.IntegerField(help_text="Appointments whose confirmation call was placed.")
    confirmed_by_call = serializers.IntegerField(help_text="Of those, confirmed by the lead.")
    no_shows_rebooked = serializers.IntegerField(help_text="No-shows whose lead booked again within 7 days.")
    series = AppointmentSeriesSerializer(many=True)
    by_branch = BranchAppointmentsSerializer(many=True)
