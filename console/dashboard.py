"""The gym's day at a glance, for the admin index: read from the analytics selectors only."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from analytics.period import Period
from analytics.selectors.appointments import appointments_analytics
from analytics.selectors.common import Ask
from analytics.selectors.overview import overview

UPCOMING_DAYS = 7
ACTIVE = ("scheduled", "confirmed")


@dataclass(frozen=True)
class Day:
    date: dt.date
    timezone: str
    calls_placed: int
    calls_connected: int
    calls_booked: int
    appointments_today: int
    appointments_upcoming: int
    new_leads_week: int


def gym_day(*, gym, now: dt.datetime | None = None) -> Day:
    """Calls of the local day (placed, connected, booked an appointment), the day's appointments,
    the active ones of the next ``UPCOMING_DAYS`` days, and the leads created since Monday."""
    tz = gym.tzinfo
    today = timezone.localdate(now or timezone.now(), timezone=tz)
    day = overview(Ask(gym, Period.of_days(today, today, tz)))
    week = overview(Ask(gym, Period.of_days(today - dt.timedelta(days=today.weekday()), today, tz)))
    coming = Period.of_days(today + dt.timedelta(days=1), today + dt.timedelta(days=UPCOMING_DAYS), tz)
    upcoming = appointments_analytics(Ask(gym, coming))["by_status"]
    return Day(
        date=today, timezone=gym.timezone,
        calls_placed=day["calls"]["total"], calls_connected=day["calls"]["completed"],
        calls_booked=day["calls"]["appointments_booked"], appointments_today=day["appointments"]["total"],
        appointments_upcoming=sum(upcoming[status] for status in ACTIVE), new_leads_week=week["leads"]["new"],
    )
