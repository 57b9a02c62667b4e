import django_filters
from django.db.models import Q

from leads.models import Lead
from reps_dashboard.api.dates import parse_bound
from reps_dashboard.api.filters import CommaSeparatedChoiceFilter, DateRangeFilterSet
from tenants.api.filters import GymIdFilter
from tenants.models import Branch

from .models import Call, CallDirection, CallOutcome, CallStatus, Campaign, CampaignStatus, Sentiment

DATE_FILTERS = ("start_date", "end_date")


class CallFilterSet(DateRangeFilterSet):
    """``start_date``/``end_date`` select a call by its ``start_time``, or by its ``scheduled_at``
    when it has not started. Each bound is applied on its own; together they are exactly
    "start in range, or not started and scheduled in range"."""

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

    def filter_start(self, queryset, name, value):
        bound = parse_bound(name, value, self._tz(), end=False)
        return queryset.filter(Q(start_time__gte=bound) | Q(start_time__isnull=True, scheduled_at__gte=bound))

    def filter_end(self, queryset, name, value):
        bound = parse_bound(name, value, self._tz(), end=True)
        return queryset.filter(Q(start_time__lt=bound) | Q(start_time__isnull=True, scheduled_at__lt=bound))

    def filter_without_dates(self, queryset):
        for name, value in self.used().items():
            if name not in DATE_FILTERS:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


class CampaignFilterSet(django_filters.FilterSet):
    status = CommaSeparatedChoiceFilter(CampaignStatus.choices, help_text="One value or several, comma-separated.")

    class Meta:
        model = Campaign
        fields = []
