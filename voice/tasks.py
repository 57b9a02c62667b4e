"""The campaign scheduler on beat: ``manage.py run_campaigns`` every few minutes, without cron."""

from django.utils import timezone

from calls.models import Campaign, CampaignStatus
from reps_dashboard.background import cross_gym_task, enqueue, gym_task

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
