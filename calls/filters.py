import django_filters

from leads.models import Lead
from reps_dashboard.api.filters import CommaSeparatedChoiceFilter, DateRangeFilterSet, GymIdFilter
from tenants.models import Branch

from .models import Call, CallDirection, CallOutcome, CallStatus, Campaign, CampaignStatus, Sentiment


class CallFilterSet(DateRangeFilterSet):
    """``start_date``/``end_date`` look at ``effective_at``: the start time, else the scheduled time."""

    date_field = "effective_at"
    lead_id = GymIdFilter(Lead, field_name="lead")
    campaign_id = GymIdFilter(Campaign, field_name="campaign")
    branch_id = GymIdFilter(Branch, field_name="branch")
    direction = CommaSeparatedChoiceFilter(CallDirection.choices, help_text="One value or several, comma-separated.")
    status = CommaSeparatedChoiceFilter(CallStatus.choices, help_text="One value or several, comma-separated.")
    outcome = CommaSeparatedChoiceFilter(CallOutcome.choices, help_text="One value or several, comma-separated.")
    sentiment = CommaSeparatedChoiceFilter(Sentiment.choices, help_text="One value or several, comma-separated.")

    class Meta:
        model = Call
        fields = []


class CampaignFilterSet(django_filters.FilterSet):
    status = CommaSeparatedChoiceFilter(CampaignStatus.choices, help_text="One value or several, comma-separated.")

    class Meta:
        model = Campaign
        fields = []
