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


class SortByFilter(BaseFilterBackend):
    """``sort_by`` / ``sort_order`` against the view's whitelist.

    The view declares ``sort_fields`` (public name -> model expression or field name) and
    ``default_sort`` (e.g. ``"-created_at"``). Every ordering ends with ``id`` so pages are stable.
    Views may declare ``sort_nulls_last`` for fields whose empty values should sort last.
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
        field = sort_fields[sort_by]
        expression = F(field) if isinstance(field, str) else field
        nulls_last = sort_by in getattr(view, "sort_nulls_last", ())
        if descending:
            # NULLS LAST on a NOT NULL column changes no result but stops PostgreSQL from reading
            # the order from a plain DESC index (which is NULLS FIRST): a full sort of the table.
            ordered = expression.desc(nulls_last=True if nulls_last or _nullable(view, field) else None)
        else:
            ordered = expression.asc(nulls_last=nulls_last or None)
        tiebreak = "-id" if descending else "id"
        return queryset.order_by(ordered, tiebreak)

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
