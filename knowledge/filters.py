import django_filters
from django.db.models import Q

from tenants.api.filters import GymIdFilter
from tenants.models import Branch

from .models import KnowledgeCategory, KnowledgeEntry, KnowledgeSource


class EntryFilterSet(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=KnowledgeCategory.choices)
    source_id = GymIdFilter(KnowledgeSource, field_name="source")
    branch_id = GymIdFilter(Branch, field_name="branch", help_text="Entries of that branch only (not gym-wide ones).")
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the question or the answer.")

    class Meta:
        model = KnowledgeEntry
        fields = []

    def filter_search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(question__icontains=word) | Q(answer__icontains=word))
        return queryset
