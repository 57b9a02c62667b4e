"""What the admin says when a service refuses a change."""

from django.core.exceptions import ValidationError

from reps_dashboard.errors import DomainError

REFUSALS = (DomainError, ValidationError)


def refusal(exc) -> str:
    """The message of a domain error or of a validation error, for a person."""
    return exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
