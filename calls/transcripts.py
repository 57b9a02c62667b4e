"""Call transcripts: always stored and returned as turns ``{speaker, text, timestamp}``.

They arrive either as such a list (the voice platform's structured transcript) or as plain text
with one ``Agent:`` / ``User:`` / ``Customer:`` / ``System:`` prefixed line per turn, where lines
without a prefix continue the previous turn.
"""

import math
import re

SPEAKERS = ("agent", "customer", "system")
PREFIXES = {"agent": "agent", "user": "customer", "customer": "customer", "system": "system"}
MAX_TURNS = 5000
MAX_TEXT = 20_000

_PREFIX = re.compile(r"^\s*(agent|user|customer|system)\s*:\s?(.*)$", re.IGNORECASE)


class TranscriptError(ValueError):
    """The transcript cannot be read; the message says why, for a person."""


def parse_transcript(value):
    """Turns for ``value`` (a list of turns, plain text, or None/"" for no transcript)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_text(value) if value.strip() else None
    if isinstance(value, list):
        return _check_turns(value)
    raise TranscriptError("Send a list of {speaker, text, timestamp} turns or plain text with "
                          "'Agent:' / 'User:' prefixed lines.")


def _parse_text(text):
    turns = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _PREFIX.match(line)
        if match:
            turns.append({"speaker": PREFIXES[match.group(1).lower()], "text": match.group(2).strip(),
                          "timestamp": None})
        elif not line.strip():
            continue
        elif turns:
            turns[-1]["text"] = f"{turns[-1]['text']}\n{line.strip()}".strip()
        else:
            raise TranscriptError(f"Line {number} does not start with 'Agent:', 'User:', 'Customer:' or 'System:'.")
    return _check_turns(turns)


def _check_turns(turns):
    if len(turns) > MAX_TURNS:
        raise TranscriptError(f"A transcript has at most {MAX_TURNS} turns.")
    clean = []
    for position, turn in enumerate(turns):
        where = f"Turn {position}"
        if not isinstance(turn, dict):
            raise TranscriptError(f"{where}: expected an object {{speaker, text, timestamp}}.")
        speaker = turn.get("speaker")
        if speaker not in SPEAKERS:
            raise TranscriptError(f"{where}: speaker must be one of {', '.join(SPEAKERS)} (got {str(speaker)[:30]!r}).")
        text = turn.get("text")
        if not isinstance(text, str):
            raise TranscriptError(f"{where}: text must be a string.")
        if len(text) > MAX_TEXT:
            raise TranscriptError(f"{where}: text is longer than {MAX_TEXT} characters.")
        timestamp = turn.get("timestamp")
        if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, int | float)
                                      or not math.isfinite(timestamp) or timestamp < 0):
            raise TranscriptError(f"{where}: timestamp must be seconds from the call's start (>= 0) or null.")
        clean.append({"speaker": speaker, "text": text, "timestamp": timestamp})
    return clean
