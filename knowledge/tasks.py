"""The knowledge base's background work: URL imports (fetching a page never holds a web request) and
large file imports."""

from reps_dashboard.background import gym_task

from .services import import_file_run, import_url_run


@gym_task()
def run_url_import(*, gym, job_id):
    """Fetches and imports a pending URL import (knowledge.services.import_url_run)."""
    job = import_url_run(gym=gym, job_id=job_id)
    return f"job {job_id}: {job.status if job else 'already run'}"


@gym_task()
def run_file_import(*, gym, job_id):
    """Imports a pending large-file import (knowledge.services.import_file_run)."""
    job = import_file_run(gym=gym, job_id=job_id)
    return f"job {job_id}: {job.status if job else 'already run'}"
