import io
import random

import pytest
from django.core.management import call_command

from calls.tests.factories import CallFactory
from tenants.api_keys import principal_for
from tenants.models import Gym, Role
from tenants.tests.factories import UserFactory
from voice import demo
from voice.models import RetellIntegration

from .factories import RetellIntegrationFactory, WebhookEventFactory

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_an_integration_waiting_for_its_key_and_prints_a_working_tools_key(gym):
    gym.phone = "+12125550100"
    gym.save()
    out = io.StringIO()
    demo.seed(gym=gym, rng=random.Random(1), stdout=out)
    integration = RetellIntegration.objects.for_gym(gym).get()
    assert (integration.enabled, integration.api_key_encrypted, integration.from_number) == (False, "", "+12125550100")
    raw = out.getvalue().rsplit("in-call tools key: ", 1)[1].strip()
    assert principal_for(raw).gym_id == gym.id


def test_seed_demo_runs_the_voice_demo():
    call_command("seed_demo", stdout=io.StringIO())
    assert RetellIntegration.all_gyms.filter(gym=Gym.objects.get(name="Demo Fitness")).exists()


@pytest.fixture
def staff_client(client, gym, branch):
    client.force_login(UserFactory(gym=gym, branch=branch, role=Role.ADMIN, is_staff=True))
    return client


def test_the_admin_shows_the_gyms_integration_and_deliveries_only(staff_client, gym, other_gym):
    mine = RetellIntegrationFactory(gym=gym, agent_id="agent_home")
    RetellIntegrationFactory(gym=other_gym, agent_id="agent_other")
    WebhookEventFactory(gym=gym, integration=mine, external_call_id="call_home", call=CallFactory(gym=gym))
    WebhookEventFactory(gym=other_gym, external_call_id="call_other")
    page = staff_client.get("/admin/voice/retellintegration/").content.decode()
    assert "agent_home" in page and "agent_other" not in page
    page = staff_client.get("/admin/voice/webhookevent/").content.decode()
    assert "call_home" in page and "call_other" not in page
    detail = staff_client.get(f"/admin/voice/retellintegration/{mine.pk}/change/").content.decode()
    assert f"/api/voice/webhooks/retell/{mine.pk}" in detail and mine.api_key_encrypted not in detail
    assert staff_client.get("/admin/voice/webhookevent/add/").status_code == 403
