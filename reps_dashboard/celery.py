"""The Celery app: background work (docs/background-work.md).

One command runs a worker with the scheduler embedded (``celery -A reps_dashboard worker --beat``,
``make worker``); production runs workers and one beat as separate processes. Every task is declared
with ``reps_dashboard.background.gym_task`` or ``cross_gym_task`` (a convention test refuses any other),
so it runs inside a gym's scope or inside the audited all-gyms bypass, like a request.
"""

import os
from datetime import timedelta

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

app = Celery("reps_dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _periodic_jobs(sender, **kwargs):
    """The beat schedule, from settings so a deployment can slow or speed a job; and the folders of
    the file-system broker (the first-run default) and of beat's schedule file, which kombu and beat
    do not create themselves."""
    from django.conf import settings

    for folder in (settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""),
                   settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("control_folder", ""),
                   os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME)):  # beat's file, whatever the broker
        if folder:
            os.makedirs(folder, exist_ok=True)
    sender.conf.beat_schedule = {
        "dial-due-calls": {"task": "calls.tasks.dial_due_calls",
                           "schedule": timedelta(seconds=settings.DIALER_INTERVAL_SECONDS)},
        "run-campaigns": {"task": "voice.tasks.run_campaigns",
                          "schedule": timedelta(seconds=settings.CAMPAIGNS_INTERVAL_SECONDS)},
        "reconcile-calls": {"task": "voice.tasks.reconcile_calls",
                            "schedule": timedelta(seconds=settings.RECONCILE_INTERVAL_SECONDS)},
        "run-showrate": {"task": "appointments.tasks.run_showrate",
                         "schedule": timedelta(seconds=settings.SHOWRATE_INTERVAL_SECONDS)},
    }
