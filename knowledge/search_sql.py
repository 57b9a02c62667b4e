"""The PostgreSQL search document, created and used on PostgreSQL only.

``search_document`` is a stored generated ``tsvector`` column (question weighted A, answer B)
with a GIN index, plus a trigram GIN index on ``question``. A stored column rather than an
expression index because ranking reads the vector of every candidate row: recomputing
``to_tsvector`` per row made p95 ten times slower. The model does not declare the column (it
does not exist on SQLite); the selector reaches it through ``search_document()``.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db.models.expressions import RawSQL

CONFIG = "english"
TABLE = "knowledge_knowledgeentry"

CREATE_SQL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('{CONFIG}', coalesce(question, '')), 'A') ||
        setweight(to_tsvector('{CONFIG}', coalesce(answer, '')), 'B')) STORED""",
    f"CREATE INDEX kentry_search_document ON {TABLE} USING gin (search_document)",
    f"CREATE INDEX kentry_question_trgm ON {TABLE} USING gin (question gin_trgm_ops)",
]
DROP_SQL = [
    "DROP INDEX IF EXISTS kentry_question_trgm",
    "DROP INDEX IF EXISTS kentry_search_document",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_document",
]


def search_document():
    return RawSQL(f'"{TABLE}"."search_document"', [], output_field=SearchVectorField())
