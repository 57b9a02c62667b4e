"""Bounded import reports.

An import answers with the first ``MAX_LISTED`` errors, the number of errors per field and a CSV
of every failed row to download (the row number, the row as the file gave it, and what is wrong
with it), so a file full of bad rows costs a small answer and little memory: the CSV is written
row by row, gzip-compressed, into a temporary file that moves to disk past ``SPOOL_BYTES``.
"""

import csv
import gzip
import io
import tempfile
from collections import Counter

from django.http import StreamingHttpResponse

from .csvtext import neutralise

MAX_LISTED = 1000
# The answers' fields (documented once for the lead and the knowledge imports).
ERROR_COUNT_HELP = "Every error of the import, listed or not."
BY_FIELD_HELP = 'Errors per field ("file" for problems of the whole file).'
TRUNCATED_HELP = f"True when errors lists only the first {MAX_LISTED}."
ERRORS_CSV_HELP = ("Path of a CSV of every failed row (its number, its cells, what is wrong): fix it and import "
                   "it again. Null when no row failed.")
SPOOL_BYTES = 1 << 20
_CHUNK = 64 * 1024


class ErrorReport:
    def __init__(self, columns):
        self.listed, self.count, self.failed_rows, self.by_field = [], 0, 0, Counter()
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._gzip = gzip.GzipFile(fileobj=self._spool, mode="wb")
        self._text = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        self._writer = csv.writer(self._text)
        self._text.write("\ufeff")  # the BOM makes Excel read UTF-8
        self._writer.writerow(["row", *columns, "errors"])

    def add_file_error(self, message: str) -> None:
        """A problem of the whole file (no row): always listed, counted, no line in the CSV."""
        self.count += 1
        self.by_field["file"] += 1
        self.listed.append({"row": None, "field": None, "message": message})

    def add_row(self, *, row, problems, cells=()) -> None:
        """``problems``: ``[(field, message)]`` of one failed row; ``cells``: the row as read."""
        self.failed_rows += 1
        for field, message in problems:
            self._count(row, field, message)
        self._writer.writerow([row, *(neutralise(str(cell)) for cell in cells),
                               "; ".join(f"{field}: {message}" if field else message for field, message in problems)])

    def _count(self, row, field, message):
        self.count += 1
        self.by_field[field or "file"] += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append({"row": row, "field": field, "message": message})

    @property
    def truncated(self) -> bool:
        return self.count > len(self.listed)

    def summary(self) -> dict:
        return {"error_count": self.count, "errors_by_field": dict(self.by_field), "errors_truncated": self.truncated}

    def compressed_csv(self) -> bytes | None:
        """The gzip-compressed CSV of every failed row (None when no row failed). Ends the writing."""
        if not self._gzip.closed:
            self._text.flush()
            self._text.detach()
            self._gzip.close()
        if not self.failed_rows:
            return None
        self._spool.seek(0)
        return self._spool.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        """The temporary file goes, whether the import ended or failed."""
        self._spool.close()


def csv_download(compressed: bytes, *, file_name: str) -> StreamingHttpResponse:
    """A stored report's CSV, decompressed as it is sent."""

    def chunks():
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as source:
            while chunk := source.read(_CHUNK):
                yield chunk

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
