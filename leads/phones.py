"""Phone numbers: every lead phone is stored as E.164, read for the gym's country.

One function for every writer (API, import, admin, the voice agent) and every lookup, so that
"(415) 555-0142", "415.555.0142" and "+1 415 555 0142" are the same lead.
"""

import re

import phonenumbers

# The contract's input shape, plus dots, which exports from other CRMs use ("415.555.0142").
_SHAPE = re.compile(r"^\+?[0-9\-\(\)\s.]{8,20}$")


class InvalidPhoneNumber(ValueError):
    """The message is meant for a person (an API error or an import report)."""


def normalize_phone(raw: str, country: str) -> str:
    """``raw`` as E.164 (``+14155550142``); a number without ``+`` is read as a number of
    ``country`` (ISO 3166 alpha-2). Raises ``InvalidPhoneNumber``."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("A phone number is required.")
    if not _SHAPE.match(text):
        raise InvalidPhoneNumber(
            f'"{text[:40]}" is not a phone number: use 8 to 20 digits, spaces, dashes or brackets, '
            "optionally starting with +.")
    try:
        number = phonenumbers.parse(text, country or "US")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(f'"{text}" is not a phone number.')
    if not phonenumbers.is_valid_number(number):
        where = "" if text.startswith("+") else f" in {country or 'US'} (add the country code, e.g. +44)"
        raise InvalidPhoneNumber(f'"{text}" is not a valid phone number{where}.')
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")
