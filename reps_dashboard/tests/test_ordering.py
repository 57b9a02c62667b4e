"""Where empty values sort (``SortByFilter``): one rule, one option, the SQL PostgreSQL's indexes need."""

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from appointments.views import AppointmentViewSet
from calls.views import CallViewSet, CampaignViewSet
from leads.views import LeadViewSet
from reps_dashboard.api.ordering import SortByFilter


def order_by(view_class, sort_by, sort_order):
    request = Request(APIRequestFactory().get("/", {"sort_by": sort_by, "sort_order": sort_order}))
    queryset = SortByFilter().filter_queryset(request, view_class.model._base_manager.all(), view_class())
    return str(queryset.query).split("ORDER BY")[1].strip()


@pytest.mark.parametrize("view_class,field,order,clause", [
    (LeadViewSet, "last_called", "desc", "DESC NULLS LAST"),  # nullable: empty values last...
    (LeadViewSet, "last_called", "asc", "ASC NULLS LAST"),  # ...in both directions
    (LeadViewSet, "updated_at", "desc", "DESC,"),  # NOT NULL: no NULLS clause, a plain index serves it
    (AppointmentViewSet, "date", "desc", "DESC,"),
    (AppointmentViewSet, "date", "asc", "ASC,"),
    (CallViewSet, "start_time", "desc", "DESC NULLS LAST"),  # mirrored: one index, both directions
    (CallViewSet, "start_time", "asc", "ASC NULLS FIRST"),
    (CallViewSet, "created_at", "asc", "ASC NULLS FIRST"),  # mirrored even when NOT NULL: the index's order
    (CampaignViewSet, "name", "desc", "DESC NULLS LAST"),
])
def test_nulls_placement(view_class, field, order, clause):
    sql = order_by(view_class, field, order)
    assert sql.split('"')[3] == field and sql.split('"', 4)[4].startswith(f" {clause}"), sql
    assert sql.endswith(f'"id" {order.upper()}'), sql  # the unique tie-breaker, same direction
