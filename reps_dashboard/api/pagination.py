import math

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=10**9, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)


def parse_page_params(query_params):
    params = PageParams(data={k: query_params[k] for k in ("page", "limit") if k in query_params})
    params.is_valid(raise_exception=True)
    return params.validated_data["page"], params.validated_data["limit"]


class PageLimitPagination(BasePagination):
    """The contract's list envelope: ``{"data": [...], "pagination": {total, page, limit, pages}}``.

    ``page`` >= 1 and ``limit`` in 1..100 (default 10); anything else is a 400. A page past the
    end is an empty ``data``. The view's ordering must end with a unique key (SortByFilter
    guarantees it), so pages never repeat or skip rows.
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.page, self.limit = parse_page_params(request.query_params)
        self.total = self.count(queryset, view)
        offset = (self.page - 1) * self.limit
        if offset >= self.total:
            return []
        return list(queryset[offset : offset + self.limit])

    def count(self, queryset, view=None):
        """The exact total: from the view's tally when it can answer (``TalliedListMixin``),
        else ``COUNT(*)``."""
        tallied = view.tally_total() if hasattr(view, "tally_total") else None
        return tallied if tallied is not None else queryset.count()

    def get_paginated_response(self, data):
        return Response({"data": data, "pagination": self.pagination_dict()})

    def pagination_dict(self):
        return {
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "pages": max(1, math.ceil(self.total / self.limit)),
        }

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {
                "data": schema,
                "pagination": {
                    "type": "object",
                    "required": ["total", "page", "limit", "pages"],
                    "properties": {
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                        "pages": {"type": "integer", "minimum": 1},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "page", "in": "query", "required": False, "description": "Page number, from 1.",
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
            {"name": "limit", "in": "query", "required": False, "description": "Rows per page, 1..100.",
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
        ]
