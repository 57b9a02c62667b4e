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
    check_datetime(value, name)
    return value


MAX_OFFSET = dt.timedelta(hours=14)


def datetime_problem(value):
    """What no clock shows, for a person to read (else None): a UTC offset beyond ±14:00 (Kiribati
    and Baker Island are the ends) or an instant outside the years a datetime holds once in UTC."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        return "A UTC offset must lie between -14:00 and +14:00."
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return "This date is out of range."
    return None


def check_datetime(value, name):
    problem = datetime_problem(value)
    if problem:
        raise ValidationError({name: [problem]})


def parse_range(query_params, tz, start_name="start_date", end_name="end_date"):
    start = end = None
    if query_params.get(start_name):
        start = parse_bound(start_name, query_params[start_name], tz, end=False)
    if query_params.get(end_name):
        end = parse_bound(end_name, query_params[end_name], tz, end=True)
    if start and end and end <= start:
        raise ValidationError({end_name: [f"{end_name} must not be before {start_name}."]})
    return Range(start, end)
