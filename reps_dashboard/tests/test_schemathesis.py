"""Schemathesis against our own OpenAPI schema, in-process.

Every operation of the schema gets positive and negative requests generated from the schema and
sent through the whole WSGI stack (middleware, tenancy, row-level security on PostgreSQL), with the
credentials the operation documents, for a gym holding a row of every registered model. Generated
ids are often swapped for those rows' ids, so requests reach real objects. Every answer must:

* not be a 5xx (``not_a_server_error``);
* use a status code the operation documents (``status_code_conformance``);
* match the documented body, content type and headers (``response_schema_conformance``,
  ``content_type_conformance``, ``response_headers_conformance``);
* require its credentials (``ignored_auth``), and so on for schemathesis' other default checks.

Two default checks are off, for reasons the schema cannot express (docs/security.md): a schema-valid
request may still be refused by a business rule (``positive_data_acceptance``: an unknown id, a
phone number that is no number of the gym's country, an end before a start), and DRF reads inputs
leniently where no harm follows (``negative_data_rejection``: ``"phone": 12`` is the string
``"12"``, an empty filter ``?lead_id=`` filters nothing, unknown query parameters are ignored).
The bad-input corpus (test_bad_input.py) pins the refusals that matter.

Budget: a fixed seed, derandomized, ``MAX_EXAMPLES`` generated requests per operation plus the
schema's examples; the coverage phase (thousands of boundary requests) is off to keep CI fast.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from reps_dashboard.tests.hardening import Credentials, InProcessWSGI, KnownIds, raw_schema, seed_gym
from voice.tests.fake_retell import FakeRetell

SEED = 20260225
MAX_EXAMPLES = 15

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"enabled": False}, "negative_data_rejection": {"enabled": False}},
})

schema = schemathesis.openapi.from_dict(raw_schema(), config=CONFIG)
schema.app = InProcessWSGI()


@pytest.fixture
def retell(settings):
    """The seeded gym's Retell integration is enabled, so ``POST /api/calls`` dials: a local stub
    stands in for Retell."""
    stub = FakeRetell()
    settings.RETELL_API_BASE_URL = stub.url
    yield stub
    stub.stop()


@pytest.fixture
def seeded(db):
    side = seed_gym()
    return side, KnownIds(side), Credentials(side, raw_schema())


@schema.parametrize()
# The gym is seeded once per operation and deliberately outlives each generated request.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_its_schema_documents(case, seeded, offline, retell):
    _, known_ids, credentials = seeded
    known_ids.apply(case)
    case.call_and_validate(headers=credentials.headers(case.operation))
