"""When a lead may be phoned: the gym's call days and hours, read in the lead's own time zone.

A lead's time zone comes from the phone number (``phonenumbers.timezone``: the area code of a
North American number, the country elsewhere). A number that maps to several zones (a mobile
number in a country with several, a toll-free number) is read in the gym's zone when that is one
of them, else in the first; a number that maps to none, in the gym's. Days and hours are wall-clock
times of that zone, so a lead in Los Angeles of a New York gym with hours 09:00-19:00 is called
from 09:00 Los Angeles time, and a window on the day the clocks change is still 09:00-19:00 local
(``appointments.localtime.wall_clock``: an hour the clocks skip moves after the gap).
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as number_zones

from appointments.localtime import wall_clock
from tenants.models import CALL_DAYS

UNKNOWN_ZONE = "Etc/Unknown"
# Call days come back within a week; a little more covers a window that closes past midnight.
SEARCH_DAYS = 8


def lead_timezone(*, phone: str, gym) -> zoneinfo.ZoneInfo:
    """The time zone a call to ``phone`` reaches (``gym``'s country reads a national number)."""
    return zoneinfo.ZoneInfo(_zone_name(phone, gym.country, gym.timezone))


@lru_cache(maxsize=8192)  # a sweep reads thousands of numbers; parsing is most of its time
def _zone_name(phone: str, country: str, fallback: str) -> str:
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException:
        return fallback
    zones = [zone for zone in number_zones.time_zones_for_number(number) if zone != UNKNOWN_ZONE]
    if not zones or fallback in zones:
        return fallback
    return zones[0]


@dataclass(frozen=True)
class CallingHours:
    """The gym's call days and hours in one time zone (the lead's)."""

    tz: zoneinfo.ZoneInfo
    days: tuple[str, ...]
    start: dt.time
    end: dt.time

    @classmethod
    def for_lead(cls, *, gym, phone: str) -> "CallingHours":
        return cls(lead_timezone(phone=phone, gym=gym), tuple(gym.call_days), gym.call_hours_start,
                   gym.call_hours_end)

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if CALL_DAYS[day.weekday()] not in self.days:
            return None
        return (wall_clock(day, f"{self.start:%H:%M}", self.tz), wall_clock(day, f"{self.end:%H:%M}", self.tz))

    def contains(self, moment: dt.datetime) -> bool:
        window = self._window(moment.astimezone(self.tz).date())
        return window is not None and window[0] <= moment < window[1]

    def next_moment(self, after: dt.datetime) -> dt.datetime | None:
        """The first moment at or after ``after`` inside the hours (None: no call day at all)."""
        first = after.astimezone(self.tz).date()
        for offset in range(SEARCH_DAYS):
            window = self._window(first + dt.timedelta(days=offset))
            if window is not None and after < window[1]:
                return max(after, window[0])
        return None

    def last_opening(self, before: dt.datetime) -> dt.datetime | None:
        """The opening of the last window that opens before ``before`` (None: no call day)."""
        last = before.astimezone(self.tz).date()
        for offset in range(SEARCH_DAYS):
            window = self._window(last - dt.timedelta(days=offset))
            if window is not None and window[0] < before:
                return window[0]
        return None
