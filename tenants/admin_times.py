"""Times in the admin: in the row's branch timezone, else the gym's, always labelled with the zone.

The console site activates the gym's timezone for every admin request (forms, filters and the date
hierarchy read and show the gym's local time); a row with a branch is shown in the branch's zone.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

EMPTY = "-"


def row_timezone(obj):
    """The branch's zone when the row has a branch, else the request's (the gym's)."""
    branch = getattr(obj, "branch", None) if any(f.name == "branch" for f in obj._meta.fields) else None
    return branch.tzinfo if branch is not None else timezone.get_current_timezone()


def local_text(value, tz, fmt="%Y-%m-%d %H:%M"):
    """``value`` in ``tz`` followed by the zone's abbreviation, as plain text."""
    if value is None:
        return EMPTY
    local = value.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname()}"


def local_time(value, tz, fmt="%Y-%m-%d %H:%M"):
    """``local_text`` marked up, with the zone's name on hover."""
    if value is None:
        return EMPTY
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), str(tz),
                       local_text(value, tz, fmt))


def local_time_column(field, description, *, fmt="%Y-%m-%d %H:%M", ordering=True):
    """A list or read-only column showing ``field`` in the row's local time."""

    @admin.display(description=description, ordering=field if ordering else None)
    def column(self, obj):
        return local_time(getattr(obj, field), row_timezone(obj), fmt)

    column.__name__ = f"{field}_local"
    return column
