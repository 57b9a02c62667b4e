"""Reads of the show-rate ladder: what may need a call, and what nobody gave an outcome."""

import datetime as dt
import zoneinfo

from django.db.models import Exists, OuterRef, Q

from calls.models import Call, CallPurpose
from leads.models import CALLABLE_STATUSES
from tenants.models import Branch, Gym

from ..localtime import wall_clock
from ..models import ACTIVE, Appointment, AppointmentStatus

# A confirmation call less than this before the start is pointless: the lead is on the way.
CONFIRMATION_MIN_NOTICE = dt.timedelta(hours=2)
# When no calling moment falls between the due time and the start (a Monday 08:00 tour, no calls
# on Sunday), the call goes in the last calling window before: up to this much earlier.
CONFIRMATION_FALLBACK = dt.timedelta(days=3)
# A no-show older than this is not recalled (staff marking last month's tours get no calls).
RECALL_WITHIN = dt.timedelta(days=7)


# What the engine reads of a candidate (a sweep reads thousands): the times, the lead's phone, the ids.
CANDIDATE_COLUMNS = ("id", "gym_id", "date", "duration", "status", "lead_id", "branch_id", "staff_id",
                     "lead__id", "lead__gym_id", "lead__phone", "branch__id", "branch__gym_id")


def _has_call(purpose):
    return Exists(Call.all_gyms.filter(appointment=OuterRef("pk"), purpose=purpose))


def appointments_to_confirm(*, gym, now: dt.datetime):
    """Scheduled appointments of ``gym`` whose confirmation call may be due around ``now`` (the
    service decides the moment): starting more than ``CONFIRMATION_MIN_NOTICE`` from now and within
    the gym's hours before plus the fallback, without a confirmation call, of a lead the voice agent
    may call (not do-not-call; new, contacted or qualified, as the dialer wants). Read from the (gym, status, date) index; soonest first."""
    horizon = now + dt.timedelta(hours=gym.confirmation_hours_before) + CONFIRMATION_FALLBACK
    return (Appointment.objects.for_gym(gym)
            .filter(status=AppointmentStatus.SCHEDULED, date__gt=now + CONFIRMATION_MIN_NOTICE, date__lte=horizon,
                    lead__do_not_call=False, lead__status__in=CALLABLE_STATUSES)
            .exclude(_has_call(CallPurpose.CONFIRMATION))
            .select_related("lead", "branch").only(*CANDIDATE_COLUMNS).order_by("date", "id"))


def no_shows_to_recall(*, gym, now: dt.datetime):
    """No-shows of ``gym`` to recall at ``now``: started at least the gym's no-show margin ago and
    within ``RECALL_WITHIN``, not recalled yet, of a lead the voice agent may call who has not
    booked again (no rebooking, no active appointment ahead)."""
    margin = dt.timedelta(minutes=gym.no_show_margin_minutes)
    ahead = Appointment.all_gyms.filter(ACTIVE, lead=OuterRef("lead"), date__gte=now)
    return (Appointment.objects.for_gym(gym)
            .filter(status=AppointmentStatus.NO_SHOW, date__lte=now - margin, date__gte=now - RECALL_WITHIN,
                    rebooked_as__isnull=True, lead__do_not_call=False, lead__status__in=CALLABLE_STATUSES)
            .exclude(_has_call(CallPurpose.RECALL))
            .exclude(Exists(ahead))
            .select_related("lead", "branch").only(*CANDIDATE_COLUMNS).order_by("date", "id"))


def appointments_needing_outcome(appointments, *, gym, now: dt.datetime):
    """Of ``appointments`` (a queryset of ``gym``'s; None: of every gym, for a superuser in the
    admin), those still scheduled or confirmed after their local day (the branch's time zone) is
    over: staff must say whether the lead came. The engine never marks them. One range per time zone
    of the branches, on the (gym, status, date) index."""
    branches = Branch.objects.for_gym(gym) if gym is not None else Branch.all_gyms.all()
    by_zone = {}
    for branch_id, zone, gym_zone in branches.values_list("id", "timezone", "gym__timezone"):
        by_zone.setdefault(zone or gym_zone, []).append(branch_id)
    over = Q(pk__in=[])
    for zone, branch_ids in by_zone.items():
        tz = zoneinfo.ZoneInfo(zone)
        midnight = wall_clock(now.astimezone(tz).date(), "00:00", tz)
        over |= Q(branch_id__in=branch_ids, date__lt=midnight, end_time__lte=midnight)
    return appointments.filter(ACTIVE).filter(over)


def gyms_with_ladder_on():
    """Every gym that turned on confirmation or recall calls (for the audited cross-gym runs: beat
    and ``manage.py run_showrate``)."""
    return Gym.objects.filter(Q(confirmation_calls_enabled=True) | Q(recall_calls_enabled=True))
