"""The voice app on beat: the campaign scheduler (``manage.py run_campaigns``) and the reconciliation
of calls whose webhooks were lost (``voice.reconcile``), every few minutes, without cron."""

from django.utils import timezone

from calls.models import Campaign, CampaignStatus
from reps_dashboard.background import cross_gym_task, enqueue, gym_task

from . import selectors
from .reconcile import OPEN, call_reconcile
from .scheduler import campaigns_schedule


@gym_task()
def schedule_campaigns(*, gym):
    """Queues today's calls of the gym's active campaigns (idempotent: see voice.scheduler)."""
    results = campaigns_schedule(gym=gym, now=timezone.now())
    return f"{sum(len(result.calls) for result in results)} calls queued by {len(results)} campaigns"


@cross_gym_task(reason="campaign scheduler: every gym with an active campaign")
def run_campaigns():
    """Starts the scheduler for each gym that has an active campaign."""
    gym_ids = list(Campaign.all_gyms.filter(status=CampaignStatus.ACTIVE).order_by()
                   .values_list("gym_id", flat=True).distinct())
    for gym_id in gym_ids:
        enqueue(schedule_campaigns, gym_id=str(gym_id))
    return f"{len(gym_ids)} gyms with active campaigns"


@gym_task()
def reconcile_gym_calls(*, gym):
    """Settles the gym's calls the webhooks left open, each from Retell's own record (get-call)."""
    now = timezone.now()
    settled = 0
    for call in selectors.calls_to_reconcile(gym=gym, now=now):
        if call_reconcile(gym=gym, call=call, now=now).status not in OPEN:
            settled += 1
    return f"{settled} calls settled"


@cross_gym_task(reason="call reconciliation: every gym with a call left open by lost webhooks")
def reconcile_calls():
    """Sends ``reconcile_gym_calls`` for each gym with a call to reconcile (``calls_to_reconcile``)."""
    now = timezone.now()
    gym_ids = list(selectors.gyms_with_calls_to_reconcile(now=now))
    for gym_id in gym_ids:
        enqueue(reconcile_gym_calls, gym_id=str(gym_id))
    return f"{len(gym_ids)} gyms with calls to reconcile"
