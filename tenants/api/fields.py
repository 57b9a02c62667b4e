"""Ids in request bodies: looked up among the request gym's rows only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from reps_dashboard.errors import NO_SUCH_OBJECT


class GymScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key sent in a body, looked up among the request gym's rows only.

    Another gym's id fails with exactly the message of a nonexistent id, so a client cannot
    learn that it exists. ``model`` is the target; ``scope`` optionally narrows further
    (e.g. active branches only).
    """

    default_error_messages = {
        "does_not_exist": NO_SUCH_OBJECT,
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
