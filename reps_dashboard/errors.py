"""Domain errors: what services raise when a rule of the domain refuses a request.

Services speak the domain, not HTTP: they raise these (or Django's ``ValidationError`` for a bad
field value), never a ``rest_framework`` exception. The API's exception handler
(``reps_dashboard.api.errors``) maps them to status codes and bodies; an admin action or a command
catches them like any exception. Each carries a message for a person to read and optional extra
fields that go into the response body (``existing_id``, ``next_available_slots``...).

=========================  ======  =====================================================
Error                      Status  Body
=========================  ======  =====================================================
``NotFound``               404     ``{"detail": message}``
``Conflict``               409     ``{"detail": message, **extra}``
``InvalidTransition``      409     ``{"detail": message, **extra}`` (a kind of conflict)
``BusinessRuleViolation``  400     ``{field or "non_field_errors": [message], **extra}``
=========================  ======  =====================================================
"""

# The one message for an id that names no row of the caller's gym: another gym's id gets exactly
# this message too, so an answer never reveals that the id exists elsewhere.
INVALID_ID = "No such object: the id is unknown."
NO_SUCH_OBJECT = 'Invalid id "{pk_value}": no such object.'


class DomainError(Exception):
    """Base of the domain errors: ``message`` for a person, ``extra`` for the response body."""

    default_message = "The request cannot be carried out."

    def __init__(self, message=None, **extra):
        self.message = message or self.default_message
        self.extra = extra
        super().__init__(self.message)


class NotFound(DomainError):
    """No such object in the caller's gym (another gym's object is not found either)."""

    default_message = "Not found."


class Conflict(DomainError):
    """The request conflicts with the current state: a duplicate, a double booking."""

    default_message = "The request conflicts with the current state of the resource."


class InvalidTransition(Conflict):
    """A status change the object's life cycle does not allow from where it is."""

    default_message = "This status change is not allowed from the current status."


class BusinessRuleViolation(DomainError):
    """A value that is well-formed but breaks a rule of the business (an inactive branch...);
    ``field`` names the request field to blame, if there is one."""

    default_message = "The request breaks a business rule."

    def __init__(self, message=None, *, field=None, **extra):
        super().__init__(message, **extra)
        self.field = field
