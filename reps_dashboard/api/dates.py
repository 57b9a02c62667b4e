"""Date-range query parameters: whole local days of the gym, or ISO datetimes with offset."""

import datetime as dt
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError


@dataclass(frozen=True)
class Range:
    start: dt.datetime | None  # inclusive, aware
    end: dt.datetime | None  # exclusive, aware


def parse_bound(name, raw, tz, *, end):
    """``YYYY-MM-DD`` is a local day of ``tz`` (end inclusive); else an ISO datetime (no offset: ``tz``)."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            if end:
                day = day + dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        # An unencoded "+05:00" arrives as " 05:00" in a query string.
        text = raw.replace(" ", "+") if "T" in raw else raw
        value = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise ValidationError({name: ["Use a date as YYYY-MM-DD or an ISO-8601 datetime such as 2026-03-01T09:00:00-05:00."]})
    if value.tzinfo is None:  # read in the gym's timezone, like datetimes in request bodies
        value = value.replace(tzinfo=tz)
    return value


def parse_range(query_params, tz, start_name="start_date", end_name="end_date"):
    start = end = None
    if query_params.get(start_name):
        start = parse_bound(start_name, query_params[start_name], tz, end=False)
    if query_params.get(end_name):
        end = parse_bound(end_name, query_params[end_name], tz, end=True)
    if start and end and end <= start:
        raise ValidationError({end_name: [f"{end_name} must not be before {start_name}."]})
    return Range(start, end)


def filter_range(queryset, field, rng: Range):
    if rng.start:
        queryset = queryset.filter(**{f"{field}__gte": rng.start})
    if rng.end:
        queryset = queryset.filter(**{f"{field}__lt": rng.end})
    return queryset
