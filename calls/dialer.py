"""The dialer: places the gym's due queued calls through the registered voice platform.

A round for one gym (``calls_dial_due``) runs in one transaction holding the gym's dialer lock (a
PostgreSQL advisory lock taken with ``pg_try_advisory_xact_lock``: a second worker skips the gym
instead of waiting), so the gym's concurrency cap holds however many workers run. It claims due calls
with ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers never take the same call), and for each one
checks again, at dial time, what may have changed since it was queued:

- the lead went on the do-not-call list, or was converted or lost: the call is canceled;
- it is outside the calling window (the gym's days and hours, narrowed by the call's campaign) in the
  lead's local time (``calls.calling_hours``): the call moves to the window's next opening;
- the gym already has ``max_concurrent_calls`` calls in progress: the rest wait for the next round.

Then it hands the call to the voice platform's dialer (``calls.dialing``). A refusal by the platform
marks the call failed there (status and timeline); anything else that breaks is retried with an
exponential backoff (the call's ``scheduled_at`` moves on) and after ``DIALER_MAX_ATTEMPTS`` the
call is marked failed with the reason. An in-progress call older than ``CALL_MAX_DURATION_SECONDS``
no longer counts against the cap (its webhook was lost; reconciliation settles it).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from leads.activity import Actor
from leads.models import CALLABLE_STATUSES
from reps_dashboard.metrics import record_dial_outcome

from . import dialing
from .calling_hours import CallingHours
from .models import Call, CallDirection, CallStatus
from .services import call_update

logger = logging.getLogger(__name__)

DIALER = Actor.system("Dialer")
_LOCK_NAMESPACE = 0x15D1A1  # the first key of the dialer's advisory locks; the second is the gym's
_MAX_BATCHES = 50  # a round ends after this many claims even if calls keep coming due
LEAD_BUSY_DEFER = dt.timedelta(minutes=10)  # a call due while its lead is on another call waits this long

NOT_CALLABLE = {
    "do_not_call": "The lead is on the do-not-call list.",
    "not_callable_status": "The lead is {status}: the voice agent calls only new, contacted and qualified leads.",
    "no_window": "The gym's and the campaign's calling days and hours never overlap.",
}


@dataclass
class DialRound:
    """What one round did for a gym (logged by the task)."""

    dialed: int = 0
    failed: int = 0
    canceled: int = 0
    deferred: int = 0
    retrying: int = 0
    waiting: str = ""  # why the round stopped with calls still due: busy, at_capacity, no_platform
    call_ids: list = field(default_factory=list)

    def __str__(self):
        counts = ", ".join(f"{name} {getattr(self, name)}"
                           for name in ("dialed", "failed", "canceled", "deferred", "retrying"))
        return counts + (f" ({self.waiting})" if self.waiting else "")


def due_calls(*, gym, now):
    """The gym's outbound calls queued for ``now`` or earlier, oldest first (index ``call_gym_queued``)."""
    return (Call.objects.for_gym(gym)
            .filter(status=CallStatus.QUEUED, direction=CallDirection.OUTBOUND, scheduled_at__lte=now)
            .order_by("scheduled_at", "id"))


def active_call_count(*, gym, now) -> int:
    since = now - dt.timedelta(seconds=settings.CALL_MAX_DURATION_SECONDS)
    return Call.objects.for_gym(gym).filter(status=CallStatus.IN_PROGRESS, updated_at__gte=since).count()


def calls_dial_due(*, gym, now: dt.datetime | None = None) -> DialRound:
    """One dialer round for ``gym``: places its due calls, up to its concurrency cap."""
    now = now or timezone.now()
    result = DialRound()
    with transaction.atomic():
        if not _lock_gym(gym):
            result.waiting = "busy"
            return result
        room = gym.max_concurrent_calls - active_call_count(gym=gym, now=now)
        for _ in range(_MAX_BATCHES):
            if room <= 0:
                result.waiting = "at_capacity" if due_calls(gym=gym, now=now).exists() else ""
                break
            batch = list(due_calls(gym=gym, now=now).select_related("lead", "campaign")
                         .select_for_update(skip_locked=True, of=("self",))[:room])
            if not batch:
                break
            for call in batch:
                placed = _dial_one(gym, call, now, result)
                if placed is None:
                    result.waiting = "no_platform"
                    return result
                room -= placed
    return result


def _lock_gym(gym) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite serialises writers itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, gym.pk.int % 2**31])
        return cursor.fetchone()[0]


def _dial_one(gym, call, now, result) -> int | None:
    """Dials ``call`` or settles why not; returns how many calls it put in progress (0 or 1), or None
    when the gym has no voice platform to dial with (the call stays queued). Each attempt is counted
    by outcome in the ``reps_dial_outcomes_total`` metric."""
    started, outcome = _attempt(gym, call, now, result)
    record_dial_outcome(outcome)
    return started


def _attempt(gym, call, now, result) -> tuple[int | None, str]:
    reason = _not_callable(call.lead)
    if reason:
        call_update(call=call, actor=DIALER, status=CallStatus.CANCELED,
                    metrics={**(call.metrics or {}), "dial_skipped": reason})
        result.canceled += 1
        return 0, "skipped"
    if _lead_on_the_phone(gym, call, now):
        call_update(call=call, actor=DIALER, scheduled_at=now + LEAD_BUSY_DEFER)
        result.deferred += 1
        return 0, "deferred"
    opens = CallingHours.for_lead(gym=gym, phone=call.lead.phone, campaign=call.campaign).next_moment(now)
    if opens is None:
        call_update(call=call, actor=DIALER, status=CallStatus.CANCELED,
                    metrics={**(call.metrics or {}), "dial_skipped": NOT_CALLABLE["no_window"]})
        result.canceled += 1
        return 0, "skipped"
    if opens > now:
        call_update(call=call, actor=DIALER, scheduled_at=opens)
        result.deferred += 1
        return 0, "deferred"
    try:
        with transaction.atomic():  # what breaks unexpectedly leaves nothing half-written
            placed, refusal = _place(gym, call)
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: the whole round is retried by the task
    except Exception as exc:  # noqa: BLE001 - whatever broke, the call must not stay stuck; it is recorded
        _retry_later(call, now, exc, result)
        return 0, "error"
    if refusal is not None:
        logger.info("dial of call %s for gym %s refused: %s", call.pk, gym.pk, refusal,
                    extra={"gym_id": str(gym.pk), "call_id": str(call.pk), "outcome": "failed"})
        result.failed += 1
        return 0, "refused"
    if placed is None:
        return None, "no_platform"
    result.dialed += 1
    result.call_ids.append(str(call.pk))
    # How far the platform got (placed, unknown: being checked), else the call's status.
    outcome = (placed.metrics or {}).get("dial_state") or placed.status
    return (1 if placed.status == CallStatus.IN_PROGRESS else 0), outcome


def _place(gym, call):
    """(the call as placed, None), or (None, the reason) when the platform refused it: the dialer
    has then already marked it failed, and that write stands."""
    try:
        return dialing.dial_if_due(gym=gym, call=call), None
    except dialing.DialFailed as exc:
        return None, exc.reason


def _lead_on_the_phone(gym, call, now) -> bool:
    """Another call with the same lead is under way (placed this round or earlier): a person is
    never rung twice at once (a speed-to-lead call and a campaign's, a confirmation call...)."""
    since = now - dt.timedelta(seconds=settings.CALL_MAX_DURATION_SECONDS)
    return (Call.objects.for_gym(gym).filter(lead_id=call.lead_id, status=CallStatus.IN_PROGRESS, updated_at__gte=since)
            .exclude(pk=call.pk).exists())


def _not_callable(lead) -> str:
    if lead.do_not_call:
        return NOT_CALLABLE["do_not_call"]
    if lead.status not in CALLABLE_STATUSES:
        return NOT_CALLABLE["not_callable_status"].format(status=lead.get_status_display().lower())
    return ""


def _retry_later(call, now, exc, result):
    attempts = int((call.metrics or {}).get("dial_attempts", 0)) + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    metrics = {**(call.metrics or {}), "dial_attempts": attempts, "dial_error": error}
    logger.warning("dial of call %s for gym %s broke (attempt %s): %s", call.pk, call.gym_id, attempts, error,
                   exc_info=exc, extra={"gym_id": str(call.gym_id), "call_id": str(call.pk), "outcome": "error"})
    if attempts >= settings.DIALER_MAX_ATTEMPTS:
        call_update(call=call, actor=DIALER, status=CallStatus.FAILED, metrics=metrics)
        result.failed += 1
        return
    backoff = dt.timedelta(seconds=settings.DIALER_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1))
    call_update(call=call, actor=DIALER, scheduled_at=now + backoff, metrics=metrics)
    result.retrying += 1


def gyms_with_due_calls(*, now) -> list:
    """Ids of the gyms with due queued outbound calls: the cross-gym sweep's one read (inside
    ``unscoped``)."""
    return list(Call.all_gyms.filter(status=CallStatus.QUEUED, direction=CallDirection.OUTBOUND,
                                     scheduled_at__lte=now)
                .order_by().values_list("gym_id", flat=True).distinct())
