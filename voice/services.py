"""Voice writes: the gym's Retell integration settings, and booking on the caller's behalf."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from appointments.availability import Slot, next_free_slots
from appointments.models import Appointment
from appointments.services import appointment_book
from leads.activity import Actor
from leads.phones import InvalidPhoneNumber, normalize_phone
from reps_dashboard.errors import Conflict

from .models import RetellIntegration

VOICE_AGENT = Actor.voice_agent()
INTEGRATION_FIELDS = frozenset({"api_key", "agent_id", "from_number", "enabled"})
# What the agent is offered when the time asked for is taken.
OFFERED_SLOTS = 3


def integration_update(*, gym, **fields) -> RetellIntegration:
    """Creates or changes ``gym``'s Retell integration. ``api_key`` replaces the stored key ("" clears
    it); ``from_number`` is stored as E.164 (read for the gym's country). An enabled integration
    needs all three of the API key, agent id and from-number."""
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
    """The time asked for is taken; ``slots`` are the next free ones (soonest first)."""

    detail: str
    existing_id: object
    slots: list[Slot]


def appointment_book_for_caller(*, gym, lead, type, start: dt.datetime, duration: int, branch=None, staff=None,
                                notes="") -> Appointment:
    """Books as the voice agent (``appointments.services.appointment_book``); a double booking raises
    ``SlotTaken`` with the next free slots of the branch after the time asked for."""
    branch = branch if branch is not None else lead.branch
    try:
        with transaction.atomic():
            return appointment_book(gym=gym, actor=VOICE_AGENT, lead=lead, type=type, start=start, duration=duration,
                                    branch=branch, staff=staff, notes=notes)
    except Conflict as exc:
        slots = next_free_slots(branch=branch, after=start, duration=duration, staff=staff, lead=lead,
                                count=OFFERED_SLOTS)
        raise SlotTaken(exc.message, exc.extra.get("existing_id"), slots)
