import django_filters

from reps_dashboard.api.filters import CommaSeparatedChoiceFilter, DateRangeFilterSet
from tenants.api.filters import GymIdFilter
from tenants.models import Branch, Tag, User

from .models import Lead, LeadSource, LeadStatus
from .selectors import lead_search


class LeadFilterSet(DateRangeFilterSet):
    """The lead list's filters, shared by ``GET /api/leads``, ``/branch/{id}`` and ``/export``."""

    date_field = "created_at"
    status = CommaSeparatedChoiceFilter(LeadStatus.choices, help_text="One status or several, comma-separated.")
    source = CommaSeparatedChoiceFilter(LeadSource.choices, help_text="One source or several, comma-separated.")
    branch_id = GymIdFilter(Branch, field_name="branch")
    assigned_to = GymIdFilter(User, field_name="assigned_to", help_text="Id of the staff member.")
    # (lead, tag) is unique, so the join adds no duplicate rows.
    tag = GymIdFilter(Tag, field_name="lead_tags__tag", help_text="Id of a tag the lead carries.")
    search = django_filters.CharFilter(
        method="filter_search",
        help_text='Words found in the first, last or full name, or email ("Jane Doe"); or phone digits '
                  '("555 0123", "+1 (212) 555-0123").')

    class Meta:
        model = Lead
        fields = []

    def filter_search(self, queryset, name, value):
        return lead_search(queryset, q=value, country=self.request.gym.country)


class BranchLeadFilterSet(LeadFilterSet):
    """``/api/leads/branch/{branch_id}``: the branch is in the path."""

    branch_id = None
