"""The hand-written lead representation must say exactly what DRF's declared fields say."""

import datetime as dt

import pytest
from rest_framework import serializers

from leads.models import Lead, LeadTag
from leads.selectors import lead_detail, lead_with_extras
from leads.serializers import LeadDetailSerializer, LeadSerializer
from tenants.tests.factories import TagFactory, UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def drf_path(serializer_class, lead):
    return serializers.ModelSerializer.to_representation(serializer_class(), lead)


@pytest.fixture
def varied(gym, branch):
    tags = [TagFactory(gym=gym, name=name) for name in ("VIP", "Hot")]
    full = LeadFactory(gym=gym, branch=branch, assigned_to=UserFactory(gym=gym, branch=branch), score=0.25,
                       status="lost", lost_reason="Too far", do_not_call=True, notes="Line 1\nLine 2")
    Lead.all_gyms.filter(pk=full.pk).update(call_count=3, last_called=dt.datetime(2026, 3, 1, 9, 30, 15, 123456,
                                                                                  tzinfo=dt.UTC))
    LeadTag.objects.for_gym(gym).bulk_create([LeadTag(gym=gym, lead=full, tag=tag) for tag in tags])
    bare = LeadFactory(gym=gym, branch=None, email="", score=None)
    return [full, bare]


def test_list_representation_matches_the_declared_fields(gym, varied):
    leads = list(lead_with_extras(Lead.objects.for_gym(gym)).order_by("created_at"))
    leads[0].appointment_date = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    for lead in leads:
        fast, generic = LeadSerializer(lead).data, drf_path(LeadSerializer, lead)
        assert fast == generic
        assert list(fast) == list(generic)
    assert LeadSerializer(leads[0]).data["last_called"] == "2026-03-01T09:30:15.123456Z"


def test_detail_representation_matches_the_declared_fields(gym, varied):
    for lead in varied:
        detail = lead_detail(gym=gym, lead_id=lead.pk)
        assert LeadDetailSerializer(detail).data == drf_path(LeadDetailSerializer, detail)
