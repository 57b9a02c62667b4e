"""Import files -> question/answer items: CSV, JSON and Markdown.

Each parser returns a list of ``(row, raw_item)``; ``row`` is what a person looking at the file
would call the item (the spreadsheet line for CSV, the 1-based position for JSON, the heading's
line for Markdown). A file that cannot be read at all raises ``ImportFailed``.
"""

import csv
import io
import json
import re


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
        raise ImportFailed(f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).")
    if isinstance(data, dict) and isinstance(data.get("entries"), list):
        data = data["entries"]
    if not isinstance(data, list):
        raise ImportFailed('The JSON must be a list of objects such as {"question": "...", "answer": "..."}.')
    items = []
    for position, item in enumerate(data, start=1):
        items.append((position, item if isinstance(item, dict) else {"question": None, "answer": None}))
    return items


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def _plain(markdown_text):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)  # links and images: keep the label
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    return text.strip()


def parse_markdown(text):
    """A heading per question; the text under it (to the next heading) is its answer. A heading
    with nothing under it (a title or a section name) is not an item."""
    items, current, lines = [], None, []

    def flush():
        if current is not None:
            answer = "\n".join(lines).strip()
            if answer:
                items.append((current[0], {"question": _plain(current[1]), "answer": _plain(answer)}))

    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADING.match(line)
        if match:
            flush()
            current, lines = (number, match.group(2)), []
        elif current is not None:
            lines.append(line)
    flush()
    return items
