"""Text normalisation shared by models, imports and the SQLite search fallback (no Django here)."""

import re

_NON_WORD = re.compile(r"[^\w]+")
QUESTION_KEY_MAX = 500


def question_key(question: str) -> str:
    """The normalised form re-imports match on: case, spacing and punctuation ignored."""
    return " ".join(_NON_WORD.sub(" ", question.casefold()).split())[:QUESTION_KEY_MAX]
