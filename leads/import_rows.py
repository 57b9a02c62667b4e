"""What an import row means: lenient column names and enum spellings, one row's validation.

Column headers match whatever their spelling ("First Name", "first_name", "FIRST NAME", "Surname");
enum values match their value, label or a common alias ("Walk In", "walk-in" -> ``walk_in``).
A row yields the values it gives (empty cells are left out) or ``(field, message)`` problems.
"""

import re

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenants.models import Tag

from .csvfile import ImportFileError
from .models import LeadSource, LeadStatus
from .phones import InvalidPhoneNumber, normalize_phone

REQUIRED = ("first_name", "last_name", "phone")
_ALIASES = {
    "first_name": ["first_name", "firstname", "first", "given_name", "forename"],
    "last_name": ["last_name", "lastname", "last", "surname", "family_name"],
    "phone": ["phone", "phone_number", "phonenumber", "mobile", "mobile_phone", "cell", "cell_phone", "telephone",
              "tel"],
    "email": ["email", "e_mail", "email_address"],
    "status": ["status", "lead_status"],
    "source": ["source", "lead_source"],
    "notes": ["notes", "note", "comments", "comment"],
    "interest": ["interest", "interests", "interested_in"],
    "interest_location": ["interest_location", "preferred_location"],
    "tags": ["tags", "tag", "labels"],
    "score": ["score", "lead_score"],
    "do_not_call": ["do_not_call", "dnc"],
    "lost_reason": ["lost_reason"],
}
_COLUMN = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_MAX_LENGTH = {"first_name": 100, "last_name": 100, "email": 254, "notes": 10_000, "interest": 200,
               "interest_location": 200, "lost_reason": 500}
_SOURCE_ALIASES = {"walkin": "walk_in", "web": "website", "online": "website", "web_form": "website",
                   "facebook": "social", "instagram": "social", "tiktok": "social", "social_media": "social",
                   "call": "phone", "phone_call": "phone", "inbound_call": "phone", "member_referral": "referral"}
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"0", "false", "no", "n"}
# Cells our export neutralised against formula injection ('=..., '+1...): the apostrophe goes.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
_TAG_SEPARATORS = re.compile(r"[;,|]")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def map_columns(header: list[str]) -> dict[str, int]:
    """Field -> column index. Unknown columns are ignored; a missing required column or two
    columns meaning the same field make the file unusable."""
    columns = {}
    for index, title in enumerate(header):
        field = _COLUMN.get(_key(title))
        if field is None:
            continue
        if field in columns:
            raise ImportFileError(f'Two columns mean {field}: "{header[columns[field]]}" and "{title}". Keep one.')
        columns[field] = index
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        found = ", ".join(f'"{title}"' for title in header if title.strip()) or "none"
        raise ImportFileError(f"Missing required column(s): {', '.join(missing)}. Columns found: {found}.")
    return columns


def _choice(raw, choices, aliases=None):
    key = _key(raw)
    for value, label in choices:
        if key in (value, _key(label)):
            return value
    return (aliases or {}).get(key)


def clean_row(cells: list[str], columns: dict[str, int], *, country: str):
    """``(values, tag_names, problems)`` for one row."""
    raw, problems = {}, []
    for field, index in columns.items():
        value = cells[index].strip() if index < len(cells) else ""
        if "\x00" in value:  # binary data (the database cannot store it); never echoed back
            problems.append((field, "Contains a NUL character (binary data). Export the sheet as CSV again."))
            continue
        value = _NEUTRALISED.sub("", value)
        if value:
            raw[field] = value
    values = {}
    for field in REQUIRED:
        if field not in raw and not any(name == field for name, _ in problems):
            problems.append((field, f"{field.replace('_', ' ').capitalize()} is required."))
    for field, limit in _MAX_LENGTH.items():
        if field in raw:
            if len(raw[field]) > limit:
                problems.append((field, f"At most {limit} characters (this one has {len(raw[field])})."))
            else:
                values[field] = raw[field]
    if "phone" in raw:
        try:
            values["phone"] = normalize_phone(raw["phone"], country)
        except InvalidPhoneNumber as exc:
            problems.append(("phone", str(exc)))
    if "email" in values:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(("email", f'"{values.pop("email")[:60]}" is not a valid email address.'))
        else:
            values["email"] = BaseUserManager.normalize_email(values["email"])  # as the API stores it
    for field, choices, aliases in (("status", LeadStatus.choices, None),
                                    ("source", LeadSource.choices, _SOURCE_ALIASES)):
        if field in raw:
            value = _choice(raw[field], choices, aliases)
            if value is None:
                allowed = ", ".join(value for value, _ in choices)
                problems.append((field, f'Unknown {field} "{raw[field][:40]}"; use one of {allowed}.'))
            else:
                values[field] = value
    if "score" in raw:
        score = _score(raw["score"])
        if score is None:
            problems.append(("score", f'Score must be a number from 0 to 1 (or a percentage), not "{raw["score"][:20]}".'))
        else:
            values["score"] = score
    if "do_not_call" in raw:
        flag = raw["do_not_call"].lower()
        if flag not in _TRUE | _FALSE:
            problems.append(("do_not_call", f'Use yes or no, not "{raw["do_not_call"][:20]}".'))
        else:
            values["do_not_call"] = flag in _TRUE
    tag_names = _tag_names(raw.get("tags", ""), problems)
    return values, tag_names, problems


def _score(text):
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


def _tag_names(text, problems):
    names = {}
    for name in (part.strip() for part in _TAG_SEPARATORS.split(text)):
        if not name:
            continue
        if len(name) > Tag._meta.get_field("name").max_length:
            problems.append(("tags", f'Tag "{name[:20]}..." is longer than 50 characters.'))
        else:
            names.setdefault(name.casefold(), name)
    return list(names.values())
