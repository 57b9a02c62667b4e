"""Applying the voice platform's webhook deliveries to calls and leads.

Each delivery is recorded (``WebhookEvent``) and upserts one call by its ``external_call_id``:

* Replays converge: the call is found again (under a lock on its lead, the same lock the call services
  take, so concurrent deliveries of one call apply one after the other; the unique constraint on
  (gym, external_call_id) settles the rest) and a delivery that brings nothing new changes nothing.
  Lead effects (``call_count``, ``last_called``, status, timeline) come from the call services, which
  recompute them from the calls, so ten deliveries count one call.
* Events never move a call backwards: a status only moves forward (queued, in progress, then a final
  one), and an event earlier than one already applied (``call_started`` after ``call_analyzed``)
  only fills what is still empty.
* The call's lead: the call's own when it exists; else ``metadata.lead_id`` of this gym; else the
  caller's number (``from_number`` inbound, ``to_number`` outbound), normalised; else, for an inbound
  call, a new lead with source ``phone``. An outbound call to nobody we know is recorded, unmatched.
* A call we queued is found by ``metadata.call_id`` whatever its state (placed by another dialer,
  or dialed by us without an answer: ``dial_state`` unknown), so it is never a second row.
* The caller asked not to be called again (``user_requested_dnc``): the lead becomes do-not-call and
  its queued calls are canceled (``voice.services.lead_stop_calling``).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calls.models import Call, CallDirection, CallStatus, Campaign, HandledBy
from calls.services import call_create, call_update
from leads.activity import Actor
from leads.models import Lead, LeadSource
from leads.selectors import lead_find_by_phone
from leads.services import lead_create, lead_update
from reps_dashboard.errors import Conflict

from . import selectors
from .dialing import PLACED, UNCONFIRMED, UNKNOWN, dial_state
from .models import EVENT_STAGES, RetellIntegration, WebhookEvent, WebhookOutcome
from .retell_payload import PayloadError, RetellCall, event_name, external_id, read_call
from .services import lead_stop_calling

VOICE_AGENT = Actor.voice_agent()
UNKNOWN_CALLER = ("Unknown", "caller")
# Queued, then under way, then one of the final statuses; never back.
_RANK = {CallStatus.QUEUED: 0, CallStatus.IN_PROGRESS: 1}
_FINAL = 2


def webhook_receive(*, integration: RetellIntegration, payload, received_at, note: str = "") -> WebhookEvent:
    """Applies one signed delivery for ``integration``'s gym and records it (``note`` in its detail:
    where it came from when not from the webhook). Raises ``PayloadError`` (after recording the
    delivery as invalid) when the payload cannot be applied. The reconciler settles a call through
    here too, with the call object get-call answered."""
    record = WebhookEvent(gym_id=integration.gym_id, integration=integration, payload=payload,
                          received_at=received_at, external_call_id=external_id(payload), detail=note[:500])
    try:
        record.event = event_name(payload)
        if record.event not in EVENT_STAGES:
            record.outcome = WebhookOutcome.IGNORED
        else:
            with transaction.atomic():
                record.outcome, record.call = _apply(integration.gym, read_call(payload))
    except PayloadError as exc:
        record.event = record.event or "(none)"
        _refuse(record, exc)
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"call": exc.messages}
        name, errors = next(iter(messages.items()))
        _refuse(record, PayloadError(f"call.{name}", " ".join(errors)))
    record.save()
    return record


def _refuse(record, exc):
    record.outcome = WebhookOutcome.INVALID
    record.detail = f"{exc.field}: {exc.message}"[:500]
    record.save()
    raise exc


def _apply(gym, event: RetellCall):
    call = _find_call(gym, event)
    lead_id = call.lead_id if call is not None else getattr(_resolve_lead(gym, event), "pk", None)
    if lead_id is None:
        return WebhookOutcome.UNMATCHED, None
    # The lead first, then the call: the order call_create and call_update lock them in.
    lead = Lead.all_gyms.select_for_update().get(pk=lead_id)
    call = _find_call(gym, event, lock=True)
    if call is None:
        try:
            with transaction.atomic():
                call = _create(gym, lead, event)
            outcome = WebhookOutcome.CREATED
        except (IntegrityError, Conflict):  # a concurrent delivery for another lead created it first
            call = _find_call(gym, event, lock=True)
            if call is None:
                raise
            outcome = _update(call, event)
    else:
        outcome = _update(call, event)
    if event.interest and not lead.interest and outcome != WebhookOutcome.UNCHANGED:
        lead_update(lead=lead, actor=VOICE_AGENT, interest=event.interest)
    if event.requested_do_not_call and not lead.do_not_call:
        lead_stop_calling(lead=lead, actor=VOICE_AGENT)
        outcome = WebhookOutcome.UPDATED if outcome == WebhookOutcome.UNCHANGED else outcome
    return outcome, call


def _find_call(gym, event, *, lock=False):
    calls = Call.objects.for_gym(gym)
    if lock:
        calls = calls.select_for_update(of=("self",))
    call = calls.filter(external_call_id=event.external_call_id).first()
    ours = _uuid(event.metadata.get("call_id"))
    if call is None and ours is not None:
        call = calls.filter(pk=ours, external_call_id="", direction=CallDirection.OUTBOUND).first()
    return call


def _resolve_lead(gym, event):
    lead_id = _uuid(event.metadata.get("lead_id"))
    if lead_id is not None:
        lead = Lead.objects.for_gym(gym).filter(pk=lead_id).first()
        if lead is not None:
            return lead
    inbound = event.direction != CallDirection.OUTBOUND
    phone = event.from_number if inbound else event.to_number
    if not phone:
        return None
    lead = lead_find_by_phone(gym=gym, phone=phone)
    if lead is None and event.direction == CallDirection.INBOUND:
        lead = _new_caller(gym, phone, event.dynamic_variables)
    return lead


def _new_caller(gym, phone, variables):
    first, last = _caller_name(variables)
    try:
        with transaction.atomic():
            return lead_create(gym=gym, actor=VOICE_AGENT, first_name=first, last_name=last, phone=phone,
                               source=LeadSource.PHONE)
    except Conflict as exc:  # the same caller, created by a concurrent delivery
        return Lead.objects.for_gym(gym).get(pk=exc.extra["existing_id"])
    except ValidationError:  # a caller id that is not a phone number (withheld, SIP): nobody to file under
        return None


def _caller_name(variables):
    """From the agent's dynamic variables (``first_name``/``last_name``, or ``customer_name`` or
    ``name``), else "Unknown caller"."""
    first, last = (str(variables.get(key) or "").strip()[:100] for key in ("first_name", "last_name"))
    if not first:
        full = str(variables.get("customer_name") or variables.get("name") or "").split()
        first, last = (full[0][:100], " ".join(full[1:])[:100]) if full else UNKNOWN_CALLER
    return first, last or "(unknown)"


def _create(gym, lead, event):
    fields = dict(event.fields)
    campaign_id = _uuid(event.metadata.get("campaign_id"))
    campaign = Campaign.objects.for_gym(gym).filter(pk=campaign_id).first() if campaign_id else None
    return call_create(gym=gym, actor=VOICE_AGENT, lead=lead, direction=event.direction or CallDirection.INBOUND,
                       external_call_id=event.external_call_id, handled_by=HandledBy.AI, campaign=campaign, **fields)


def _update(call, event):
    changes = _merge(call, event.fields, later=EVENT_STAGES[event.event] >= selectors.call_stage(call=call))
    if not call.external_call_id:
        changes["external_call_id"] = event.external_call_id
    if dial_state(call) in (UNKNOWN, UNCONFIRMED):  # the platform reports it: the dial did reach it
        changes["metrics"] = {**changes.get("metrics", call.metrics or {}), "dial_state": PLACED}
    if not changes:
        return WebhookOutcome.UNCHANGED
    call_update(call=call, actor=VOICE_AGENT, **changes)
    return WebhookOutcome.UPDATED


def _merge(call, fields, *, later):
    """What of ``fields`` may change ``call``: statuses only forward; an event that is ``later`` than
    (or as late as) every one applied so far overwrites, an earlier one only fills empty fields."""
    changes = {}
    for name, value in fields.items():
        old = getattr(call, name)
        if name == "status":
            rank, old_rank = _RANK.get(value, _FINAL), _RANK.get(old, _FINAL)
            new = value if rank > old_rank or (rank == old_rank == _FINAL and later) else old
        elif name == "metrics":
            new = {**(old or {}), **value} if later else {**value, **(old or {})}
        else:
            new = value if later or old in (None, "", []) else old
        if new != old:
            changes[name] = new
    return changes


def _uuid(value):
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
