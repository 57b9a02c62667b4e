"""Ids in query filters: looked up among the request gym's rows only."""

import django_filters

from reps_dashboard.errors import INVALID_ID


def gym_rows(model):
    """A django-filter ``queryset`` callable: the request gym's rows of ``model``, else none."""

    def rows(request):
        return model.objects.for_gym(getattr(request, "gym", None))

    return rows


class GymIdFilter(django_filters.ModelChoiceFilter):
    """``?branch_id=<uuid>``: another gym's id fails exactly like an unknown one (400)."""

    def __init__(self, model, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": INVALID_ID})
        super().__init__(queryset=gym_rows(model), **kwargs)
