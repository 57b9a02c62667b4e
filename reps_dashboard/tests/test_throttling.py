"""API throttles per user and per API key: 429 with Retry-After, rates from the settings."""

import pytest

from tenants.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_key(client):
    response = client.post("/api/settings/api-keys", {"name": "Retell"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["key"]


def test_a_user_over_the_budget_gets_429_with_retry_after(admin_client, api_client, gym, branch, settings):
    settings.API_THROTTLE_RATES = {"user": "3/min", "api_key": "off"}
    assert [admin_client.get("/api/leads").status_code for _ in range(3)] == [200, 200, 200]
    response = admin_client.get("/api/leads")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    # Another user of the same gym has a budget of their own.
    assert api_client(UserFactory(gym=gym, branch=branch)).get("/api/leads").status_code == 200


def test_an_api_key_has_its_own_budget(admin_client, api_client, settings):
    settings.API_THROTTLE_RATES = {"user": "off", "api_key": "2/min"}
    key_client = api_client()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_key(admin_client)}")
    statuses = [key_client.get("/api/voice/knowledge/search", {"q": "opening hours"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert admin_client.get("/api/leads").status_code == 200  # the staff user is not counted with the key


def test_off_disables_a_throttle(admin_client, settings):
    settings.API_THROTTLE_RATES = {"user": "off", "api_key": "off"}
    assert {admin_client.get("/api/leads").status_code for _ in range(5)} == {200}


def test_every_operation_documents_its_429():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
               for method, operation in operations.items() if "429" not in operation["responses"]]
    assert not missing
