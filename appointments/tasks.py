"""The show-rate ladder on beat: what ``manage.py run_showrate`` runs, every few minutes, without cron."""

from django.utils import timezone

from reps_dashboard.background import cross_gym_task, enqueue, gym_task

from .showrate.selectors import gyms_with_ladder_on
from .showrate.services import showrate_run


@gym_task()
def run_gym_showrate(*, gym):
    """Queues the gym's due confirmation and no-show recall calls (idempotent: see showrate.services)."""
    run = showrate_run(gym=gym, now=timezone.now())
    return f"{len(run.confirmations)} confirmation and {len(run.recalls)} recall calls queued"


@cross_gym_task(reason="show-rate ladder: every gym with confirmation or recall calls turned on")
def run_showrate():
    """Sends ``run_gym_showrate`` for each gym that turned the ladder on."""
    gym_ids = list(gyms_with_ladder_on().order_by("id").values_list("id", flat=True))
    for gym_id in gym_ids:
        enqueue(run_gym_showrate, gym_id=str(gym_id))
    return f"{len(gym_ids)} gyms with the ladder on"
