"""Rules every entry obeys, whether typed in the API or read from an import."""

from .models import (
    ANSWER_MAX,
    ANSWER_MIN,
    PRIORITY_MAX,
    PRIORITY_MIN,
    QUESTION_MAX,
    QUESTION_MIN,
    KnowledgeCategory,
)

CATEGORY_HELP = ", ".join(KnowledgeCategory.values)


def clean_item(raw: dict, *, default_category: str):
    """``raw`` (question, answer, optional category and priority) -> (clean dict, [(field, message)])."""
    errors = []
    question = " ".join(_text(raw, "question", errors).split())
    answer = _text(raw, "answer", errors).strip()
    if len(question) < QUESTION_MIN:
        errors.append(("question", f"The question must have at least {QUESTION_MIN} characters."))
    elif len(question) > QUESTION_MAX:
        errors.append(("question", f"The question must have at most {QUESTION_MAX} characters."))
    if len(answer) < ANSWER_MIN:
        errors.append(("answer", f"The answer must have at least {ANSWER_MIN} characters."))
    elif len(answer) > ANSWER_MAX:
        errors.append(("answer", f"The answer must have at most {ANSWER_MAX} characters."))
    category = _text(raw, "category", errors).strip().lower() or default_category
    if category not in KnowledgeCategory.values:
        errors.append(("category", f'Unknown category "{category}"; use one of {CATEGORY_HELP}.'))
    priority = raw.get("priority")
    if priority in (None, ""):
        priority = 0
    else:
        try:
            if isinstance(priority, (dict, list)):
                raise ValueError
            priority = int(str(priority).strip())
        except ValueError:
            priority = None
        if priority is None or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            errors.append(("priority", f"The priority must be a whole number from {PRIORITY_MIN} to {PRIORITY_MAX}."))
    return {"question": question, "answer": answer, "category": category, "priority": priority}, errors


def _text(raw: dict, name: str, errors: list) -> str:
    """The item's field as text: a number is read as its digits; a list or an object (a JSON
    import) and NUL characters (which the database cannot store) are errors."""
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        errors.append((name, f"The {name} must be text, not a list or an object."))
        return ""
    text = str(value)
    if "\x00" in text:
        errors.append((name, f"The {name} contains a NUL character (binary data)."))
        return text.replace("\x00", "")
    return text
