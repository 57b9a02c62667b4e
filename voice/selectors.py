"""Voice reads: the gym's integration, the webhook's lookup, the dialer's due calls, a caller's lead."""

import datetime as dt
import uuid

from django.db.models import Q

from appointments.models import Appointment
from appointments.selectors import upcoming
from calls.models import Call, CallStatus
from calls.selectors import call_list
from leads.models import Lead
from tenants import rls

from .models import EVENT_STAGES, RetellIntegration, WebhookEvent, WebhookOutcome


def integration_for_gym(*, gym) -> RetellIntegration | None:
    return RetellIntegration.objects.for_gym(gym).first()


def integration_enabled(*, gym) -> RetellIntegration | None:
    """The gym's integration when it may place calls."""
    return RetellIntegration.objects.for_gym(gym).filter(enabled=True).exclude(api_key_encrypted="").first()


def integration_for_webhook(*, integration_id: str) -> RetellIntegration | None:
    """The integration a webhook URL names (enabled or not: a refusal is counted on it), before
    any gym is known: row-level security admits this one row (tenants.rls.set_row_lookup) and
    nothing else."""
    try:
        pk = uuid.UUID(str(integration_id))
    except ValueError:
        return None
    rls.set_row_lookup(RetellIntegration, pk)
    return RetellIntegration.all_gyms.select_related("gym").filter(pk=pk).first()


def calls_due(*, gym, now):
    """Queued calls whose time has come, oldest first, for the dialer: never a do-not-call lead's
    (a call queued before the flag was set stays queued, and is not dialed). The page is read in
    order from the partial index of queued calls (gym, scheduled_at, id); the do-not-call leads are
    excluded as a set (``NOT IN``, from their own small partial index) rather than by a join, which
    PostgreSQL, unable to tell that most queued calls are for later, turned into a scan of every lead."""
    do_not_call = Lead.objects.for_gym(gym).filter(do_not_call=True).values("id")
    return (call_list(gym=gym)
            .filter(status=CallStatus.QUEUED, scheduled_at__lte=now)
            .exclude(lead_id__in=do_not_call)
            .order_by("scheduled_at", "id"))


def lead_with_next_appointment(*, lead: Lead | None) -> Lead | None:
    """``lead`` with ``next_appointment`` (the next active one, or None)."""
    if lead is None:
        return None
    lead.next_appointment = (upcoming(Appointment.objects.for_gym(lead.gym_id).filter(lead=lead))
                             .select_related("branch").order_by("date", "id").first())
    return lead


def call_stage(*, call: Call) -> int:
    """How far the platform's events have taken ``call`` (0: none yet, e.g. a call we queued)."""
    applied = (WebhookEvent.objects.for_gym(call.gym_id).filter(call=call)
               .exclude(outcome__in=[WebhookOutcome.IGNORED, WebhookOutcome.INVALID, WebhookOutcome.UNMATCHED])
               .order_by().values_list("event", flat=True).distinct())
    return max((EVENT_STAGES.get(event, 0) for event in applied), default=0)


# A call the platform said nothing about for this long is asked about (voice.reconcile).
RECONCILE_IDLE = dt.timedelta(minutes=10)


def calls_to_reconcile(*, gym, now, idle: dt.timedelta = RECONCILE_IDLE):
    """Calls left in progress with nothing heard for ``idle``: placed with Retell (an external id)
    or dialed without an answer (``metrics.dial_state`` unknown); least recently touched first.
    For ``voice.reconcile.call_reconcile``."""
    return _left_open(Call.objects.for_gym(gym), now=now, idle=idle).order_by("updated_at", "id")


def gyms_with_calls_to_reconcile(*, now, idle: dt.timedelta = RECONCILE_IDLE):
    """The ids of the gyms that have a call for ``calls_to_reconcile``, in one query (for the
    audited cross-gym sweep)."""
    return (_left_open(Call.all_gyms.all(), now=now, idle=idle).order_by()
            .values_list("gym_id", flat=True).distinct())


def _left_open(calls, *, now, idle):
    return (calls.filter(status=CallStatus.IN_PROGRESS, updated_at__lte=now - idle)
            .filter(~Q(external_call_id="") | Q(metrics__dial_state="unknown")))
