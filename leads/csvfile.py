"""Reading a CSV the way people really save them, row by row without loading the file.

UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), or Windows-1252 (Excel
on Windows); comma, semicolon or tab delimiters; Windows, Unix or old Mac line endings; newlines
inside quoted cells. Row numbers are the ones a spreadsheet shows: the header is row 1, and every
record (blank ones included) takes one row, however many lines its quoted cells span.
"""

import codecs
import csv
import io

from reps_dashboard.csvtext import csv_problem

_CHUNK = 1 << 20
_DELIMITERS = (",", ";", "\t")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message is for a person."""


def _detect_encoding(binary) -> str:
    binary.seek(0)
    if binary.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    binary.seek(0)
    decoders = {"utf-8-sig": codecs.getincrementaldecoder("utf-8-sig")(),
                "cp1252": codecs.getincrementaldecoder("cp1252")()}
    empty = True
    while chunk := binary.read(_CHUNK):
        empty = False
        if b"\x00" in chunk:
            raise ImportFileError("This is not a CSV file: it contains binary data. Export the sheet as CSV.")
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
    if empty:
        raise ImportFileError("The file is empty.")
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    # UTF-8 first: Windows-1252 decodes almost any byte sequence, so it is the fallback.
    for name in ("utf-8-sig", "cp1252"):
        if name in decoders:
            return name
    raise ImportFileError("The file is neither UTF-8 nor Windows-1252 text. Save it as \"CSV UTF-8\".")


class CsvTable:
    """``header`` (the cells of row 1) and ``rows()``: ``(row_number, cells)`` of the records
    after it. ``position()``/``size`` give the progress in bytes."""

    def __init__(self, binary):
        self._binary = binary
        self.encoding = _detect_encoding(binary)
        self.size = binary.seek(0, io.SEEK_END)
        binary.seek(0)
        self._text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
        try:
            first_line = self._text.readline()
        except UnicodeDecodeError:  # UTF-16 without its pairs, etc.
            raise ImportFileError("The file's text cannot be decoded. Save it as \"CSV UTF-8\".")
        self.delimiter = max(_DELIMITERS, key=first_line.count) if first_line.strip() else ","
        try:
            self.header = next(csv.reader([first_line], delimiter=self.delimiter), [])
        except csv.Error as exc:
            self.close()
            raise ImportFileError(f"The header row cannot be read: {csv_problem(exc)}")
        if not any(cell.strip() for cell in self.header):
            self.close()
            raise ImportFileError("The first row must name the columns (first_name, last_name, phone...).")

    def rows(self):
        reader = csv.reader(self._text, delimiter=self.delimiter)
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except csv.Error as exc:
            raise ImportFileError(f"Row {number + 1} cannot be read: {csv_problem(exc)}")
        except UnicodeDecodeError:
            raise ImportFileError(f"Row {number + 1} cannot be decoded as {self.encoding}.")
        finally:
            self.close()

    def position(self) -> int:
        return self._binary.tell()

    def close(self):
        """Done reading; the caller's file stays open (closing the wrapper would close it)."""
        if self._text is not None:
            self._text.detach()
            self._text = None
