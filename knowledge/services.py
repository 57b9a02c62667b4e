"""Knowledge writes: entries, sources and imports (URL and file), shared by API and command."""

import logging
from dataclasses import dataclass, field

from django.db import transaction

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


def import_url(*, gym, url: str, category: str, name: str = "", description: str = "") -> ImportJob:
    """Fetch ``url``, extract its FAQ and upsert the entries of the page's source. Never raises for
    a bad page: the job records why it failed."""
    job = ImportJob.objects.for_gym(gym).create(gym=gym, kind=ImportJob.Kind.URL, target=url[:2000],
                                                status=ImportStatus.PROCESSING)
    source = KnowledgeSource.objects.for_gym(gym).filter(type=SourceType.WEBSITE, url=url).order_by("created_at").first()
    if source is None:
        source = KnowledgeSource(gym=gym, type=SourceType.WEBSITE, url=url)
    source.name = name or source.name or url[:200]
    source.category = category
    source.description = description or source.description
    source.status = ImportStatus.PROCESSING
    source.save()
    job.source = source
    job.save(update_fields=["source", "updated_at"])
    try:
        page = fetch.fetch_html(url)
    except fetch.FetchError as exc:
        return _fail(job, str(exc), source)
    pairs = extract.extract_pairs(page.html)
    if not pairs:
        return _fail(job, "No questions and answers were found on the page (looked for schema.org FAQPage, "
                          "<details>/<summary>, <dl> lists and question headings followed by text).", source)
    items = [(position, {"question": q, "answer": a}) for position, (q, a) in enumerate(pairs, start=1)]
    return _run(job=job, source=source, items=items, default_category=category)


def import_file(*, gym, file_name: str, content: bytes, category: str, dry_run: bool = False,
                progress=None, report=None) -> ImportJob:
    """Import a CSV, JSON or Markdown file (see ``parsers``). ``ValueError`` for an unknown type
    (the caller's 400); a file that cannot be read fails the job. ``dry_run`` validates and counts
    everything and writes nothing (the job is not saved either)."""
    file_name = file_name.replace("\x00", "")  # the database cannot store NUL characters
    kind = parsers.file_format(file_name)
    if kind is None:
        raise ValueError("Unknown file type: upload a .csv, .json or .md (Markdown) file.")
    with transaction.atomic():
        job = ImportJob(gym=gym, kind=ImportJob.Kind.FILE, target=file_name[:2000], status=ImportStatus.PROCESSING)
        job.save()
        source = (KnowledgeSource.objects.for_gym(gym)
                  .filter(type=SourceType.DOC, name=file_name[:200], category=category, url="")
                  .order_by("created_at").first()) or KnowledgeSource(gym=gym, type=SourceType.DOC,
                                                                      name=file_name[:200], category=category)
        source.status = ImportStatus.PROCESSING
        source.save()
        job.source = source
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            job = _fail(job, "The file is not UTF-8 text.", source)
        else:
            try:
                items = parsers.parse(kind, text)
            except parsers.ImportFailed as exc:
                job = _fail(job, str(exc), source)
            else:
                if not items:
                    job = _fail(job, "The file holds no questions and answers.", source)
                elif len(items) > MAX_ITEMS:
                    job = _fail(job, f"The file holds {len(items)} items; import at most {MAX_ITEMS} at once.", source)
                else:
                    job = _run(job=job, source=source, items=items, default_category=category,
                               progress=progress, report=report)
        if dry_run:
            transaction.set_rollback(True)
    return job


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
