"""Every way around the gym scope is explicit and leaves a line in the log."""

import logging

import pytest

from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.scope import unscoped
from tenants.tests.factories import UserFactory


def test_unscoped_refuses_to_run_without_a_reason(gym):
    with pytest.raises(ValueError), unscoped(""):
        pass


def test_every_bypass_is_logged_with_its_reason(gym, other_gym, caplog):
    LeadFactory(gym=gym)
    LeadFactory(gym=other_gym)
    with caplog.at_level(logging.INFO, logger="tenants.scope"), unscoped("nightly export job"):
        assert Lead.objects.count() == 2
    assert "gym scope bypassed: nightly export job" in caplog.text


def test_a_superusers_admin_request_is_logged_as_a_bypass(client, caplog, db):
    root = UserFactory(gym=None, branch=None, is_superuser=True, is_staff=True, email="root@example.com")
    client.force_login(root)
    with caplog.at_level(logging.INFO, logger="tenants.scope"):
        assert client.get("/admin/leads/lead/").status_code == 200
    assert f"gym scope bypassed: admin superuser {root.pk} GET /admin/leads/lead/" in caplog.text
