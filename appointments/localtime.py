"""Wall-clock times of a branch: reading them, and telling when one does not exist.

A datetime without an offset is a wall-clock time of the branch's timezone. On the day clocks
move forward some wall-clock times never happen (America/New_York 2026-03-08 02:30): such a
time is refused, because any guess would book a time nobody asked for. On the day clocks move
back some happen twice (2026-11-01 01:30): the first occurrence (still daylight time) is taken,
as PostgreSQL and Python do by default; a client that means the second sends the offset.
"""

import datetime as dt
import zoneinfo

UTC = dt.UTC


class NonexistentTime(ValueError):
    pass


def exists(local: dt.datetime) -> bool:
    """Whether the naive wall-clock ``local`` (with ``tzinfo`` attached) happens that day."""
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(tzinfo=None)


def to_aware(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """An aware datetime: ``value`` as is when it has an offset, else read in ``tz``.
    Raises ``NonexistentTime`` for a wall-clock time skipped by a daylight-saving change."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    local = value.replace(tzinfo=tz, fold=0)
    if not exists(local):
        raise NonexistentTime(f"{value:%Y-%m-%dT%H:%M} does not exist in {tz.key} (the clocks skip it "
                              "for daylight saving time); send another time or an explicit offset.")
    return local


def normalise(value: dt.datetime) -> dt.datetime:
    """An appointment's start: in UTC (so that adding minutes is elapsed time, not wall-clock
    time) and on a whole minute (seconds and fractions are dropped)."""
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def wall_clock(day: dt.date, hhmm: str, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """``HH:MM`` of ``day`` in ``tz`` as an instant. A time skipped by the clocks moving forward
    falls after the gap (02:30 becomes 03:30), as PostgreSQL reads it; a repeated one is the
    first occurrence."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    local = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz)
