"""Placing a queued outbound call through Retell's create-phone-call (registered with the calls
app's dialer hook, ``calls.dialing``: ``POST /api/calls`` with ``{lead_id}`` and the dialer task
hand it every outbound call queued for now).

A call is dialed at most once, however often and by however many dialers it is handed over: the
lead and the call are locked (the order the webhook takes them in), and a call that is no longer
queued, already has Retell's id or a ``dial_state`` is returned as it is. Retell itself dedupes a
repeated request by its ``idempotency_key`` (``reps-call-<our call id>``) for an hour.

The call's status stays within the contract's values; how far the dial got is ``metrics.dial_state``:

* ``placed``: Retell took the call (``external_call_id`` set, status ``in_progress``).
* ``unknown``: Retell did not answer (timeout, connection error, 5xx): the call may be ringing. It
  is ``in_progress`` (so nobody dials it again) and being checked: the webhook carrying our
  ``metadata.call_id`` or ``voice.reconcile.call_reconcile`` settles it.
* ``refused``: Retell answered and placed nothing: the call is ``failed`` (``DialFailed``; the worker records why on the call).
* ``unconfirmed``: an ``unknown`` dial nobody could confirm within the idempotency window: ``failed``.
"""

from django.db import transaction
from django.utils import timezone

from appointments.showrate.variables import call_variables
from calls.dialing import DialFailed
from calls.models import Call, CallStatus
from calls.services import DO_NOT_CALL, call_update
from leads.activity import Actor
from leads.models import Lead
from reps_dashboard.errors import Conflict

from . import retell_client, selectors
from .crypto import UnreadableSecret

VOICE_AGENT = Actor.voice_agent()
PLACED, UNKNOWN, REFUSED, UNCONFIRMED = "placed", "unknown", "refused", "unconfirmed"


def idempotency_key(call: Call) -> str:
    return f"reps-call-{call.pk}"


def call_place(*, gym, call: Call) -> Call | None:
    """Dials ``call`` (queued, outbound) for ``gym`` when its Retell integration is enabled; None
    when it is not (the call stays queued). Returns the call as the dial left it (see the module's
    states); a refusal marks it failed and raises ``DialFailed``. A do-not-call lead is a 409
    before any request."""
    integration = selectors.integration_enabled(gym=gym)
    if integration is None:
        return None
    with transaction.atomic():
        lead = Lead.all_gyms.select_for_update(of=("self",)).select_related("branch").get(pk=call.lead_id)
        current = Call.objects.for_gym(gym).select_for_update(of=("self",)).get(pk=call.pk)
        if current.status != CallStatus.QUEUED or current.external_call_id or dial_state(current):
            return current
        if lead.do_not_call:
            raise Conflict(DO_NOT_CALL)
        placed = dial_send(gym=gym, integration=integration, call=current, lead=lead)
    if dial_state(placed) == REFUSED:  # raised once the failed call is written, not to undo it
        raise DialFailed(placed.metrics["dial_error"], placed)
    return placed


def dial_send(*, gym, integration, call: Call, lead: Lead) -> Call:
    """Sends the create-phone-call request for ``call`` (locked by the caller) and records what came
    of it. Also the reconciler's way to learn the id of a call whose first answer was lost: the same
    request with the same key is answered with the call Retell already placed. A refusal leaves the
    call failed (``dial_state`` refused)."""
    try:
        answer = retell_client.create_phone_call(
            api_key=integration.api_key, idempotency_key=idempotency_key(call),
            from_number=integration.from_number, to_number=lead.phone, override_agent_id=integration.agent_id,
            metadata={"lead_id": str(lead.pk), "call_id": str(call.pk),
                      "campaign_id": str(call.campaign_id) if call.campaign_id else None},
            retell_llm_dynamic_variables=dynamic_variables(gym=gym, integration=integration, call=call, lead=lead))
    except (retell_client.RetellRefused, UnreadableSecret) as exc:
        return call_update(call=call, actor=VOICE_AGENT, status=CallStatus.FAILED,
                           metrics=_dial_metrics(call, integration, REFUSED, error=str(exc)))
    except retell_client.RetellUnreachable as exc:
        return call_update(call=call, actor=VOICE_AGENT, status=CallStatus.IN_PROGRESS,
                           metrics=_dial_metrics(call, integration, UNKNOWN, error=str(exc)))
    metrics = _dial_metrics(call, integration, PLACED)
    metrics.pop("dial_error", None)
    # Registered with Retell: under way (the webhooks, or the reconciler, take it from there).
    return call_update(call=call, actor=VOICE_AGENT, external_call_id=answer["call_id"][:128],
                       status=CallStatus.IN_PROGRESS, metrics=metrics)


def dynamic_variables(*, gym, integration, call: Call, lead: Lead) -> dict[str, str]:
    """What the agent's prompt may use on an outbound call (Retell wants strings): the lead's
    context and our ids (the in-call tools find the caller by them)."""
    return {
        "lead_id": str(lead.pk),
        "call_id": str(call.pk),
        "customer_name": lead.full_name,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "phone": lead.phone,
        "interest": lead.interest,
        "interest_location": lead.interest_location,
        "lead_status": lead.status,
        "last_summary": lead.last_conversation_summary[:1000],
        "branch_id": str(lead.branch_id) if lead.branch_id else "",
        "branch_name": lead.branch.name if lead.branch_id else "",
        "gym_name": gym.name,
        "agent_number": integration.from_number,
        # A confirmation or recall call: its appointment, spoken in the lead's time zone.
        **call_variables(call),
    }


def dial_state(call: Call) -> str:
    return (call.metrics or {}).get("dial_state", "")


def _dial_metrics(call, integration, state, *, error=""):
    metrics = {**(call.metrics or {}), "platform": "retell", "agent_id": integration.agent_id, "dial_state": state}
    metrics.setdefault("dial_attempted_at", timezone.now().isoformat())
    if error:
        metrics["dial_error"] = error
    return metrics

