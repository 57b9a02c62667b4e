"""CSV text shared by imports and exports: what is wrong with a line, in words a person can act on
(never the csv module's text), and cells neutralised against spreadsheet formulas."""

import csv

CELL_LIMIT = csv.field_size_limit()
# Cells a spreadsheet would run as a formula get a leading apostrophe; the lead import removes it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {CELL_LIMIT // 1024} KB."
    if "new-line character" in str(exc):
        return "a line break inside a cell that is not quoted. Quote cells holding line breaks."
    return "the quoting is broken (a quote opened and never closed?). Export the sheet as CSV again."


def neutralise(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
