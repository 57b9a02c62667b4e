"""The campaign scheduler: which of a campaign's leads get a call queued today, and when.

One service for ``manage.py run_campaigns`` (cron, every few minutes) and
``POST /api/settings/campaigns/{id}/schedule``. For an active campaign whose dates cover today, on
one of its call days, within its call hours (all in the gym's timezone), it queues outbound calls
(``scheduled_at`` spread over the hours left today) for its leads, up to ``max_calls_per_day`` calls
of the campaign for the day, skipping leads that are do-not-call, converted or lost, already queued,
called today, attempted by the campaign less than ``retry_gap_days`` days ago (calendar days), answered
by one of its calls, or left unanswered ``retry_attempts`` times (at least one attempt is always made).

Idempotent: a second run finds the leads queued and the day's calls counted. Two runs for one gym
apply one after the other: each starts by locking the gym's active campaigns, in one order.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, DateTimeField, Exists, IntegerField, OuterRef, Q, Subquery, TextChoices
from django.db.models.functions import Coalesce

from appointments.localtime import wall_clock
from calls.models import (
    NOT_PLACED,
    Call,
    CallDirection,
    CallOutcome,
    CallStatus,
    Campaign,
    CampaignLead,
    CampaignStatus,
    HandledBy,
)
from calls.services import call_create
from leads.activity import Actor
from leads.models import CALLABLE_STATUSES, Lead
from tenants.models import CALL_DAYS

SCHEDULER = Actor.system("Campaign scheduler")
UNANSWERED = Q(status__in=[CallStatus.MISSED, CallStatus.VOICEMAIL]) | Q(outcome=CallOutcome.NO_ANSWER)


class Skipped(TextChoices):
    NOT_ACTIVE = "not_active", "The campaign is not active"
    OUTSIDE_DATES = "outside_dates", "Today is outside the campaign's dates"
    NOT_A_CALL_DAY = "not_a_call_day", "Today is not one of the campaign's call days"
    OUTSIDE_CALL_HOURS = "outside_call_hours", "Now is outside the campaign's call hours"
    DAILY_CAP_REACHED = "daily_cap_reached", "The campaign has made its calls for today"
    NO_ELIGIBLE_LEADS = "no_eligible_leads", "No lead of the campaign is due a call"


@dataclass
class Scheduled:
    campaign: Campaign
    date: dt.date  # the gym's local day
    calls: list[Call] = field(default_factory=list)
    skipped: str | None = None


def campaigns_schedule(*, gym, now: dt.datetime, campaign: Campaign | None = None) -> list[Scheduled]:
    """Queues today's calls of every active campaign of ``gym`` (or of ``campaign`` only) at ``now``."""
    with transaction.atomic():
        active = list(Campaign.objects.for_gym(gym).filter(status=CampaignStatus.ACTIVE)
                      .order_by("id").select_for_update())
        if campaign is not None:
            active = [c for c in active if c.pk == campaign.pk] or [Campaign.objects.for_gym(gym).get(pk=campaign.pk)]
        return [_schedule(gym, each, now) for each in active]


def _schedule(gym, campaign, now):
    tz = gym.tzinfo
    today = now.astimezone(tz).date()
    result = Scheduled(campaign, today)
    opens = wall_clock(today, f"{campaign.call_hours_start:%H:%M}", tz)
    closes = wall_clock(today, f"{campaign.call_hours_end:%H:%M}", tz)
    if campaign.status != CampaignStatus.ACTIVE:
        result.skipped = Skipped.NOT_ACTIVE
    elif (campaign.start_date and today < campaign.start_date) or (campaign.end_date and today > campaign.end_date):
        result.skipped = Skipped.OUTSIDE_DATES
    elif CALL_DAYS[today.weekday()] not in campaign.call_days:
        result.skipped = Skipped.NOT_A_CALL_DAY
    elif not opens <= now < closes:
        result.skipped = Skipped.OUTSIDE_CALL_HOURS
    if result.skipped:
        return result
    day_start, day_end = _midnight(today, tz), _midnight(today + dt.timedelta(days=1), tz)
    room = campaign.max_calls_per_day - _calls_of_the_day(gym, campaign, day_start, day_end)
    if room <= 0:
        result.skipped = Skipped.DAILY_CAP_REACHED
        return result
    gap_before = _midnight(today - dt.timedelta(days=campaign.retry_gap_days - 1), tz)
    leads = _due_leads(gym, campaign, day_start=day_start, gap_before=gap_before, limit=room)
    if not leads:
        result.skipped = Skipped.NO_ELIGIBLE_LEADS
        return result
    step = (closes - now) / len(leads)
    for position, lead in enumerate(leads):
        result.calls.append(call_create(
            gym=gym, actor=SCHEDULER, lead=lead, campaign=campaign, direction=CallDirection.OUTBOUND,
            status=CallStatus.QUEUED, scheduled_at=now + step * position, handled_by=HandledBy.AI))
    return result


def _midnight(day, tz):
    return wall_clock(day, "00:00", tz)


def _when():
    """When a call happened, or is to happen: its start, else its schedule, else when it was logged."""
    return Coalesce("start_time", "scheduled_at", "created_at", output_field=DateTimeField())


def _calls_of_the_day(gym, campaign, day_start, day_end) -> int:
    """The campaign's calls whose ``_when`` falls on the day, counted as two index ranges: started
    ones by start time, the others by schedule (else by when they were logged)."""
    calls = Call.objects.for_gym(gym).filter(campaign=campaign)
    started = calls.filter(start_time__gte=day_start, start_time__lt=day_end).count()
    in_day = Q(scheduled_at__gte=day_start, scheduled_at__lt=day_end) | Q(
        scheduled_at__isnull=True, created_at__gte=day_start, created_at__lt=day_end)
    return started + calls.filter(in_day, start_time__isnull=True).count()


def _due_leads(gym, campaign, *, day_start, gap_before, limit):
    """Up to ``limit`` of the campaign's leads due a call: never-called leads first (oldest first),
    then the longest since their last call, as ``GET /api/leads/prioritized`` orders them. Each half
    is read in that order from the leads' call-queue indexes (``lead_queue_never_called``,
    ``lead_queue_called``) and stops at ``limit``, so only the leads visited pay for the rules, each a
    probe of the lead's calls (index (gym, lead, ...)); sorting every member by its last attempt
    first cost seconds for a campaign of 25,000 leads."""
    calls = Call.objects.for_gym(gym).filter(lead=OuterRef("pk"))
    placed = calls.exclude(status__in=NOT_PLACED)
    attempts = placed.filter(campaign=campaign)
    unanswered = attempts.filter(UNANSWERED).order_by().values("lead").annotate(n=Count("*")).values("n")
    member = CampaignLead.objects.for_gym(gym).filter(campaign=campaign, lead=OuterRef("pk"))
    due = (
        Lead.objects.for_gym(gym)
        .filter(Exists(member), do_not_call=False, status__in=CALLABLE_STATUSES)
        .exclude(Exists(calls.filter(status=CallStatus.QUEUED)))
        .exclude(Exists(placed.annotate(when=_when()).filter(when__gte=day_start)))
        .exclude(Exists(attempts.annotate(when=_when()).filter(when__gte=gap_before)))
        .exclude(Exists(attempts.filter(status=CallStatus.COMPLETED).exclude(outcome=CallOutcome.NO_ANSWER)))
        .annotate(unanswered=Coalesce(Subquery(unanswered, output_field=IntegerField()), 0))
        .filter(unanswered__lt=max(1, campaign.retry_attempts))
    )
    never_called = list(due.filter(last_called__isnull=True).order_by("created_at", "id")[:limit])
    if len(never_called) == limit:
        return never_called
    called = due.filter(last_called__isnull=False).order_by("last_called", "id")
    return never_called + list(called[: limit - len(never_called)])
