import pytest
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.authentication import ApiKeyAuthentication
from tenants.models import ApiKey
from tenants.permissions import IsGymApiKey

pytestmark = pytest.mark.django_db


class Probe(APIView):
    """A machine endpoint as the voice views declare them: API key only."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsGymApiKey]

    def get(self, request):
        return Response({"gym": str(request.gym.id)})


urlpatterns = [path("api/voice/probe", Probe.as_view()), path("api/other/probe", Probe.as_view()),
               path("", include("reps_dashboard.urls"))]


def create_key(client, name="Retell"):
    response = client.post("/api/settings/api-keys", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_shows_the_key_once_and_stores_only_a_digest(admin_client, gym):
    body = create_key(admin_client)
    assert body["key"].startswith("rk_") and body["prefix"] == body["key"][:10]
    stored = ApiKey.objects.for_gym(gym).get()
    assert body["key"] not in (stored.digest, stored.prefix)
    listed = admin_client.get("/api/settings/api-keys").json()["data"]
    assert [row["name"] for row in listed] == ["Retell"]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is None


@pytest.mark.urls("tenants.tests.test_api_keys")
def test_a_key_acts_for_its_gym_on_voice_endpoints_and_records_last_use(admin_client, api_client, gym):
    raw = create_key(admin_client)["key"]
    client = api_client()
    response = client.get("/api/voice/probe", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 200
    assert response.json() == {"gym": str(gym.id)}
    assert ApiKey.objects.for_gym(gym).get().last_used_at is not None


@pytest.mark.urls("tenants.tests.test_api_keys")
def test_a_key_is_not_accepted_outside_the_voice_endpoints(admin_client, api_client):
    raw = create_key(admin_client)["key"]
    assert api_client().get("/api/other/probe", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code in (401, 403)


def test_a_key_cannot_call_staff_endpoints(admin_client, api_client):
    raw = create_key(admin_client)["key"]
    response = api_client().get("/api/settings/branches", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


@pytest.mark.urls("tenants.tests.test_api_keys")
def test_revoked_and_unknown_keys_are_401(admin_client, api_client):
    created = create_key(admin_client)
    assert admin_client.delete(f"/api/settings/api-keys/{created['id']}").status_code == 204
    for raw in (created["key"], "rk_unknown", "garbage"):
        response = api_client().get("/api/voice/probe", HTTP_AUTHORIZATION=f"Api-Key {raw}")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Api-Key"
    listed = admin_client.get(f"/api/settings/api-keys/{created['id']}").json()
    assert listed["is_active"] is False and listed["revoked_at"]


@pytest.mark.urls("tenants.tests.test_api_keys")
def test_staff_tokens_do_not_open_machine_endpoints(admin_client):
    assert admin_client.get("/api/voice/probe").status_code == 401


def test_only_admins_manage_keys(manager_client, agent_client):
    for client in (manager_client, agent_client):
        assert client.get("/api/settings/api-keys").status_code == 403
        assert client.post("/api/settings/api-keys", {"name": "x"}, format="json").status_code == 403
