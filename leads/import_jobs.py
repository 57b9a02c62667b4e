"""Lead imports as jobs: a file over ``LEAD_IMPORT_INLINE_MAX_ROWS`` rows is imported by a worker.

``POST /api/leads/import`` answers a small file inline, as it always did; a large one is stored in a
``LeadImportJob`` and answered ``202`` at once, and a worker imports it (``leads.tasks.run_lead_import``)
with the same importer, in one transaction. ``GET /api/leads/import/{id}`` follows it: its status
(pending, processing, completed, failed), ``progress {processed, total}`` and, once done, the same
report as an inline import. Running a job twice imports it once: a job is claimed under a row lock,
and a finished one is left alone.
"""

import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from knowledge.models import ImportStatus
from reps_dashboard.background import enqueue

from .activity import Actor
from .csvfile import ImportFileError
from .importer import ImportResult, lead_import
from .models import LeadImportJob

logger = logging.getLogger(__name__)

_PROGRESS_KEY = "lead-import-progress:{}"
_PROGRESS_TTL_SECONDS = 24 * 60 * 60


def estimated_rows(content: bytes) -> int:
    """Lead rows in a CSV, counted from its lines (a quoted cell spanning lines counts twice)."""
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def lead_import_start(*, gym, user, file, file_name: str, branch=None, on_duplicate: str = "skip",
                      dry_run: bool = False) -> ImportResult | LeadImportJob:
    """Imports a small file at once (its ``ImportResult``), or queues a job for a large one."""
    content = file.read()
    if estimated_rows(content) <= settings.LEAD_IMPORT_INLINE_MAX_ROWS:
        return lead_import(gym=gym, actor=Actor.for_user(user), file=io.BytesIO(content), file_name=file_name,
                           branch=branch, on_duplicate=on_duplicate, dry_run=dry_run)
    job = LeadImportJob.objects.create(gym=gym, file_name=file_name[:255], content=content, branch=branch,
                                       on_duplicate=on_duplicate, dry_run=dry_run, created_by=user,
                                       total=estimated_rows(content))
    from .tasks import run_lead_import  # the task module imports this one

    enqueue(run_lead_import, gym_id=str(gym.pk), job_id=str(job.pk))
    return job


def lead_import_job_run(*, gym, job_id) -> str:
    """Runs the job (idempotent: a job done, or being run by another worker, is left alone)."""
    jobs = LeadImportJob.objects.for_gym(gym)
    jobs.filter(pk=job_id, status=ImportStatus.PENDING).update(status=ImportStatus.PROCESSING,
                                                               updated_at=timezone.now())
    with transaction.atomic():
        job = jobs.filter(pk=job_id, status=ImportStatus.PROCESSING).select_for_update(skip_locked=True).first()
        if job is None:
            return f"job {job_id}: already done or being run"
        _run(gym, job)
        job.content, job.finished_at = b"", timezone.now()
        job.save()
    cache.delete(_PROGRESS_KEY.format(job.pk))
    return f"job {job.pk}: {job.status}"


def _run(gym, job):
    actor = Actor.for_user(job.created_by) if job.created_by else Actor.system("Lead import")

    def progress(rows, _bytes_read, _bytes_total):
        cache.set(_PROGRESS_KEY.format(job.pk), rows, _PROGRESS_TTL_SECONDS)

    try:
        with transaction.atomic():
            result = lead_import(gym=gym, actor=actor, file=io.BytesIO(bytes(job.content)), file_name=job.file_name,
                                 branch=job.branch, on_duplicate=job.on_duplicate, dry_run=job.dry_run,
                                 progress=progress)
    except (OperationalError, InterfaceError):
        raise  # the database is unreachable: the task retries the whole job
    except (ImportFileError, ValidationError) as exc:
        job.status, job.error = ImportStatus.FAILED, "; ".join(getattr(exc, "messages", None) or [str(exc)])
    except Exception as exc:  # noqa: BLE001 - whatever broke, staff must see the job failed, not pending forever
        logger.exception("lead import job %s for gym %s broke", job.pk, gym.pk,
                         extra={"gym_id": str(gym.pk), "outcome": "failed"})
        job.status, job.error = ImportStatus.FAILED, f"The import stopped on an unexpected error ({type(exc).__name__})."
    else:
        job.status, job.result = ImportStatus.COMPLETED, stored_report(result)
        job.total = job.processed = result.total


def stored_report(result: ImportResult) -> dict:
    """The report as the job keeps it (JSON): counts, the listed errors, the summary and the id of
    the CSV of failed rows (the API answers its path)."""
    return {"total": result.total, "created": result.created, "updated": result.updated, "skipped": result.skipped,
            "failed": result.failed, "errors": result.errors, **result.summary,
            "errors_file_id": str(result.errors_file.pk) if result.errors_file else None}


def job_progress(job: LeadImportJob) -> dict:
    """``{processed, total}``: while the job runs, the rows read so far (the worker's transaction is
    not visible yet, so it reports them through the cache)."""
    if job.status == ImportStatus.PROCESSING:
        processed = cache.get(_PROGRESS_KEY.format(job.pk)) or 0
        return {"processed": processed, "total": max(job.total, processed)}
    return {"processed": job.processed, "total": job.total}
