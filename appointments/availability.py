"""Free slots of a branch: within its opening hours, in its own timezone, correct on the days the
clocks change.

Slots start at the opening time and every ``SLOT_STEP`` after it, in elapsed time: on a 23-hour
day the clock jumps from 01:30 to 03:00 between two slots, on a 25-hour day 01:00 and 01:30 come
twice (with different offsets). Every slot is a real local time with its offset. A slot must end
by closing time. It is available when it starts in the future and no active appointment overlaps
it: of the staff member when one is given, else of the branch (the branch is then one resource);
with a lead, the lead's own appointments count too.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from tenants.models import CALL_DAYS

from .localtime import UTC, wall_clock
from .models import Appointment
from .selectors import overlapping

SLOT_STEP = dt.timedelta(minutes=30)
# How far next_free_slots looks ahead.
HORIZON_DAYS = 14


@dataclass(frozen=True)
class Slot:
    start_time: dt.datetime  # aware, in the branch's timezone
    end_time: dt.datetime
    available: bool


def opening_window(branch, day: dt.date):
    """``(opens, closes)`` as instants, or None when the branch is closed that weekday. The API
    validates opening hours; a malformed value written another way (the admin's raw JSON) reads
    as closed rather than failing every availability request."""
    hours = (branch.opening_hours or {}).get(CALL_DAYS[day.weekday()])
    tz = branch.tzinfo
    try:
        opens, closes = wall_clock(day, hours[0], tz), wall_clock(day, hours[1], tz)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return (opens, closes) if opens < closes else None


def _busy(*, branch, start, end, staff=None, lead=None):
    """``[(start, end)]`` of the active appointments that make a slot unavailable."""
    who = Q(staff=staff) if staff is not None else Q(branch=branch)
    if lead is not None:
        who |= Q(lead=lead)
    rows = overlapping(Appointment.objects.for_gym(branch.gym_id).filter(who), start=start, end=end)
    return sorted(rows.values_list("date", "end_time"))


def _slots(window, duration, busy, now, tz):
    opens, closes = window
    length = dt.timedelta(minutes=duration)
    start = opens.astimezone(UTC)
    while start + length <= closes:
        end = start + length
        free = start >= now and not any(b_start < end and start < b_end for b_start, b_end in busy)
        yield Slot(start.astimezone(tz), end.astimezone(tz), free)
        start += SLOT_STEP


def availability(*, branch, day: dt.date, duration: int, staff=None, lead=None, now=None) -> dict:
    """The day's slots of ``branch`` (``{date, timezone, available_slots}``). Two queries at most:
    none when the branch is closed that day."""
    tz = branch.tzinfo
    window = opening_window(branch, day)
    slots = []
    if window is not None:
        busy = _busy(branch=branch, start=window[0], end=window[1], staff=staff, lead=lead)
        slots = list(_slots(window, duration, busy, now or timezone.now(), tz))
    return {"date": day, "timezone": tz.key, "available_slots": slots}


def next_free_slots(*, branch, after: dt.datetime, duration: int, staff=None, lead=None, count=3,
                    now=None) -> list[Slot]:
    """The first ``count`` available slots starting at or after ``after``, within HORIZON_DAYS
    (what the voice agent offers when the time asked for is taken). One query."""
    tz = branch.tzinfo
    now = max(now or timezone.now(), after)
    first_day = after.astimezone(tz).date()
    days = [first_day + dt.timedelta(days=n) for n in range(HORIZON_DAYS + 1)]
    windows = [w for w in (opening_window(branch, day) for day in days) if w is not None]
    if not windows:
        return []
    busy = _busy(branch=branch, start=windows[0][0], end=windows[-1][1], staff=staff, lead=lead)
    found = []
    for window in windows:
        for slot in _slots(window, duration, busy, now, tz):
            if slot.available:
                found.append(slot)
                if len(found) == count:
                    return found
    return found
