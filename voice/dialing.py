"""Placing a queued outbound call through Retell's create-phone-call API (registered with the calls
app's dialer hook, ``calls.dialing``, so ``POST /api/calls`` with ``{lead_id}`` dials at once)."""

from appointments.showrate.variables import call_variables
from calls.dialing import DialFailed
from calls.models import Call, CallStatus
from calls.services import DO_NOT_CALL, call_update
from leads.activity import Actor
from leads.models import Lead
from reps_dashboard.errors import Conflict

from . import retell_client, selectors
from .crypto import UnreadableSecret
from .retell_payload import CALL_STATUS

VOICE_AGENT = Actor.voice_agent()


def call_place(*, gym, call: Call) -> Call | None:
    """Dials ``call`` (queued, outbound) for ``gym`` when its Retell integration is enabled; None
    when it is not (the call stays queued). Stores Retell's call id as ``external_call_id`` and its
    status (a registered call is under way). A refusal, an error or a timeout marks the call failed
    (the reason in ``metrics.dial_error``) and raises ``DialFailed``. A do-not-call lead is a 409
    before any request."""
    integration = selectors.integration_enabled(gym=gym)
    if integration is None:
        return None
    lead = Lead.objects.for_gym(gym).select_related("branch").get(pk=call.lead_id)
    if lead.do_not_call:
        raise Conflict(DO_NOT_CALL)
    try:
        answer = retell_client.create_phone_call(api_key=integration.api_key, body=_request(gym, integration, call, lead))
    except (retell_client.RetellError, UnreadableSecret) as exc:
        failed = call_update(call=call, actor=VOICE_AGENT, status=CallStatus.FAILED,
                             metrics={**(call.metrics or {}), "platform": "retell", "dial_error": str(exc)})
        raise DialFailed(str(exc), failed)
    status = CALL_STATUS.get(answer.get("call_status"), CallStatus.IN_PROGRESS)
    return call_update(call=call, actor=VOICE_AGENT, external_call_id=answer["call_id"][:128], status=status,
                       metrics={**(call.metrics or {}), "platform": "retell", "agent_id": integration.agent_id})


def _request(gym, integration, call, lead) -> dict:
    """The create-phone-call body: our ids as metadata (the webhooks bring them back), the lead's
    context as dynamic variables (Retell wants strings)."""
    return {
        "from_number": integration.from_number,
        "to_number": lead.phone,
        "override_agent_id": integration.agent_id,
        "metadata": {"lead_id": str(lead.pk), "call_id": str(call.pk),
                     "campaign_id": str(call.campaign_id) if call.campaign_id else None},
        "retell_llm_dynamic_variables": {
            "customer_name": lead.full_name,
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "interest": lead.interest,
            "interest_location": lead.interest_location,
            "lead_status": lead.status,
            "last_summary": lead.last_conversation_summary[:1000],
            "branch_name": lead.branch.name if lead.branch_id else "",
            "gym_name": gym.name,
            # A confirmation or recall call: its appointment, spoken in the lead's time zone.
            **call_variables(call),
        },
    }
