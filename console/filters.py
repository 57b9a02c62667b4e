"""List filters an operator reaches for: local-day ranges, staff by name, tags."""

import datetime as dt

from django.contrib import admin
from django.utils import timezone

from tenants.admin_base import staff_name
from tenants.models import Tag, User


def _midnight(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _ranges(today):
    """Named ranges of local days of the active (gym's) timezone: (start, end) with end exclusive."""
    tomorrow = today + dt.timedelta(days=1)
    monday = today - dt.timedelta(days=today.weekday())
    return {
        "today": ("Today", _midnight(today), _midnight(tomorrow)),
        "upcoming": ("Upcoming", timezone.now(), None),
        "next_7_days": ("Next 7 days", _midnight(tomorrow), _midnight(today + dt.timedelta(days=8))),
        "week": ("This week", _midnight(monday), _midnight(monday + dt.timedelta(days=7))),
        "last_7_days": ("Last 7 days", _midnight(today - dt.timedelta(days=6)), _midnight(tomorrow)),
        "month": ("This month", _midnight(today.replace(day=1)), None),
        "past": ("Past", None, timezone.now()),
    }


def when_filter(field, *, title="when", parameter="when", choices=("today", "upcoming", "week", "past")):
    """A filter on ``field`` by local-day ranges of the gym (the site activates its timezone)."""

    class WhenFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            labels = _ranges(timezone.localdate())
            return [(key, labels[key][0]) for key in choices]

        def queryset(self, request, queryset):
            if self.value() not in choices:
                return queryset
            _, start, end = _ranges(timezone.localdate())[self.value()]
            if start is not None:
                queryset = queryset.filter(**{f"{field}__gte": start})
            if end is not None:
                queryset = queryset.filter(**{f"{field}__lt": end})
            return queryset

    WhenFilter.title = title
    WhenFilter.parameter_name = parameter
    WhenFilter.__name__ = f"{field.title().replace('_', '')}WhenFilter"
    return WhenFilter


def staff_filter(field, *, title):
    """The gym's staff by name (emails are not how operators know each other)."""

    class StaffFilter(admin.SimpleListFilter):
        parameter_name = f"{field}_id"

        def lookups(self, request, model_admin):
            users = User.objects.filter(gym=request.user.gym) if not request.user.is_superuser else User.objects
            choices = [("none", "Nobody")]
            choices += [(str(user.pk), staff_name(user)) for user in users.filter(is_active=True)
                        .order_by("first_name", "last_name", "email")]
            return choices

        def queryset(self, request, queryset):
            if self.value() == "none":
                return queryset.filter(**{f"{field}__isnull": True})
            if self.value():
                return queryset.filter(**{f"{field}_id": self.value()})
            return queryset

    StaffFilter.title = title
    StaffFilter.__name__ = f"{field.title().replace('_', '')}StaffFilter"
    return StaffFilter


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = Tag.all_gyms.order_by("name", "id")
        if not request.user.is_superuser:
            tags = tags.filter(gym_id=request.user.gym_id)
        return [(str(tag.pk), tag.name) for tag in tags]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(lead_tags__tag_id=self.value())
        return queryset
