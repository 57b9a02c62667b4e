"""The PostgreSQL search expressions, shared by the selector and the migration that indexes them:
the planner uses an expression index only when the query spells the very same expression."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector

CONFIG = "english"


def search_vector():
    """Question weighted A, answer B."""
    return SearchVector("question", weight="A", config=CONFIG) + SearchVector("answer", weight="B", config=CONFIG)


def postgres_indexes():
    return [
        GinIndex(search_vector(), name="kentry_search_vector"),
        GinIndex(OpClass("question", name="gin_trgm_ops"), name="kentry_question_trgm"),
    ]
