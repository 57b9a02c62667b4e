"""A gym can see why "no calls appear": refused deliveries are counted and explained on the
integration and in the admin (nothing of their bodies kept); the webhook key is the one with
Retell's "webhook" badge; long calls fit."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from calls.models import Call
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory
from voice.models import RetellIntegration, WebhookEvent, WebhookRefusal
from voice.webhook_health import BAD_SIGNATURE, DISABLED, STALE, webhook_health, webhook_refusal_record

from .conftest import sample, sdk_sign, webhook_url
from .factories import RETELL_KEY, RetellIntegrationFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/api/settings/integrations/retell"
WEBHOOK_KEY = "key_with_the_webhook_badge_0001"


def test_refusals_are_counted_and_explained_on_the_integration(deliver, lead, admin_client):
    assert deliver(sample("started", lead), key="key_of_someone_else").status_code == 401
    stale = int(time.time() * 1000) - 10 * 60 * 1000
    assert deliver(sample("started", lead), timestamp_ms=stale).status_code == 401
    body = admin_client.get(SETTINGS).json()
    assert (body["webhook_refused_24h"], body["last_webhook_error"], body["last_webhook_at"]) == (2, STALE, None)
    assert body["last_webhook_error_at"] is not None
    assert not WebhookEvent.all_gyms.exists() and not Call.all_gyms.exists()
    [row] = WebhookRefusal.all_gyms.all()
    assert "maria" not in str(row.__dict__).lower()  # nothing of the refused body
    assert deliver(sample("started", lead)).status_code == 200
    body = admin_client.get(SETTINGS).json()
    assert body["last_webhook_at"] is not None and body["webhook_refused_24h"] == 2


def test_a_delivery_to_a_disabled_integration_is_404_and_counted(deliver, lead, integration, admin_client):
    integration.enabled = False
    integration.save()
    response = deliver(sample("started", lead))
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    body = admin_client.get(SETTINGS).json()
    assert (body["webhook_refused_24h"], body["last_webhook_error"]) == (1, DISABLED)


def test_the_refusal_outlives_the_error_answer_in_a_real_transaction(transactional_db, settings):
    """The request's transaction is the outermost here: a 401 rolls back, except the count."""
    gym = GymFactory()
    integration = RetellIntegrationFactory(gym=gym)
    raw = json.dumps(sample("started", LeadFactory(gym=gym))).encode()
    response = APIClient().generic("POST", webhook_url(integration.id), raw, content_type="application/json",
                                   HTTP_X_RETELL_SIGNATURE="v=1,d=" + "0" * 64)  # signed in 1970
    assert response.status_code == 401
    assert WebhookRefusal.all_gyms.get().last_reason == STALE
    response = APIClient().generic("POST", webhook_url(integration.id), raw, content_type="application/json",
                                   HTTP_X_RETELL_SIGNATURE=sdk_sign(raw, "key_of_someone_else"))
    assert response.status_code == 401
    row = WebhookRefusal.all_gyms.get()
    assert (row.count, row.last_reason) == (2, BAD_SIGNATURE)


def test_counts_are_by_the_hour_and_only_the_last_24_hours_count(integration):
    now = timezone.now()
    for hours_ago in (60, 30, 23, 5, 0, 0):
        webhook_refusal_record(integration=integration, reason=BAD_SIGNATURE, now=now - dt.timedelta(hours=hours_ago))
    assert webhook_health(integration=integration, now=now).webhook_refused_24h == 4
    assert WebhookRefusal.all_gyms.filter(integration=integration).count() == 4  # 60 h ago was dropped


class TestTheWebhookKey:
    def test_a_separate_webhook_key_checks_the_signatures(self, deliver, lead, integration):
        integration.set_webhook_api_key(WEBHOOK_KEY)
        integration.save()
        assert deliver(sample("started", lead), key=WEBHOOK_KEY).status_code == 200
        assert deliver(sample("ended", lead), key=RETELL_KEY).status_code == 401

    def test_without_one_the_api_key_does(self, deliver, lead, integration):
        assert RetellIntegration.all_gyms.get(pk=integration.pk).webhook_api_key_encrypted == ""
        assert deliver(sample("started", lead), key=RETELL_KEY).status_code == 200


class TestLongCalls:
    def long_call(self, lead, megabytes):
        turn = {"role": "user", "content": "x" * 900, "words": [{"word": "x", "start": 1.0, "end": 1.2}]}
        count = megabytes * 1024 * 1024 // 1000
        return sample("ended", lead, transcript_object=[turn] * min(count, 5000),
                      transcript="User: " + "y" * max(0, megabytes * 1024 * 1024 - 5000 * 1000))

    def test_a_three_megabyte_delivery_is_accepted(self, deliver, lead):
        payload = self.long_call(lead, 3)
        response = deliver(payload)
        assert response.status_code == 200, response.content[:200]
        assert len(Call.all_gyms.get().transcript) == 3145

    def test_over_ten_megabytes_is_413_and_other_endpoints_keep_their_limit(self, deliver, lead, admin_client):
        assert deliver(self.long_call(lead, 11)).status_code == 413
        big = {"first_name": "A", "last_name": "B", "phone": "+14155550123", "notes": "z" * (3 * 1024 * 1024)}
        assert admin_client.post("/api/leads", big, format="json").status_code == 413
