"""The hand-written call list row must say exactly what DRF's declared fields say."""

import datetime as dt

import pytest
from rest_framework import serializers

from calls.selectors import call_list
from calls.serializers import CallSerializer

from .factories import CallFactory, CampaignFactory

pytestmark = pytest.mark.django_db


def test_list_representation_matches_the_declared_fields(gym, branch):
    CallFactory(gym=gym, campaign=CampaignFactory(gym=gym), outcome="appointment_booked", sentiment="positive",
                start_time=dt.datetime(2026, 3, 8, 6, 30, 15, 250000, tzinfo=dt.UTC),
                end_time=dt.datetime(2026, 3, 8, 6, 32, tzinfo=dt.UTC), summary="Booked a tour", notes="Línea 1\n🏋️",
                recording_url="https://example.com/r.mp3", external_call_id="call_1", handled_by="staff")
    CallFactory(gym=gym, status="queued", start_time=None, duration=None, branch=None,
                scheduled_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), direction="inbound")
    calls = list(call_list(gym=gym).order_by("created_at"))
    assert len(calls) == 2
    for call in calls:
        fast = CallSerializer(call).data
        generic = serializers.ModelSerializer.to_representation(CallSerializer(), call)
        assert fast == generic
        assert list(fast) == list(generic)
    assert CallSerializer(calls[0]).data["start_time"] == "2026-03-08T06:30:15.250000Z"
