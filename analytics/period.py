"""The period an analytics request covers, and the buckets of its series.

Bounds are local days of the gym's timezone (``YYYY-MM-DD``, ``end_date`` inclusive) or ISO
datetimes (without an offset: read in the gym's timezone). Default: the last 30 local days,
today included. A period whose bounds are both local midnights (whole days) can be answered from the daily
rollups; any other is counted from the raw rows.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework.exceptions import ValidationError

from reps_dashboard.api.dates import parse_bound

DEFAULT_DAYS = 30
MAX_DAYS = 731
GRANULARITIES = ("day", "week", "month")
FIRST_YEAR, LAST_YEAR = 1970, 2100


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


@dataclass(frozen=True)
class Period:
    start: dt.datetime  # inclusive, aware, in the gym's timezone
    end: dt.datetime  # exclusive
    tz: ZoneInfo
    whole_days: bool  # both bounds are local midnights (given as dates)

    @classmethod
    def of_days(cls, first: dt.date, last: dt.date, tz: ZoneInfo) -> "Period":
        return cls(_midnight(first, tz), _midnight(last + dt.timedelta(days=1), tz), tz, True)

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(self.tz).date()

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(microseconds=1)).astimezone(self.tz).date()

    def previous(self) -> "Period":
        """The same length immediately before: as many local days, or as long a time."""
        if self.whole_days:
            days = (self.last_day - self.first_day).days + 1
            return Period.of_days(self.first_day - dt.timedelta(days=days), self.first_day - dt.timedelta(days=1), self.tz)
        return Period(self.start - (self.end - self.start), self.start, self.tz, False)

    def buckets(self, granularity: str) -> list[dt.date]:
        """The first day of every bucket the period touches: days, weeks starting on Monday, or
        months (a week or month bucket may start before the period)."""
        day, last, found = bucket_of(self.first_day, granularity), self.last_day, []
        while day <= last:
            found.append(day)
            if granularity == "day":
                day += dt.timedelta(days=1)
            elif granularity == "week":
                day += dt.timedelta(days=7)
            else:
                day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return found


def bucket_of(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def parse_period(start_raw: str | None, end_raw: str | None, tz: ZoneInfo) -> Period:
    """400s name the field: an invalid bound, ``end_date`` before ``start_date``, or a period
    longer than 731 days."""
    today = timezone.localdate(timezone=tz)
    start = _bound("start_date", start_raw, tz, end=False)
    end = _bound("end_date", end_raw, tz, end=True)
    if end is None:
        end = _midnight(today + dt.timedelta(days=1), tz)
    if start is None:  # the 30 local days ending with the end's day
        last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        start = _midnight(last - dt.timedelta(days=DEFAULT_DAYS - 1), tz)
    if end <= start:
        raise ValidationError({"end_date": ["end_date must not be before start_date."]})
    whole_days = all(_is_midnight(bound, tz) for bound in (start, end))
    period = Period(start.astimezone(tz), end.astimezone(tz), tz, whole_days)
    days = (period.last_day - period.first_day).days + 1
    if days > MAX_DAYS:
        field = "end_date" if end_raw else "start_date"
        raise ValidationError({field: [f"The period spans {days} days; at most {MAX_DAYS} are allowed."]})
    return period


def _bound(name, raw, tz, *, end):
    if not raw:
        return None
    value = parse_bound(name, raw, tz, end=end)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:  # also keeps date arithmetic far from overflows
        raise ValidationError({name: [f"Use a date between {FIRST_YEAR} and {LAST_YEAR}."]})
    return value


def _is_midnight(value: dt.datetime, tz: ZoneInfo) -> bool:
    return value.astimezone(tz).time() == dt.time.min

