"""The one spelling of a login name, used to store it, look it up and count its failures.

Unicode compatibility-normalised (NFKC: the long s "ſ" is "s", the Kelvin sign "K" is "K") and
case-folded, then normalised again (case folding can leave a non-normalised sequence). Emails are
stored in this form, logins are looked up with exact equality on it (never the database's
case-insensitive match, whose rules differ), and lockout counters are keyed on it, so every
spelling that reaches an account shares that account's counters.
"""

import unicodedata


def canonical_email(value: str) -> str:
    folded = unicodedata.normalize("NFKC", (value or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)
