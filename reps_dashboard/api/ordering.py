from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


def _nullable(view, field):
    model = getattr(view, "model", None)
    if not isinstance(field, str) or model is None:
        return True
    try:
        return model._meta.get_field(field).null
    except FieldDoesNotExist:
        return True


def _ordered(view, field, descending):
    expression = F(field) if isinstance(field, str) else field
    if getattr(view, "sort_nulls", "last") == "mirrored":
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    nulls_last = True if _nullable(view, field) else None
    return expression.desc(nulls_last=nulls_last) if descending else expression.asc(nulls_last=nulls_last)


class SortByFilter(BaseFilterBackend):
    """``sort_by`` / ``sort_order`` against the view's whitelist.

    The view declares ``sort_fields`` (public name -> model expression or field name) and
    ``default_sort`` (e.g. ``"-created_at"``). Every ordering ends with ``id`` so pages are stable.

    Empty values (NULL) sort last in both directions, and a NOT NULL column gets no NULLS clause:
    with one, PostgreSQL could not read a descending order from a plain ascending index (a full
    sort of the table). A view may declare ``sort_nulls = "mirrored"``: ascending is then the exact
    mirror of descending (``DESC NULLS LAST`` / ``ASC NULLS FIRST``, on every field), so one
    ``(gym, <field> DESC NULLS LAST, id DESC)`` index, scanned forwards or backwards, serves both
    directions; PostgreSQL uses an index only when its NULLS placement matches the ORDER BY.
    """

    def filter_queryset(self, request, queryset, view):
        sort_fields = getattr(view, "sort_fields", None)
        if sort_fields is None:
            return queryset
        sort_by = request.query_params.get("sort_by")
        sort_order = request.query_params.get("sort_order")
        if sort_order is not None and sort_order not in ("asc", "desc"):
            raise ValidationError({"sort_order": ['Must be "asc" or "desc".']})
        if sort_by is None:
            default = getattr(view, "default_sort", "-created_at")
            descending = default.startswith("-")
            sort_by = default.lstrip("-")
            if sort_order is not None:
                descending = sort_order == "desc"
        else:
            if sort_by not in sort_fields:
                allowed = ", ".join(sorted(sort_fields))
                raise ValidationError({"sort_by": [f'Unknown field "{sort_by}". Sort by one of: {allowed}.']})
            descending = sort_order == "desc"
        tiebreak = "-id" if descending else "id"
        return queryset.order_by(_ordered(view, sort_fields[sort_by], descending), tiebreak)

    def get_schema_operation_parameters(self, view):
        sort_fields = getattr(view, "sort_fields", None)
        if not sort_fields:
            return []
        return [
            {"name": "sort_by", "in": "query", "required": False,
             "description": f"Sort field; default {getattr(view, 'default_sort', '-created_at')}.",
             "schema": {"type": "string", "enum": sorted(sort_fields)}},
            {"name": "sort_order", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["asc", "desc"]}},
        ]
