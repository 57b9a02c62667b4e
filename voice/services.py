"""Voice writes: the gym's Retell integration settings, and booking on the caller's behalf."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appointments.availability import Slot, next_free_slots, opening_window
from appointments.models import Appointment
from appointments.services import appointment_book
from calls.models import Call, CallStatus
from calls.services import call_update
from leads.activity import Actor
from leads.models import Lead
from leads.phones import InvalidPhoneNumber, normalize_phone
from leads.services import lead_set_do_not_call
from reps_dashboard.errors import Conflict

from .models import RetellIntegration

VOICE_AGENT = Actor.voice_agent()
INTEGRATION_FIELDS = frozenset({"api_key", "webhook_api_key", "agent_id", "from_number", "enabled"})
# What the agent is offered when the time asked for is taken.
OFFERED_SLOTS = 3


def integration_update(*, gym, **fields) -> RetellIntegration:
    """Creates or changes ``gym``'s Retell integration. ``api_key`` replaces the stored key ("" clears
    it), as does ``webhook_api_key`` (the key with Retell's "webhook" badge, when it is another one);
    ``from_number`` is stored as E.164 (read for the gym's country). An enabled integration needs
    all three of the API key, agent id and from-number."""
    unknown = set(fields) - INTEGRATION_FIELDS
    if unknown:
        raise TypeError(f"Not integration fields: {', '.join(sorted(unknown))}")
    if fields.get("from_number"):
        try:
            fields["from_number"] = normalize_phone(fields["from_number"], gym.country)
        except InvalidPhoneNumber as exc:
            raise ValidationError({"from_number": [str(exc)]})
    with transaction.atomic():
        integration = (RetellIntegration.objects.for_gym(gym).select_for_update().first()
                       or RetellIntegration(gym=gym))
        if "api_key" in fields:
            integration.set_api_key((fields.pop("api_key") or "").strip())
        if "webhook_api_key" in fields:
            integration.set_webhook_api_key((fields.pop("webhook_api_key") or "").strip())
        for name, value in fields.items():
            setattr(integration, name, value.strip() if isinstance(value, str) else value)
        missing = [name for name, present in (("api_key", integration.api_key_encrypted),
                                              ("agent_id", integration.agent_id),
                                              ("from_number", integration.from_number)) if not present]
        if integration.enabled and missing:
            raise ValidationError({"enabled": [f"Set {', '.join(missing)} before enabling the integration."]})
        integration.save()
    return integration


@dataclass
class SlotTaken(Exception):
    """The time asked for cannot be booked (taken, past, or outside the branch's opening hours);
    ``slots`` are the next free ones (soonest first)."""

    detail: str
    existing_id: object
    slots: list[Slot]


def appointment_book_for_caller(*, gym, lead, type, start: dt.datetime, duration: int, branch=None, staff=None,
                                notes="") -> Appointment:
    """Books as the voice agent (``appointments.services.appointment_book``). A time that has passed,
    is outside the branch's opening hours or is taken raises ``SlotTaken`` with the next free slots
    of the branch after the time asked for."""
    branch = branch if branch is not None else lead.branch
    tz = branch.tzinfo
    local_start, local_end = start.astimezone(tz), (start + dt.timedelta(minutes=duration)).astimezone(tz)
    window = opening_window(branch, local_start.date())
    problem = None
    if start < timezone.now():
        problem = "That time has already passed."
    elif window is None or start < window[0] or local_end > window[1]:
        problem = (f"{branch.name} is not open for the whole of {local_start:%A %d %B %H:%M}-{local_end:%H:%M}: "
                   f"{_hours(branch, local_start.date())}.")
    if problem:
        slots = next_free_slots(branch=branch, after=max(start, timezone.now()), duration=duration, staff=staff,
                                lead=lead, count=OFFERED_SLOTS)
        raise SlotTaken(problem, None, slots)
    try:
        with transaction.atomic():
            return appointment_book(gym=gym, actor=VOICE_AGENT, lead=lead, type=type, start=start, duration=duration,
                                    branch=branch, staff=staff, notes=notes)
    except Conflict as exc:
        slots = next_free_slots(branch=branch, after=start, duration=duration, staff=staff, lead=lead,
                                count=OFFERED_SLOTS)
        raise SlotTaken(exc.message, exc.extra.get("existing_id"), slots)


def lead_stop_calling(*, lead: Lead, actor: Actor = VOICE_AGENT) -> tuple[Lead, int]:
    """The caller asked never to be called again (a legal duty in most markets): the lead becomes
    do-not-call (timeline ``do_not_call_set``) and every call still queued for it is canceled, so no
    dialer and no campaign reaches it again. Returns the lead and how many calls were canceled;
    repeating it changes nothing."""
    with transaction.atomic():
        lead = lead_set_do_not_call(lead=lead, actor=actor)
        queued = Call.objects.for_gym(lead.gym_id).filter(lead=lead, status=CallStatus.QUEUED).order_by("id")
        canceled = 0
        for call in queued:
            call_update(call=call, actor=actor, status=CallStatus.CANCELED)
            canceled += 1
    return lead, canceled


def _hours(branch, day):
    window = opening_window(branch, day)
    if window is None:
        return f"it is closed on {day:%A}s"
    tz = branch.tzinfo
    return f"on {day:%A}s it opens {window[0].astimezone(tz):%H:%M}-{window[1].astimezone(tz):%H:%M}"
