"""Settling calls the webhooks left open, by asking Retell (get-call).

A call stays open when a webhook never came (Retell gave up delivering, the integration was
disabled for a while) or when our dial got no answer (``dial_state`` unknown). The reconciler
fetches Retell's call object and applies it through the webhook's own code
(``voice.webhooks.webhook_receive``, recorded as a delivery noted "get-call"), so a fetched call
and a delivered one can never be read differently.

A dial without Retell's call id is first asked again with the same request and the same
idempotency key: Retell answers with the call it already placed (for an hour), so this never
rings the person twice. Past that hour, or for a lead who asked not to be called meanwhile, it
is not asked again: the call becomes failed (``dial_state`` unconfirmed), and a late webhook
still completes it.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from calls.models import Call, CallStatus
from calls.services import call_update
from leads.models import Lead

from . import retell_client, selectors
from .crypto import UnreadableSecret
from .dialing import UNCONFIRMED, UNKNOWN, VOICE_AGENT, dial_send, dial_state
from .retell_payload import PayloadError
from .webhooks import webhook_receive

logger = logging.getLogger(__name__)
# Retell keeps an idempotency key for an hour; we stop asking a little before.
IDEMPOTENCY_WINDOW = dt.timedelta(minutes=55)
NOTE = "Fetched from Retell (get-call): no webhook had settled the call."
OPEN = (CallStatus.QUEUED, CallStatus.IN_PROGRESS)


def call_reconcile(*, gym, call: Call, now: dt.datetime | None = None) -> Call:
    """Settles ``call`` from Retell's record of it when it is still open (in progress, or a dial
    whose answer was lost), exactly as its webhook would; returns the call as it is afterwards.
    A call that is settled, was never dialed, or whose gym has no Retell key is returned unchanged;
    so is one Retell cannot be asked about now (tried again on the next run)."""
    now = now or timezone.now()
    integration = selectors.integration_for_gym(gym=gym)
    current = Call.objects.for_gym(gym).get(pk=call.pk)
    if current.status not in OPEN or integration is None or not integration.api_key_encrypted:
        return current
    if not current.external_call_id:
        if dial_state(current) != UNKNOWN:
            return current  # queued and never dialed: the dialer's, not ours
        current = _learn_call_id(gym, integration, current, now)
        if not current.external_call_id:
            return current
    try:
        data = retell_client.get_call(api_key=integration.api_key, call_id=current.external_call_id)
    except (retell_client.RetellUnreachable, retell_client.RetellRefused, UnreadableSecret) as exc:
        logger.warning("reconcile of call %s (gym %s): %s", current.pk, gym.pk, exc)
        return current
    try:
        webhook_receive(integration=integration, payload={"event": _event_for(data), "call": data},
                        received_at=now, note=NOTE)
    except PayloadError as exc:
        logger.warning("reconcile of call %s (gym %s): Retell's call object refused: %s", current.pk, gym.pk, exc)
    return Call.objects.for_gym(gym).get(pk=current.pk)


def _learn_call_id(gym, integration, call, now):
    """Asks Retell again, idempotently, which call it placed for ``call``; within the window only."""
    with transaction.atomic():
        lead = Lead.all_gyms.select_for_update(of=("self",)).select_related("branch").get(pk=call.lead_id)
        call = Call.objects.for_gym(gym).select_for_update(of=("self",)).get(pk=call.pk)
        if call.external_call_id or dial_state(call) != UNKNOWN:
            return call
        attempted = _attempted_at(call) or call.created_at
        if now - attempted > IDEMPOTENCY_WINDOW or lead.do_not_call:
            return call_update(call=call, actor=VOICE_AGENT, status=CallStatus.FAILED,
                               metrics={**call.metrics, "dial_state": UNCONFIRMED,
                                        "dial_error": "Retell never confirmed placing the call."})
        return dial_send(gym=gym, integration=integration, call=call, lead=lead)


def _attempted_at(call):
    try:
        return dt.datetime.fromisoformat((call.metrics or {}).get("dial_attempted_at", ""))
    except (TypeError, ValueError):
        return None


def _event_for(data: dict) -> str:
    """The webhook event whose content Retell's call object now matches."""
    if data.get("call_analysis"):
        return "call_analyzed"
    if data.get("call_status") in ("ended", "error", "not_connected"):
        return "call_ended"
    return "call_started"
