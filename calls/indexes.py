from django.db import models
from django.db.models import F, OrderBy


class SortIndex(models.Index):
    """An index whose key parts may say ``DESC NULLS LAST``, which PostgreSQL needs to serve an
    ORDER BY that says so. SQLite refuses NULLS in an index and needs none: it already puts NULLs
    last when descending (and first when ascending), so there the clause is dropped."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "sqlite":
            plain = self.clone()
            plain.expressions = tuple(
                OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
                for e in self.expressions)
            return super(SortIndex, plain).create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def sort_index(*parts, name, **kwargs):
    """``(parts..., col DESC NULLS LAST ..., id DESC)`` for the last part(s) given as ``"-col"``:
    exactly the ORDER BY of a descending sort and, scanned backwards, of the ascending one
    (see calls.ordering)."""
    keys = [F(part[1:]).desc(nulls_last=True) if part.startswith("-") else part for part in parts]
    return SortIndex(*keys, F("id").desc(), name=name, **kwargs)
