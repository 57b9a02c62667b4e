"""Calling hours judged by the called person's clock.

Regulators judge calling hours by the lead's local time, so the dialer reads the lead's time zone
from the phone number (``phonenumbers``' time-zone data: an area code names one zone) and falls back
to the gym's zone when the number spans several zones (a mobile prefix, a country with many zones)
or names none. A call belongs to the gym's calling window (days and hours) and, for a campaign's
call, to the campaign's too: both must be open.
"""

import datetime as dt
import zoneinfo

import phonenumbers
from phonenumbers import timezone as phone_timezones

from tenants.models import CALL_DAYS

_UNKNOWN = "Etc/Unknown"
_LOOKAHEAD_DAYS = 8  # every weekday once, and today again


def lead_timezone(phone: str, fallback: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    """The time zone of ``phone`` (E.164) when its number names exactly one, else ``fallback``."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return fallback
    zones = [zone for zone in phone_timezones.time_zones_for_number(number) if zone != _UNKNOWN]
    if len(zones) != 1 or zones[0] == getattr(fallback, "key", None):
        return fallback
    try:
        return zoneinfo.ZoneInfo(zones[0])
    except zoneinfo.ZoneInfoNotFoundError:
        return fallback


class Window:
    """Days of the week and hours of the day when calls may be placed (the gym's, narrowed by a
    campaign's)."""

    def __init__(self, *, days, start: dt.time, end: dt.time):
        self.days, self.start, self.end = set(days), start, end

    @classmethod
    def for_call(cls, gym, campaign=None):
        window = cls(days=gym.call_days, start=gym.call_hours_start, end=gym.call_hours_end)
        if campaign is not None:
            window = cls(days=window.days & set(campaign.call_days), start=max(window.start, campaign.call_hours_start),
                         end=min(window.end, campaign.call_hours_end))
        return window

    @property
    def empty(self) -> bool:
        return not self.days or self.start >= self.end

    def next_open(self, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
        """``now`` when the window is open at ``now`` in ``tz``, else the instant it next opens (None
        when it never does)."""
        if self.empty:
            return None
        today = now.astimezone(tz).date()
        for offset in range(_LOOKAHEAD_DAYS):
            day = today + dt.timedelta(days=offset)
            if CALL_DAYS[day.weekday()] not in self.days:
                continue
            opens, closes = _instant(day, self.start, tz), _instant(day, self.end, tz)
            if now < closes:
                return max(opens, now)
        return None


def _instant(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    # Through UTC and back: a wall-clock time skipped by a daylight-saving change falls after the gap.
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)
