"""The voice agent's part of the isolation world (see reps_dashboard/tests/isolation_world.py)."""

import datetime as dt

from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CallFactory
from leads.models import Lead
from voice.models import RetellIntegration

from .factories import RetellIntegrationFactory, WebhookEventFactory

ID_PARAMS = {"integration_id": RetellIntegration}


def populate(side):
    m = side.marker
    integration = side.add(RetellIntegrationFactory(gym=side.gym, agent_id=f"{m}-agent", api_key=f"{m}-retell-key"))
    side.add(WebhookEventFactory(gym=side.gym, integration=integration, call=side.get(Call), external_call_id=f"{m}-call",
                                 payload={"event": "call_ended", "call": {"call_id": f"{m}-call", "summary": m}}))
    # A queued call that is due: in the dialer's list of its gym only.
    side.add(CallFactory(gym=side.gym, lead=side.get(Lead), status="queued", start_time=None, duration=None,
                         scheduled_at=timezone.now() - dt.timedelta(minutes=5), notes=f"{m} due call"))
