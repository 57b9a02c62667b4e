"""Fixtures of the voice agent tests: Retell's sample payloads (read through the SDK's own call
type), deliveries signed with the SDK's own signing code, a fake Retell API."""

import json
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient
from retell.lib.webhook_auth import symmetric

from leads.tests.factories import LeadFactory

from .factories import RETELL_KEY, RetellIntegrationFactory
from .fake_retell import FakeRetell, sdk_call

# Sample deliveries of one outbound call (started, ended, analyzed), kept with the tests.
DATA = Path(__file__).resolve().parent / "data"
SAMPLE_PHONE = "+14155550142"  # the sample call's to_number: the lead's phone


def sample(event, lead=None, **call_changes):
    """The sample payload of ``event`` (started, ended, analyzed) for ``lead`` (its id in the metadata)."""
    payload = json.loads((DATA / f"retell_call_{event}.json").read_text())
    payload["call"]["metadata"]["lead_id"] = str(lead.id) if lead is not None else None
    payload["call"] = {**sdk_call(**payload["call"]), **call_changes}
    return payload


def sdk_sign(raw: bytes, key: str, timestamp_ms: int | None = None) -> str:
    """The X-Retell-Signature the SDK's own signing code makes for ``raw``."""
    return symmetric["sign"](raw.decode(), key, timestamp_ms)


def webhook_url(integration_id):
    return f"/api/voice/webhooks/retell/{integration_id}"


@pytest.fixture
def integration(gym):
    return RetellIntegrationFactory(gym=gym)


@pytest.fixture
def lead(gym, branch):
    return LeadFactory(gym=gym, branch=branch, first_name="Maria", last_name="Gonzalez", phone=SAMPLE_PHONE)


@pytest.fixture
def deliver(integration):
    """``deliver(payload)``: POSTs ``payload`` to the integration's webhook (or ``to``, an integration
    or an id), signed with ``key`` at ``timestamp_ms`` (default: its key, now)."""

    def post(payload, *, to=None, key=RETELL_KEY, timestamp_ms=None, header=None, body=None):
        raw = body if body is not None else json.dumps(payload).encode()
        stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        sig = header if header is not None else sdk_sign(raw, key, stamp)
        headers = {"HTTP_X_RETELL_SIGNATURE": sig} if sig else {}
        target = getattr(to, "id", to) or integration.id  # an integration, or any id
        return APIClient().generic("POST", webhook_url(target), raw,
                                   content_type="application/json", **headers)

    return post


@pytest.fixture
def retell(settings):
    """A fake Retell API on 127.0.0.1 that the SDK's client dials (RETELL_API_BASE_URL)."""
    fake = FakeRetell()
    settings.RETELL_API_BASE_URL = fake.url
    settings.RETELL_TIMEOUT_SECONDS = 2.0
    yield fake
    fake.stop()
