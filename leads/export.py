"""The lead CSV export, streamed: rows are read in chunks and written as they come, so memory
stays flat whatever the number of leads. Used by ``GET /api/leads/export`` and the admin action.

Cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) get a leading apostrophe; the lead import removes it again.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

from reps_dashboard.csvtext import neutralise
from tenants.scope import in_current_scope

CHUNK_SIZE = 2000
# Column names are the API's field names, so an export can be imported again.
COLUMNS = ["id", "first_name", "last_name", "phone", "email", "status", "source", "notes", "interest",
           "interest_location", "branch_id", "branch_name", "assigned_to_id", "score", "call_count", "last_called",
           "appointment_date", "do_not_call", "lost_reason", "last_conversation_summary", "tags", "created_at",
           "updated_at"]


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value):
        return value


def _cell(value, tz):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "astimezone"):
        return value.astimezone(tz).isoformat()
    return neutralise(str(value))


def _row(lead, tz):
    values = {
        "branch_name": lead.branch.name if lead.branch_id else None,
        "tags": "; ".join(tag.name for tag in lead.tags.all()),
    }
    return [_cell(values[name] if name in values else getattr(lead, name), tz) for name in COLUMNS]


def export_lines(leads, tz):
    """The CSV, line by line: the header, then one line per lead of ``leads`` (a queryset
    prepared by ``selectors.lead_with_extras``, in its order); datetimes in ``tz``."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # the BOM makes Excel read UTF-8
    for lead in leads.iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(_row(lead, tz))


def export_response(leads, *, tz, name="leads"):
    stamp = timezone.now().astimezone(tz).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(in_current_scope(export_lines(leads, tz)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
