"""Lead capture from outside: a gym's website form or an ad platform posts each enquiry to
``POST /api/intake/leads`` with an API key of scope ``intake``.

A new phone creates the lead; a phone the gym already has adds an "enquired again" entry to that
lead's timeline instead of refusing (people fill in forms twice). Either way the enquiry counts for
speed to lead: when the gym calls new leads automatically, a call is queued for now (or the next
calling window) and the dialer places it within seconds.
"""

from dataclasses import dataclass

from django.db import transaction

from calls.models import Call
from calls.queueing import call_queue_for_new_lead
from reps_dashboard.errors import Conflict

from .activity import Actor, activity_record
from .models import ActivityType, Lead
from .services import lead_create


@dataclass
class Enquiry:
    lead: Lead
    created: bool
    call: Call | None


def lead_capture(*, gym, source_name: str, source_detail: str = "", **fields) -> Enquiry:
    """Records an enquiry (``fields`` as for ``lead_create``, the phone already normalised) from the
    capture source ``source_name`` (the API key's name)."""
    actor = Actor.system(f"Lead intake: {source_name}"[:150])
    with transaction.atomic():
        lead = Lead.objects.for_gym(gym).filter(phone=fields["phone"]).first()
        created = lead is None
        if created:
            try:
                with transaction.atomic():
                    lead = lead_create(gym=gym, actor=actor, source_detail=source_detail, **fields)
            except Conflict:  # the same enquiry, posted twice at once: the other request created the lead
                lead, created = Lead.objects.for_gym(gym).get(phone=fields["phone"]), False
        if not created:
            detail = f" ({source_detail})" if source_detail else ""
            activity_record(lead=lead, type=ActivityType.ENQUIRED_AGAIN, actor=actor,
                            description=f"Enquired again through {source_name}{detail}",
                            data={"source": fields.get("source", ""), "source_detail": source_detail,
                                  "interest": fields.get("interest", ""), "notes": fields.get("notes", "")})
        call = call_queue_for_new_lead(gym=gym, lead=lead)
    return Enquiry(lead, created, call)
