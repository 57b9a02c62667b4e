"""The leads' background work: large imports."""

from reps_dashboard.background import gym_task

from .import_jobs import lead_import_job_run


@gym_task()
def run_lead_import(*, gym, job_id):
    """Imports a queued lead import job (leads/import_jobs.py)."""
    return lead_import_job_run(gym=gym, job_id=job_id)
