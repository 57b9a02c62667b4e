"""The show-rate engine's writes: queueing the ladder's calls at ``now``.

``showrate_run`` is what ``manage.py run_showrate`` (cron) and the beat task call, every few
minutes. Calls are queued when they are due (``scheduled_at = now``) and placed by the dialer like
any queued outbound call, so an appointment moved or canceled before its time never had a call
queued for the old time. Idempotent: one confirmation call and one recall call per appointment
(a unique constraint holds it), and two runs for one gym apply one after the other (each locks the
gym's row first, without blocking the gym's other writes).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import IntegrityError, transaction

from calls.calling_hours import CallingHours
from calls.models import Call, CallDirection, CallPurpose, CallStatus, HandledBy
from calls.services import call_create
from leads.activity import Actor
from reps_dashboard.errors import Conflict
from tenants.models import Gym

from ..models import Appointment
from .selectors import CONFIRMATION_MIN_NOTICE, appointments_to_confirm, no_shows_to_recall

logger = logging.getLogger(__name__)
ENGINE = Actor.system("Show-rate engine")


@dataclass
class LadderRun:
    """What one run queued for one gym."""

    gym: Gym
    confirmations: list[Call] = field(default_factory=list)
    recalls: list[Call] = field(default_factory=list)


@lru_cache(maxsize=4096)  # appointments start on the hour or half hour: a sweep asks the same often
def confirmation_moment(*, start: dt.datetime, hours_before: int, hours: CallingHours) -> dt.datetime | None:
    """When an appointment starting at ``start`` should get its confirmation call: the first
    calling moment at or after ``hours_before`` hours before it; when that is too close to the
    start, the opening of the last calling window before that time. None: no calling day at all."""
    target = start - dt.timedelta(hours=hours_before)
    moment = hours.next_moment(target)
    if moment is None or moment >= start - CONFIRMATION_MIN_NOTICE:
        moment = hours.last_opening(target)
    return moment


def confirmation_due(*, appointment: Appointment, gym, now: dt.datetime) -> bool:
    """Whether ``appointment``'s confirmation call is due at ``now``: its moment has come, ``now``
    is inside calling hours in the lead's time zone, and the start is far enough away."""
    hours = CallingHours.for_lead(gym=gym, phone=appointment.lead.phone)
    moment = confirmation_moment(start=appointment.date, hours_before=gym.confirmation_hours_before, hours=hours)
    return (moment is not None and moment <= now < appointment.date - CONFIRMATION_MIN_NOTICE
            and hours.contains(now))


def confirmation_calls_queue(*, gym, now: dt.datetime) -> list[Call]:
    """Queues the confirmation calls of ``gym`` due at ``now``."""
    due = [appointment for appointment in appointments_to_confirm(gym=gym, now=now)
           if confirmation_due(appointment=appointment, gym=gym, now=now)]
    return [call for call in (_queue(gym, each, CallPurpose.CONFIRMATION, now) for each in due) if call]


def recall_calls_queue(*, gym, now: dt.datetime) -> list[Call]:
    """Queues a recall call for each no-show of ``gym`` to recall, when ``now`` is inside calling
    hours in the lead's time zone (else a later run does: the same day or the next window)."""
    due = [appointment for appointment in no_shows_to_recall(gym=gym, now=now)
           if CallingHours.for_lead(gym=gym, phone=appointment.lead.phone).contains(now)]
    return [call for call in (_queue(gym, each, CallPurpose.RECALL, now) for each in due) if call]


def showrate_run(*, gym, now: dt.datetime) -> LadderRun:
    """One pass of the ladder for ``gym`` (its settings say which rungs are on)."""
    with transaction.atomic():
        # FOR NO KEY UPDATE: runs for one gym queue behind each other, while the gym's other writes
        # (whose foreign keys take FOR KEY SHARE on the gym row) go on.
        gym = Gym.objects.select_for_update(no_key=True).get(pk=gym.pk)
        run = LadderRun(gym)
        if gym.confirmation_calls_enabled:
            run.confirmations = confirmation_calls_queue(gym=gym, now=now)
        if gym.recall_calls_enabled:
            run.recalls = recall_calls_queue(gym=gym, now=now)
    logger.info("show-rate run for gym %s: %d confirmation and %d recall calls queued", gym.pk,
                len(run.confirmations), len(run.recalls))
    return run


def _queue(gym, appointment: Appointment, purpose: str, now: dt.datetime) -> Call | None:
    """The call, or None when the lead became do-not-call or the call exists already (a concurrent
    writer): the run goes on with the others."""
    try:
        with transaction.atomic():
            return call_create(gym=gym, actor=ENGINE, lead=appointment.lead, direction=CallDirection.OUTBOUND,
                               status=CallStatus.QUEUED, scheduled_at=now, handled_by=HandledBy.AI,
                               branch=appointment.branch, purpose=purpose, appointment=appointment)
    except (Conflict, IntegrityError) as exc:
        logger.info("no %s call for appointment %s: %s", purpose, appointment.pk, exc)
        return None
