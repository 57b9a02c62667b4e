"""What is wrong with a CSV line, in words a person can act on (never the csv module's text)."""

import csv

CELL_LIMIT = csv.field_size_limit()


def csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {CELL_LIMIT // 1024} KB."
    if "new-line character" in str(exc):
        return "a line break inside a cell that is not quoted. Quote cells holding line breaks."
    return "the quoting is broken (a quote opened and never closed?). Export the sheet as CSV again."
