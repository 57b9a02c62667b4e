"""The webhook finds its integration before any gym is known: row-level security admits that one row,
for reading only (PostgreSQL)."""

import pytest
from django.db import connection

from tenants import rls_install
from tenants.tests.factories import GymFactory
from voice.models import RetellIntegration
from voice.selectors import integration_for_webhook

from .factories import RetellIntegrationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"),
]


def act_as_an_anonymous_request():
    """No gym, no bypass: what the tenant middleware sets for a request without credentials."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.rls_bypass', 'off', true), set_config('app.gym_id', '', true)")


def test_the_integration_table_has_the_lookup_policy():
    assert rls_install.POLICY_ROW_LOOKUP in rls_install.state()["policies"][RetellIntegration._meta.db_table]


def test_without_the_lookup_no_integration_is_visible():
    RetellIntegrationFactory(gym=GymFactory())
    act_as_an_anonymous_request()
    assert RetellIntegration.all_gyms.count() == 0


def test_the_lookup_admits_exactly_the_named_row_and_only_for_reading():
    wanted = RetellIntegrationFactory(gym=GymFactory())
    other = RetellIntegrationFactory(gym=GymFactory())
    act_as_an_anonymous_request()
    assert integration_for_webhook(integration_id=str(wanted.pk)) == wanted
    assert list(RetellIntegration.all_gyms.values_list("pk", flat=True)) == [wanted.pk]
    assert RetellIntegration.all_gyms.filter(pk=wanted.pk).update(agent_id="changed") == 0
    assert integration_for_webhook(integration_id=str(other.pk)).pk == other.pk  # the lookup moves to the new id
    assert list(RetellIntegration.all_gyms.values_list("pk", flat=True)) == [other.pk]
