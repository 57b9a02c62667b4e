from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers


class GymScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key sent in a body, looked up among the request gym's rows only.

    Another gym's id fails with exactly the message of a nonexistent id, so a client cannot
    learn that it exists. ``model`` is the target; ``scope`` optionally narrows further
    (e.g. active branches only).
    """

    default_error_messages = {
        "does_not_exist": 'Invalid id "{pk_value}": no such object.',
        "incorrect_type": "Incorrect type. Expected an id (UUID), received {data_type}.",
    }

    def __init__(self, model=None, scope=None, **kwargs):
        self.model = model
        self.scope = scope
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model.all_gyms.none() if hasattr(model, "all_gyms") else model.objects.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        gym = self.context.get("gym")
        queryset = self.model.objects.for_gym(gym)
        return self.scope(queryset) if self.scope else queryset

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(pk=data)
        except (self.model.DoesNotExist, TypeError, ValueError, DjangoValidationError):
            # A malformed UUID is just "no such object", like another gym's id.
            self.fail("does_not_exist", pk_value=data)

    def use_pk_only_optimization(self):
        return True


# --- hand-written representations (hot list rows) ---------------------------------------------


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
