"""Import files -> question/answer items: CSV, JSON and Markdown.

Each parser returns a list of ``(row, raw_item)``; ``row`` is what a person looking at the file
would call the item (the spreadsheet line for CSV, the 1-based position for JSON, the heading's
line for Markdown). A file that cannot be read at all raises ``ImportFailed``.
"""

import csv
import io
import json
import re

from reps_dashboard.csvtext import csv_problem


class ImportFailed(Exception):
    """The whole import failed; the message is shown to the operator."""


FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown"}


def file_format(file_name: str):
    name = (file_name or "").lower()
    for suffix, kind in FORMATS.items():
        if name.endswith(suffix):
            return kind
    return None


def parse(kind: str, text: str):
    return {"csv": parse_csv, "json": parse_json, "markdown": parse_markdown}[kind](text)


def parse_csv(text):
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_items(reader)
    except csv.Error as exc:
        raise ImportFailed(f"Line {reader.line_num} of the CSV cannot be read: {csv_problem(exc)}")


def _csv_items(reader):
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ("question", "answer") if name not in header]
    if missing:
        raise ImportFailed(f"The CSV header must name the columns question and answer (optional: category, "
                           f"priority); missing: {', '.join(missing)}.")
    reader.fieldnames = header
    items = []
    for row in reader:
        if not any((value or "").strip() for key, value in row.items() if key and isinstance(value, str)):
            continue  # blank line
        items.append((reader.line_num, {k: row.get(k) for k in ("question", "answer", "category", "priority")}))
    return items


def parse_json(text):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"The file is not valid JSON (the error is at line {exc.lineno}, column {exc.colno}).")
    except RecursionError:
        raise ImportFailed("The JSON is nested too deeply: use a list of objects such as "
                           '{"question": "...", "answer": "..."}.')
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
    if not isinstance(data, list):
        raise ImportFailed('The JSON must be a list of objects such as {"question": "...", "answer": "..."}.')
    items = []
    for position, item in enumerate(data, start=1):
        items.append((position, item if isinstance(item, dict) else {"question": None, "answer": None}))
    return items


# Markdown: the few rules an FAQ needs, in linear time. Headings and links are found with string
# scans (``str.find``), not regular expressions: the heading pattern this replaced backtracked
# polynomially on a line of spaces, and a link pattern re-scans the text from every "[". A full
# Markdown parser in pure Python (markdown-it-py) is linear too but costs 10-40 microseconds per
# character of adversarial input, over a minute for a file at the upload limit.
_MARKERS = re.compile(r"\*\*|__|\*|_|`")  # fixed alternatives: linear
_FENCES = ("```", "~~~")


def _heading(line):
    """``title`` when the line is an ATX heading (``# ...`` to ``###### ...``), else None."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3:
        return None
    level = len(body) - len(body.lstrip("#"))
    rest = body[level:]
    if not 1 <= level <= 6 or (rest and rest[0] not in " \t"):
        return None
    return rest.strip().rstrip("#").rstrip()


def _without_links(text):
    """``[label](url)`` and ``![alt](url)`` -> the label; one pass over the text."""
    out, i = [], 0
    while (start := text.find("[", i)) != -1:
        end = text.find("]", start)
        if end == -1:
            break  # no label closes after here
        if text.startswith("(", end + 1):
            close = text.find(")", end + 2)
            if close == -1:
                break  # no link target closes after here
            out.append(text[i:start - 1] if start and text[start - 1] == "!" else text[i:start])
            out.append(text[start + 1:end])
            i = close + 1
        else:
            out.append(text[i:end + 1])
            i = end + 1
    out.append(text[i:])
    return "".join(out)


def _plain(markdown_text):
    return _MARKERS.sub("", _without_links(markdown_text)).strip()


def parse_markdown(text):
    """A heading per question; the text under it (to the next heading) is its answer. A heading
    with nothing under it (a title or a section name) is not an item. Lines inside fenced code
    blocks are never headings."""
    items, current, lines, fence = [], None, [], None

    def flush():
        if current is not None:
            answer = "\n".join(lines).strip()
            if answer:
                items.append((current[0], {"question": _plain(current[1]), "answer": _plain(answer)}))

    for number, line in enumerate(text.splitlines(), start=1):
        marker = line.lstrip(" ")[:3]
        if fence is None and marker in _FENCES:
            fence = marker
        elif fence is not None and marker == fence:
            fence = None
        title = _heading(line) if fence is None else None
        if title is not None:
            flush()
            current, lines = (number, title), []
        elif current is not None:
            lines.append(line)
    flush()
    return items
