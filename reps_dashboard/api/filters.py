"""FilterSet building blocks: enum lists, date ranges, and a backend that remembers the filterset.

Id filters, which look only at the request gym's rows, are ``tenants.api.filters.GymIdFilter``."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from reps_dashboard.api.dates import parse_bound, parse_range


class CommaSeparatedChoiceFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?status=new,contacted``: one or several enum values; an unknown one is a 400."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, lookup_expr="in", **kwargs)


class DateRangeFilterSet(django_filters.FilterSet):
    """``start_date`` / ``end_date`` on ``date_field``: whole local days of the gym's timezone
    (``end_date`` inclusive) or ISO datetimes; invalid or reversed ranges are a 400."""

    date_field = None
    start_date = django_filters.CharFilter(method="filter_start", help_text="YYYY-MM-DD (gym's local day) or ISO datetime.")
    end_date = django_filters.CharFilter(method="filter_end", help_text="YYYY-MM-DD (inclusive) or ISO datetime.")

    def _tz(self):
        return self.request.gym.tzinfo

    def filter_queryset(self, queryset):
        parse_range(self.request.query_params, self._tz())  # rejects invalid and reversed ranges
        return super().filter_queryset(queryset)

    def filter_start(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": parse_bound(name, value, self._tz(), end=False)})

    def filter_end(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lt": parse_bound(name, value, self._tz(), end=True)})

    def used(self):
        """The filters this request set, with their cleaned values."""
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}


class _NoFilters:
    """The filterset of a request that sent none of its filters."""

    @staticmethod
    def used():
        return {}


class RememberingFilterBackend(DjangoFilterBackend):
    """Leaves the validated filterset on the view (``view.filterset``), so the paginator can ask
    which filters a list used (a total from a tally, reps_dashboard/tally.py).

    A request that sends none of the filterset's parameters (the plain list the dashboard opens
    with) skips building the filterset and its form, which is about a fifth of a list page's
    time: every filter here applies only when its parameter is present."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(name in request.query_params for name in filterset_class.base_filters):
            view.filterset = _NoFilters()
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset
