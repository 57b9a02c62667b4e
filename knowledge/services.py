"""Knowledge writes: entries, sources and imports (URL and file), shared by API and command."""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from reps_dashboard.background import enqueue
from reps_dashboard.import_report import ErrorReport

from . import extract, fetch, parsers
from .models import ImportJob, ImportStatus, KnowledgeEntry, KnowledgeSource, SourceType
from .text import question_key
from .validation import clean_item

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5000
ITEM_COLUMNS = ["question", "answer", "category", "priority"]


# --- entries and sources ---------------------------------------------------------------


def entry_create(*, gym, **fields) -> KnowledgeEntry:
    entry = KnowledgeEntry(gym=gym, **fields)
    entry.save()
    return entry


def entry_update(*, entry: KnowledgeEntry, **fields) -> KnowledgeEntry:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    return entry


def source_create(*, gym, **fields) -> KnowledgeSource:
    # A source typed in by hand has nothing to import: it is ready at once.
    return KnowledgeSource.objects.for_gym(gym).create(gym=gym, status=ImportStatus.COMPLETED, **fields)


@transaction.atomic
def source_delete(*, source: KnowledgeSource, delete_entries: bool) -> None:
    entries = KnowledgeEntry.objects.for_gym(source.gym).filter(source=source)
    if delete_entries:
        entries.delete()
    else:
        entries.update(source=None)
    source.delete()


# --- imports ---------------------------------------------------------------------------


@dataclass
class ItemReport:
    row: int | None
    action: str  # created, updated, failed
    question: str = ""
    errors: list = field(default_factory=list)


def _error(row, field_name, message):
    return {"row": row, "field": field_name, "message": message}


def _fail(job, message, source=None):
    job.status = ImportStatus.FAILED
    job.errors = [*job.errors, _error(None, None, message)]
    job.error_count += 1
    job.errors_by_field = {**job.errors_by_field, "file": job.errors_by_field.get("file", 0) + 1}
    job.save()
    if source is not None and source.pk:
        source.status = ImportStatus.FAILED
        source.save(update_fields=["status", "updated_at"])
    return job


def import_url_queue(*, gym, url: str, category: str, name: str = "", description: str = "") -> ImportJob:
    """Records a pending import of ``url`` (the job, and the page's source) and has a worker fetch it
    once the transaction commits (``knowledge.tasks.run_url_import``): fetching a page never holds a
    web request."""
    from .tasks import run_url_import  # the task module imports this one

    job = ImportJob.objects.for_gym(gym).create(gym=gym, kind=ImportJob.Kind.URL, target=url[:2000],
                                                status=ImportStatus.PENDING)
    source = KnowledgeSource.objects.for_gym(gym).filter(type=SourceType.WEBSITE, url=url).order_by("created_at").first()
    if source is None:
        source = KnowledgeSource(gym=gym, type=SourceType.WEBSITE, url=url)
    source.name = name or source.name or url[:200]
    source.category = category
    source.description = description or source.description
    source.status = ImportStatus.PENDING
    source.save()
    job.source = source
    job.save(update_fields=["source", "updated_at"])
    enqueue(run_url_import, gym_id=str(gym.pk), job_id=str(job.pk))
    return job


def import_url_run(*, gym, job_id) -> ImportJob | None:
    """Fetches the page of a pending URL import, extracts its FAQ and upserts the entries of the
    page's source. Never raises for a bad page: the job records why it failed. None when the job is
    no longer pending (it ran already: a task delivered twice imports once)."""
    claimed = (ImportJob.objects.for_gym(gym).filter(pk=job_id, status=ImportStatus.PENDING)
               .update(status=ImportStatus.PROCESSING))
    if not claimed:
        return None
    job = ImportJob.objects.for_gym(gym).select_related("source").get(pk=job_id)
    source = job.source
    source.status = ImportStatus.PROCESSING
    source.save(update_fields=["status", "updated_at"])
    try:
        page = fetch.fetch_html(job.target)
    except fetch.FetchError as exc:
        return _fail(job, str(exc), source)
    pairs = extract.extract_pairs(page.html)
    if not pairs:
        return _fail(job, "No questions and answers were found on the page (looked for schema.org FAQPage, "
                          "<details>/<summary>, <dl> lists and question headings followed by text).", source)
    items = [(position, {"question": q, "answer": a}) for position, (q, a) in enumerate(pairs, start=1)]
    return _run(job=job, source=source, items=items, default_category=source.category)


def import_file(*, gym, file_name: str, content: bytes, category: str, dry_run: bool = False,
                progress=None, report=None) -> ImportJob:
    """Import a CSV, JSON or Markdown file (see ``parsers``). ``ValueError`` for an unknown type
    (the caller's 400); a file that cannot be read fails the job. ``dry_run`` validates and counts
    everything and writes nothing (the job is not saved either)."""
    file_name = _safe_name(file_name)
    kind = _file_kind(file_name)
    with transaction.atomic():
        job, source = _file_job(gym, file_name, category, ImportStatus.PROCESSING)
        job = _import_content(job, source, kind, content, category, progress=progress, report=report)
        if dry_run:
            transaction.set_rollback(True)
    return job


def import_file_queue(*, gym, file_name: str, content: bytes, category: str) -> ImportJob:
    """A large file: records a pending job holding the file and has a worker import it once the
    transaction commits (``knowledge.tasks.run_file_import``). ``ValueError`` for an unknown type."""
    from .tasks import run_file_import  # the task module imports this one

    file_name = _safe_name(file_name)
    _file_kind(file_name)
    job, _source = _file_job(gym, file_name, category, ImportStatus.PENDING, content=content)
    enqueue(run_file_import, gym_id=str(gym.pk), job_id=str(job.pk))
    return job


def import_file_run(*, gym, job_id) -> ImportJob | None:
    """Imports a pending file job; None when it is no longer pending (a task delivered twice)."""
    with transaction.atomic():
        job = (ImportJob.objects.for_gym(gym).select_related("source").select_for_update(skip_locked=True, of=("self",))
               .filter(pk=job_id, status=ImportStatus.PENDING).first())
        if job is None:
            return None
        job.status = ImportStatus.PROCESSING
        content, job.content = bytes(job.content), b""  # the file is dropped once imported
        return _import_content(job, job.source, _file_kind(job.target), content, job.source.category)


def _safe_name(file_name):
    return file_name.replace("\x00", "")  # the database cannot store NUL characters


def _file_kind(file_name):
    kind = parsers.file_format(file_name)
    if kind is None:
        raise ValueError("Unknown file type: upload a .csv, .json or .md (Markdown) file.")
    return kind


def _file_job(gym, file_name, category, status, content=b""):
    job = ImportJob(gym=gym, kind=ImportJob.Kind.FILE, target=file_name[:2000], status=status, content=content)
    job.save()
    source = (KnowledgeSource.objects.for_gym(gym)
              .filter(type=SourceType.DOC, name=file_name[:200], category=category, url="")
              .order_by("created_at").first()) or KnowledgeSource(gym=gym, type=SourceType.DOC,
                                                                  name=file_name[:200], category=category)
    source.status = status
    source.save()
    job.source = source
    job.save(update_fields=["source", "updated_at"])
    return job, source


def _import_content(job, source, kind, content, category, progress=None, report=None):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _fail(job, "The file is not UTF-8 text.", source)
    try:
        items = parsers.parse(kind, text)
    except parsers.ImportFailed as exc:
        return _fail(job, str(exc), source)
    if not items:
        return _fail(job, "The file holds no questions and answers.", source)
    if len(items) > MAX_ITEMS:
        return _fail(job, f"The file holds {len(items)} items; import at most {MAX_ITEMS} at once.", source)
    return _run(job=job, source=source, items=items, default_category=category, progress=progress, report=report)


def _run(*, job, source, items, default_category, progress=None, report=None) -> ImportJob:
    """Validate every item and upsert it into ``source`` (matched on the normalised question)."""
    gym = job.gym
    job.total = len(items)
    existing = {entry.question_key: entry for entry in KnowledgeEntry.objects.for_gym(gym).filter(source=source)}
    with ErrorReport(ITEM_COLUMNS) as errors:
        _upsert_items(job, source, items, existing=existing, errors=errors, default_category=default_category,
                      progress=progress, report=report)
        succeeded = job.created + job.updated
        if not succeeded:
            errors.add_file_error("No item could be imported; see the errors above.")
        job.errors, job.error_count, job.errors_by_field = errors.listed, errors.count, dict(errors.by_field)
        job.errors_csv_gzip = errors.compressed_csv()
    job.status = ImportStatus.COMPLETED if succeeded else ImportStatus.FAILED
    job.save()
    source.status = job.status
    source.save(update_fields=["status", "updated_at"])
    return job


def _upsert_items(job, source, items, *, existing, errors, default_category, progress, report):
    gym, seen = job.gym, set()
    with transaction.atomic():
        for done, (row, raw) in enumerate(items, start=1):
            clean, problems = clean_item(raw, default_category=default_category)
            key = question_key(clean["question"])
            if not problems and key in seen:
                problems = [("question", "The same question appears earlier in this import.")]
            if problems:
                job.failed += 1
                errors.add_row(row=row, problems=problems, cells=[clean[name] for name in ITEM_COLUMNS])
                if report:
                    report(ItemReport(row, "failed", clean["question"], [m for _, m in problems]))
            else:
                seen.add(key)
                action = _upsert(gym, source, existing.get(key), clean)
                setattr(job, action, getattr(job, action) + 1)
                if report:
                    report(ItemReport(row, action, clean["question"]))
            if progress:
                progress(done, job.total)


def _upsert(gym, source, entry, clean) -> str:
    if entry is None:
        KnowledgeEntry(gym=gym, source=source, **clean).save()
        return "created"
    for name, value in clean.items():
        setattr(entry, name, value)
    entry.save()
    return "updated"
