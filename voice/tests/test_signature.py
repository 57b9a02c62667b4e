"""The webhook's front door: which integration, and whether Retell really signed the delivery."""

import json
import time

import pytest

from calls.models import Call
from leads.models import Lead
from tenants.tests.factories import GymFactory
from voice import signature
from voice.models import WebhookEvent

from .conftest import sample, webhook_url
from .factories import RETELL_KEY, RetellIntegrationFactory

pytestmark = pytest.mark.django_db


def nothing_written():
    return (Call.all_gyms.count(), WebhookEvent.all_gyms.count(), Lead.all_gyms.count())


def test_a_validly_signed_delivery_is_applied(deliver, lead):
    response = deliver(sample("started", lead))
    assert response.status_code == 200, response.content
    assert response.json() == {"outcome": "created"}


def test_a_tampered_body_is_401_and_writes_nothing(deliver, lead):
    before = nothing_written()
    body = json.dumps(sample("ended", lead)).encode()
    header = signature.sign(body, RETELL_KEY, int(time.time() * 1000))
    response = deliver(None, body=body.replace(b"user_hangup", b"agent_hangup"), header=header)
    assert response.status_code == 401
    assert response.json() == {"detail": "The webhook signature is missing, invalid or expired."}
    assert nothing_written() == before


@pytest.mark.parametrize("age_ms", [5 * 60 * 1000 + 1000, -(5 * 60 * 1000 + 1000)])
def test_a_timestamp_outside_five_minutes_is_401(deliver, lead, age_ms):
    before = nothing_written()
    response = deliver(sample("started", lead), timestamp_ms=int(time.time() * 1000) - age_ms)
    assert response.status_code == 401
    assert nothing_written() == before


def test_a_timestamp_within_the_tolerance_is_accepted(deliver, lead):
    response = deliver(sample("started", lead), timestamp_ms=int(time.time() * 1000) - 4 * 60 * 1000)
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["", "v=123", "d=abc", "v=abc,d=" + "0" * 64, "garbage"])
def test_a_missing_or_malformed_header_is_401(deliver, lead, header):
    before = nothing_written()
    response = deliver(sample("started", lead), header=header)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response
    assert nothing_written() == before


def test_a_delivery_signed_with_another_key_is_401(deliver, lead):
    assert deliver(sample("started", lead), key="key_of_someone_else").status_code == 401
    assert not Call.all_gyms.exists()


def test_another_gyms_signature_does_not_open_this_integration(deliver, lead):
    """Gym B signs with its own key and posts to gym A's URL: refused, nothing of A's is touched."""
    other = RetellIntegrationFactory(gym=GymFactory(), api_key="key_of_gym_b_0000000000000")
    response = deliver(sample("started", lead), key="key_of_gym_b_0000000000000")
    assert response.status_code == 401
    assert deliver(sample("started", lead), to=other).status_code == 401  # and A's key does not open B's
    assert not Call.all_gyms.exists()


def test_unknown_disabled_and_keyless_integrations_are_404_like_a_random_id(deliver, integration, gym, lead):
    random = deliver(sample("started", lead), to="7d9f1d1e-9a7e-4c1b-8a8e-2f1d3c4b5a69")
    integration.enabled = False
    integration.save()
    disabled = deliver(sample("started", lead))
    no_key = deliver(sample("started", lead), to=RetellIntegrationFactory(gym=GymFactory(), api_key=""))
    for response in (random, disabled, no_key):
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert not Call.all_gyms.exists()


def test_a_malformed_integration_id_is_404(client):
    response = client.post(webhook_url("not-a-uuid"), "{}", content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_the_header_format_and_compare():
    body, now = b'{"event":"call_started"}', 1_764_075_600_000
    header = signature.sign(body, "k", now)
    assert header.startswith(f"v={now},d=") and len(header.split("d=")[1]) == 64
    signature.verify(body, header, "k", now_ms=now + 299_000)
    with pytest.raises(signature.BadSignature):
        signature.verify(body, header, "k", now_ms=now + 301_000)
    with pytest.raises(signature.BadSignature):
        signature.verify(body + b" ", header, "k", now_ms=now)


def test_our_check_accepts_exactly_what_the_sdks_verify_accepts():
    """The same decision as retell-sdk's Retell.verify on the same inputs (its own sign and verify)."""
    from retell.lib.webhook_auth import symmetric

    body, key, now = '{"event":"call_ended","call":{"call_id":"c1"}}', "key_badge_0001", int(time.time() * 1000)
    good = symmetric["sign"](body, key, now)
    candidates = [good, symmetric["sign"](body, "other_key", now), symmetric["sign"](body, key, now - 301_000),
                  symmetric["sign"](body, key, now - 299_000), good.replace("v=", "v= "), good.upper(), "",
                  good.split("d=")[0] + "d=" + good.split("d=")[1].upper(), f" {good}",
                  good[:-1], f"{good},x"]
    for header in candidates:
        sdk = symmetric["verify"](body, key, header)
        try:
            signature.verify(body.encode(), header, key, now_ms=now)
            ours = True
        except signature.BadSignature:
            ours = False
        assert ours == sdk, header
