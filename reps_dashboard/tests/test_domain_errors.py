"""Services speak the domain: they raise ``reps_dashboard.errors``, and the API handler maps them to
HTTP (that they import nothing of DRF is ``test_layers``)."""

import uuid

import pytest

from reps_dashboard import errors
from reps_dashboard.api.errors import exception_handler

EXISTING = uuid.uuid4()


@pytest.mark.parametrize("error,status,body", [
    (errors.NotFound(), 404, {"detail": "Not found."}),
    (errors.NotFound("No lead has this phone number."), 404, {"detail": "No lead has this phone number."}),
    (errors.Conflict("Taken.", existing_id=EXISTING), 409, {"detail": "Taken.", "existing_id": str(EXISTING)}),
    (errors.Conflict(), 409, {"detail": errors.Conflict.default_message}),
    (errors.InvalidTransition("Final.", next_available_slots=[{"start_time": "09:00"}]), 409,
     {"detail": "Final.", "next_available_slots": [{"start_time": "09:00"}]}),
    (errors.BusinessRuleViolation("This branch is inactive.", field="branch_id"), 400,
     {"branch_id": ["This branch is inactive."]}),
    (errors.BusinessRuleViolation("Not on a holiday."), 400, {"non_field_errors": ["Not on a holiday."]}),
])
def test_the_api_handler_maps_each_domain_error(error, status, body):
    response = exception_handler(error, {})
    assert (response.status_code, response.data) == (status, body)


def test_a_domain_error_is_a_plain_exception_for_code_outside_http():
    error = errors.InvalidTransition()
    assert isinstance(error, errors.Conflict) and isinstance(error, errors.DomainError)
    assert str(error) == error.message == errors.InvalidTransition.default_message


def test_the_api_answers_a_business_rule_with_its_field(admin_client, gym, branch):
    """Through HTTP: booking at an inactive branch is refused by the service, answered as a 400."""
    from leads.tests.factories import LeadFactory

    branch.is_active = False
    branch.save()
    lead = LeadFactory(gym=gym, branch=branch)
    response = admin_client.post("/api/appointments", {"lead_id": str(lead.id), "type": "tour",
                                                       "date": "2030-01-07T10:00:00Z", "duration": 30}, format="json")
    assert response.status_code == 400
    assert response.json() == {"branch_id": ["This branch is inactive; book at an active branch."]}
