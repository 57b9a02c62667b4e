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
    question = " ".join(str(raw.get("question") or "").split())
    answer = str(raw.get("answer") or "").strip()
    if len(question) < QUESTION_MIN:
        errors.append(("question", f"The question must have at least {QUESTION_MIN} characters."))
    elif len(question) > QUESTION_MAX:
        errors.append(("question", f"The question must have at most {QUESTION_MAX} characters."))
    if len(answer) < ANSWER_MIN:
        errors.append(("answer", f"The answer must have at least {ANSWER_MIN} characters."))
    elif len(answer) > ANSWER_MAX:
        errors.append(("answer", f"The answer must have at most {ANSWER_MAX} characters."))
    category = str(raw.get("category") or "").strip().lower() or default_category
    if category not in KnowledgeCategory.values:
        errors.append(("category", f'Unknown category "{category}"; use one of {CATEGORY_HELP}.'))
    priority = raw.get("priority")
    if priority in (None, ""):
        priority = 0
    else:
        try:
            priority = int(str(priority).strip())
        except ValueError:
            priority = None
        if priority is None or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            errors.append(("priority", f"The priority must be a whole number from {PRIORITY_MIN} to {PRIORITY_MAX}."))
    return {"question": question, "answer": answer, "category": category, "priority": priority}, errors
