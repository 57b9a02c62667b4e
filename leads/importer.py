"""The lead import, shared by ``POST /api/leads/import`` and ``manage.py import_leads``.

Rows are read one at a time and written in batches (bulk inserts and updates), all in one
transaction: a crash, or a row that collides with a lead created meanwhile, imports nothing.
Every row ends up created, updated, skipped or failed with ``{row, field, message}`` errors.
After a bulk load (``ANALYZE_AFTER_ROWS`` rows or more) the leads table is analysed once the
transaction commits, so the planner's statistics know the new rows before the next list.
"""

import itertools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from reps_dashboard.errors import INVALID_ID
from reps_dashboard.import_report import ErrorReport
from tenants.models import Branch, Tag

from .activity import Actor
from .csvfile import CsvTable, ImportFileError
from .import_rows import clean_row, map_columns
from .models import (
    ActivityType,
    Lead,
    LeadActivity,
    LeadImportErrors,
    LeadStage,
    LeadStatus,
    LeadTag,
    stage_after,
)

BATCH_SIZE = 1000
ANALYZE_AFTER_ROWS = 1000
ON_DUPLICATE = ("skip", "update", "create")


@dataclass
class ImportResult:
    """The counts; ``errors``, the first ``MAX_LISTED``; ``summary``, the count of all errors and per
    field; ``errors_file``, every failed row as a CSV to download (None when no row failed)."""

    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    errors_file: LeadImportErrors | None = None


@dataclass
class RowOutcome:
    """One row's fate, for the command's per-row report."""

    row: int
    action: str  # created, updated, skipped, failed
    name: str
    messages: list = field(default_factory=list)


def lead_import(*, gym, actor: Actor, file, file_name: str = "", branch=None, on_duplicate: str = "skip",
                dry_run: bool = False, progress=None, report=None) -> ImportResult:
    """Import the CSV in the binary ``file`` into ``gym`` (leads go to ``branch``).

    ``on_duplicate`` decides for a row whose phone is already a lead, in the gym or earlier in
    the file: ``skip`` it, ``update`` that lead with the row's non-empty cells, or ``create``,
    which only creates and reports the row as failed. ``dry_run`` does everything, then rolls
    back. ``progress(rows, bytes_read, bytes_total)`` follows each batch; ``report(RowOutcome)``
    each row. Raises ``ImportFileError`` when the file as a whole is unusable.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {', '.join(ON_DUPLICATE)}.")
    if branch is not None and branch.gym_id != gym.pk:
        raise ValidationError({"branch_id": [INVALID_ID]})
    table = CsvTable(file)
    try:
        columns = map_columns(table.header)
    except ImportFileError:
        table.close()
        raise
    with ErrorReport(table.header) as errors:
        run = _Run(gym=gym, actor=actor, file_name=file_name or "a CSV file", branch=branch, columns=columns,
                   on_duplicate=on_duplicate, report=report, errors=errors)
        try:
            _import_rows(run, table, gym=gym, branch=branch, dry_run=dry_run, progress=progress)
        finally:
            table.close()  # also when the import stopped before reading a row
        return _with_errors(run, gym)


def _import_rows(run, table, *, gym, branch, dry_run, progress):
    with transaction.atomic():
        if branch is not None:
            _hold(gym, branch)
        rows = table.rows()
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            run.process(batch)
            reset_queries()  # with DEBUG on, the log of bulk statements would grow with the file
            if progress:
                progress(run.result.total, table.position(), table.size)
        if run.result.total == 0:
            raise ImportFileError("The file holds no leads: only the header row was found.")
        if dry_run:
            transaction.set_rollback(True)
        elif run.result.created + run.result.updated >= ANALYZE_AFTER_ROWS:
            transaction.on_commit(analyze_leads)


def _hold(gym, branch):
    """The branch stays until the import ends: a delete waits for this lock (the one a foreign key
    check takes), then finds the imported leads and is refused (409). A branch deleted before the
    import took the lock is a 400, never a failed commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Branch._meta.db_table} WHERE id = %s FOR KEY SHARE", [str(branch.pk)])
            found = cursor.fetchone() is not None
    else:  # SQLite writes one transaction at a time: no delete can run meanwhile
        found = Branch.objects.for_gym(gym).filter(pk=branch.pk).exists()
    if not found:
        raise ValidationError({"branch_id": ["The branch was deleted. Choose another branch."]})


def _with_errors(run, gym) -> ImportResult:
    """The bounded report; the CSV of failed rows is kept (a dry run's too: fix, then import)."""
    result, errors = run.result, run.errors
    result.errors, result.summary = errors.listed, errors.summary()
    compressed = errors.compressed_csv()
    if compressed is not None:
        result.errors_file = LeadImportErrors.objects.for_gym(gym).create(
            gym=gym, file_name=run.file_name[:200], failed_rows=errors.failed_rows, csv_gzip=compressed)
    return result


def analyze_leads():
    """Fresh planner statistics for the leads table (PostgreSQL). It takes the table's owner, or on
    PostgreSQL 17 the MAINTAIN privilege: for any other role PostgreSQL skips it with a warning and
    autovacuum analyses the table later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Lead._meta.db_table}")


class _Run:
    def __init__(self, *, gym, actor, file_name, branch, columns, on_duplicate, report, errors):
        self.gym, self.actor, self.file_name, self.branch = gym, actor, file_name, branch
        self.columns, self.on_duplicate, self.report, self.errors = columns, on_duplicate, report, errors
        self.result = ImportResult()
        self.first_row_of = {}  # phone -> the row that first used it in this file
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.for_gym(gym)}

    def process(self, batch):
        cleaned = [(row, cells, *clean_row(cells, self.columns, country=self.gym.country)) for row, cells in batch]
        phones = {values["phone"] for _, _, values, _, problems in cleaned if not problems}
        known = {lead.phone: lead for lead in Lead.objects.for_gym(self.gym).filter(phone__in=phones)}
        state = _Batch()
        for row, cells, values, tag_names, problems in cleaned:  # in file order, so the report reads top-down
            self.result.total += 1
            if problems:
                self._fail(row, cells, values, problems)
            else:
                self._place(row, cells, values, tag_names, known, state)
        self._write(state)

    def _place(self, row, cells, values, tag_names, known, state):
        phone = values["phone"]
        earlier_row = self.first_row_of.setdefault(phone, row)
        lead = state.new.get(phone) or known.get(phone)
        if lead is None:
            lead = Lead(gym=self.gym, branch=self.branch, **values)
            lead.stage_reached = stage_after(LeadStage.NEW, lead.status)
            state.new[phone] = lead
            state.link(lead, tag_names)
            state.activity(lead, row, "created", [])
            self._done(row, "created", values)
            return
        where = (f"row {earlier_row} of this file has the same phone" if earlier_row != row
                 else f"lead {lead.pk} already has this phone")
        if self.on_duplicate == "skip":
            self._done(row, "skipped", values, [f"Skipped: {where}."])
        elif self.on_duplicate == "create":
            self._fail(row, cells, values, [("phone", f"Not created: {where}.")])
        else:
            changed = _apply(lead, values)
            if phone not in state.new:
                state.changed.setdefault(phone, (lead, set()))[1].update(changed)
            state.link(lead, tag_names)
            state.activity(lead, row, "updated", changed)
            self._done(row, "updated", values)

    def _write(self, state):
        now = timezone.now()
        Lead.all_gyms.bulk_create(state.new.values(), batch_size=BATCH_SIZE)
        for fields in {frozenset(fields) for _, fields in state.changed.values() if fields}:
            leads = [lead for lead, changed in state.changed.values() if changed == fields]
            for lead in leads:
                lead.updated_at = now
            stage = ["stage_reached"] if "status" in fields else []
            Lead.all_gyms.bulk_update(leads, [*sorted(fields), *stage, "updated_at"], batch_size=BATCH_SIZE)
        links = [LeadTag(gym=self.gym, lead=lead, tag=self._tag(name)) for lead, names in state.links for name in names]
        LeadTag.all_gyms.bulk_create(links, ignore_conflicts=True, batch_size=BATCH_SIZE)
        LeadActivity.all_gyms.bulk_create([
            LeadActivity(gym=self.gym, lead=lead, type=ActivityType.IMPORTED, actor_type=self.actor.type,
                         actor_user=self.actor.user, actor_name=self.actor.name[:200],
                         description=_description(self.file_name, row, action, changed)[:500],
                         data={"file": self.file_name[:200], "row": row, "action": action, "fields": changed})
            for lead, row, action, changed in state.activities
        ], batch_size=BATCH_SIZE)

    def _tag(self, name):
        key = name.casefold()
        if key not in self.tags:
            self.tags[key] = Tag.objects.for_gym(self.gym).create(gym=self.gym, name=name)
        return self.tags[key]

    def _done(self, row, action, values, messages=()):
        setattr(self.result, action, getattr(self.result, action) + 1)
        if self.report:
            self.report(RowOutcome(row, action, _name(values), list(messages)))

    def _fail(self, row, cells, values, problems):
        self.result.failed += 1
        self.errors.add_row(row=row, problems=problems, cells=cells)
        if self.report:
            self.report(RowOutcome(row, "failed", _name(values), [f"{name}: {message}" for name, message in problems]))


class _Batch:
    """What one batch will write."""

    def __init__(self):
        self.new = {}  # phone -> Lead to insert
        self.changed = {}  # phone -> (existing Lead, changed field names)
        self.links = []  # (Lead, tag names)
        self.activities = []  # (Lead, row, action, changed fields)

    def link(self, lead, tag_names):
        if tag_names:
            self.links.append((lead, tag_names))

    def activity(self, lead, row, action, changed):
        self.activities.append((lead, row, action, sorted(changed)))


def _apply(lead, values):
    """The row's non-empty cells onto the lead; the names of the fields that changed."""
    changed = set()
    for name, value in values.items():
        if getattr(lead, name) != value:
            setattr(lead, name, value)
            changed.add(name)
    if "status" in changed:
        lead.stage_reached = stage_after(lead.stage_reached, lead.status)
    if lead.status != LeadStatus.LOST and lead.lost_reason:
        lead.lost_reason = ""
        changed.add("lost_reason")
    return changed


def _name(values):
    return f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()


def _description(file_name, row, action, changed):
    if action == "created":
        return f"Imported from {file_name}, row {row}"
    fields = ", ".join(changed) if changed else "no field changed"
    return f"Updated by the import of {file_name}, row {row} ({fields})"
