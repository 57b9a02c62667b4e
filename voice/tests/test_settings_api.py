"""/api/settings/integrations/retell: a gym connects its Retell agent."""

import pytest
from django.test import override_settings

from voice import crypto
from voice.models import RetellIntegration

from .factories import RETELL_KEY, RetellIntegrationFactory

pytestmark = pytest.mark.django_db

URL = "/api/settings/integrations/retell"
FIELDS = {"id", "api_key_set", "api_key_last4", "webhook_api_key_set", "webhook_api_key_last4", "agent_id",
          "from_number", "enabled", "webhook_url", "last_webhook_at", "last_webhook_error", "last_webhook_error_at",
          "webhook_refused_24h", "created_at", "updated_at"}
FULL = {"api_key": "key_abcdefgh12345678WXYZ", "agent_id": "agent_4e1b7a9c2d3f", "from_number": "(415) 555-0100",
        "enabled": True}


def test_before_configuration_it_reads_as_not_configured(admin_client):
    body = admin_client.get(URL).json()
    assert body == {"id": None, "api_key_set": False, "api_key_last4": "", "webhook_api_key_set": False,
                    "webhook_api_key_last4": "", "agent_id": "", "from_number": "", "enabled": False,
                    "webhook_url": None, "last_webhook_at": None, "last_webhook_error": "",
                    "last_webhook_error_at": None, "webhook_refused_24h": 0, "created_at": None, "updated_at": None}
    assert not RetellIntegration.all_gyms.exists()  # reading wrote nothing


def test_admin_configures_it_and_the_key_is_never_returned(admin_client, gym):
    response = admin_client.put(URL, FULL, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert (body["api_key_set"], body["api_key_last4"], body["from_number"], body["enabled"]) == (
        True, "WXYZ", "+14155550100", True)
    assert FULL["api_key"] not in response.content.decode()
    integration = RetellIntegration.objects.for_gym(gym).get()
    assert body["webhook_url"] == f"http://testserver/api/voice/webhooks/retell/{integration.id}"
    assert admin_client.get(URL).json() == body


def test_the_key_is_encrypted_at_rest(admin_client, gym):
    admin_client.put(URL, FULL, format="json")
    stored = RetellIntegration.objects.for_gym(gym).get()
    assert FULL["api_key"] not in stored.api_key_encrypted
    assert crypto.decrypt(stored.api_key_encrypted) == FULL["api_key"] == stored.api_key


def test_patch_changes_only_what_it_sends_and_keeps_the_key(admin_client, gym):
    admin_client.put(URL, FULL, format="json")
    body = admin_client.patch(URL, {"agent_id": "agent_new"}, format="json").json()
    assert (body["agent_id"], body["api_key_set"], body["enabled"]) == ("agent_new", True, True)
    assert RetellIntegration.objects.for_gym(gym).get().api_key == FULL["api_key"]


def test_a_new_key_replaces_the_old_and_an_empty_one_clears_it(admin_client, gym):
    admin_client.put(URL, FULL, format="json")
    assert admin_client.patch(URL, {"api_key": "key_second_0000000009876"}, format="json").json()["api_key_last4"] == "9876"
    body = admin_client.patch(URL, {"api_key": "", "enabled": False}, format="json").json()
    assert (body["api_key_set"], body["api_key_last4"]) == (False, "")


@pytest.mark.parametrize("body,field", [
    ({"enabled": True}, "enabled"),
    ({**FULL, "from_number": "12"}, "from_number"),
    ({**FULL, "from_number": "+1 555"}, "from_number"),
    ({**FULL, "agent_id": "a" * 129}, "agent_id"),
    ({**FULL, "enabled": "maybe"}, "enabled"),
    ({**FULL, "api_key": ""}, "enabled"),
])
def test_bad_input_is_400_naming_the_field_and_writes_nothing(admin_client, body, field):
    response = admin_client.put(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not RetellIntegration.all_gyms.exists()


def test_disabling_needs_nothing_else(admin_client):
    admin_client.put(URL, FULL, format="json")
    body = admin_client.patch(URL, {"enabled": False, "agent_id": ""}, format="json").json()
    assert (body["enabled"], body["agent_id"]) == (False, "")


def test_everyone_reads_only_admins_write(manager_client, agent_client, gym):
    RetellIntegrationFactory(gym=gym)
    for client in (manager_client, agent_client):
        body = client.get(URL).json()
        assert (body["api_key_set"], body["api_key_last4"]) == (True, RETELL_KEY[-4:])
        assert client.patch(URL, {"enabled": False}, format="json").status_code == 403
    assert RetellIntegration.objects.for_gym(gym).get().enabled


def test_each_gym_sees_its_own(admin_client, gym, other_gym):
    RetellIntegrationFactory(gym=other_gym, agent_id="agent_of_the_other_gym")
    assert admin_client.get(URL).json()["id"] is None
    admin_client.put(URL, FULL, format="json")
    assert RetellIntegration.all_gyms.get(gym=other_gym).agent_id == "agent_of_the_other_gym"


def test_anonymous_is_401(api_client):
    assert api_client().get(URL).status_code == 401


def test_a_key_encrypted_under_a_retired_key_reads_as_unreadable(gym):
    integration = RetellIntegrationFactory(gym=gym)
    with override_settings(FIELD_ENCRYPTION_KEY="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="):
        with pytest.raises(crypto.UnreadableSecret):
            crypto.decrypt(integration.api_key_encrypted)


def test_rotation_reads_old_secrets_and_writes_with_the_new_key(gym, settings):
    old = settings.FIELD_ENCRYPTION_KEY
    integration = RetellIntegrationFactory(gym=gym)
    new = "bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmV3bmU="
    settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
    assert integration.api_key == RETELL_KEY
    integration.set_api_key(RETELL_KEY)
    settings.FIELD_ENCRYPTION_KEY = new
    assert integration.api_key == RETELL_KEY


def test_a_separate_webhook_key_is_write_only_and_encrypted(admin_client, gym):
    body = admin_client.put(URL, {**FULL, "webhook_api_key": "key_webhook_badge_00005555"}, format="json").json()
    assert (body["webhook_api_key_set"], body["webhook_api_key_last4"]) == (True, "5555")
    assert "webhook_api_key" not in body
    stored = RetellIntegration.objects.for_gym(gym).get()
    assert "key_webhook" not in stored.webhook_api_key_encrypted
    assert (stored.webhook_key, stored.api_key) == ("key_webhook_badge_00005555", FULL["api_key"])
    body = admin_client.patch(URL, {"webhook_api_key": ""}, format="json").json()
    assert body["webhook_api_key_set"] is False
    assert RetellIntegration.objects.for_gym(gym).get().webhook_key == FULL["api_key"]
