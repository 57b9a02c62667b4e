"""Named reads of the tenancy's own rows."""

from django.core.exceptions import ValidationError

from reps_dashboard.errors import NotFound

from .models import Branch


def branch_get(*, gym, branch_id) -> Branch:
    """The branch of ``gym`` with this id; another gym's branch, a missing one and a malformed id are
    the same ``NotFound``."""
    try:
        return Branch.objects.for_gym(gym).get(pk=branch_id)
    except (Branch.DoesNotExist, ValidationError, ValueError):
        raise NotFound()
