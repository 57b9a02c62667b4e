"""Queueing outbound calls for the dialer (calls/dialer.py) from a request.

``POST /api/calls`` and speed to lead queue a call in the request's transaction and ask for a
dialer round for the gym once it commits: the call is placed by a worker within seconds, never
inside the web request. A call queued for later waits for the dialer's periodic sweep.
"""

from django.utils import timezone

from leads.activity import Actor
from leads.models import CALLABLE_STATUSES, Lead

from .calling_hours import CallingHours
from .models import Call, CallDirection, CallStatus, HandledBy
from .services import call_create
from .tasks import dial_soon

SPEED_TO_LEAD = Actor.system("Speed to lead")


def call_queue(*, gym, actor: Actor, lead: Lead, **fields) -> Call:
    """``call_create`` (a call logged or queued); an outbound call queued for now is dialed on commit."""
    call = call_create(gym=gym, actor=actor, lead=lead, **fields)
    if (call.direction == CallDirection.OUTBOUND and call.status == CallStatus.QUEUED
            and call.scheduled_at <= timezone.now()):
        dial_soon(gym=gym)
    return call


def call_queue_for_new_lead(*, gym, lead: Lead) -> Call | None:
    """Speed to lead: when the gym calls new leads automatically and ``lead`` may be called, queues
    an AI call for now (or for the next opening of the calling window in the lead's local time).
    None when nothing was queued."""
    if not gym.auto_call_new_leads or lead.do_not_call or lead.status not in CALLABLE_STATUSES:
        return None
    if Call.objects.for_gym(gym).filter(lead=lead, status__in=(CallStatus.QUEUED, CallStatus.IN_PROGRESS)).exists():
        return None  # already waiting for the dialer, or on the phone (an enquiry repeated meanwhile)
    now = timezone.now()
    opens = CallingHours.for_lead(gym=gym, phone=lead.phone).next_moment(now)
    if opens is None:
        return None
    return call_queue(gym=gym, actor=SPEED_TO_LEAD, lead=lead, direction=CallDirection.OUTBOUND,
                      status=CallStatus.QUEUED, scheduled_at=opens, handled_by=HandledBy.AI)
