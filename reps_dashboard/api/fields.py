"""Hand-written representations of hot list rows, exactly as DRF's fields would write them."""

from django.utils import timezone


def optional_str(value):
    """A UUID (or None) as DRF's UUIDField writes it."""
    return str(value) if value is not None else None


def iso_offset(value):
    """An aware datetime in its own offset, as DRF's DateTimeField writes it without converting."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class Datetimes:
    """ISO-8601 in the current timezone, exactly as DRF's DateTimeField writes it; made once per
    response (it looks the timezone up once)."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()

    def __call__(self, value):
        return None if value is None else iso_offset(value.astimezone(self.tz))


class HandWrittenRow:
    """For serializers that write their list rows out by hand: ``self.moment(value)`` formats a
    datetime like DRF's DateTimeField, with the timezone looked up once per response (a list
    serializer shares one child for every row)."""

    @property
    def moment(self):
        if not hasattr(self, "_datetimes"):
            self._datetimes = Datetimes()
        return self._datetimes
