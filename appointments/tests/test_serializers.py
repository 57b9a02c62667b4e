"""The hand-written appointment rows must say exactly what DRF's declared fields say."""

import datetime as dt

import pytest
from rest_framework import serializers

from appointments.models import Appointment
from appointments.serializers import AppointmentDetailSerializer, AppointmentSerializer
from tenants.tests.factories import BranchFactory, UserFactory

from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def drf_path(serializer_class, appointment):
    return serializers.ModelSerializer.to_representation(serializer_class(), appointment)


@pytest.fixture
def varied(gym, branch, admin_user):
    utc_branch = BranchFactory(gym=gym, timezone="UTC")
    tokyo = BranchFactory(gym=gym, timezone="Asia/Tokyo")
    first = AppointmentFactory(gym=gym, branch=tokyo, staff=UserFactory(gym=gym, branch=tokyo), created_by=admin_user,
                               notes="Bring shoes\\nand water", reminder_sent=True,
                               date=dt.datetime(2026, 3, 8, 6, 30, 15, 250000, tzinfo=dt.UTC))
    AppointmentFactory(gym=gym, branch=utc_branch, staff=None, created_by=None, rescheduled_from=first,
                       status="confirmed", type="consultation", duration=45)
    AppointmentFactory(gym=gym, branch=branch, date=dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC))  # DST day
    return list(Appointment.objects.for_gym(gym).select_related("lead", "branch", "created_by").order_by("date"))


@pytest.mark.parametrize("serializer_class", [AppointmentSerializer, AppointmentDetailSerializer])
def test_representation_matches_the_declared_fields(varied, serializer_class):
    for appointment in varied:
        fast, generic = serializer_class(appointment).data, drf_path(serializer_class, appointment)
        assert fast == generic
        assert list(fast) == list(generic)


def test_offsets_are_the_branchs_and_utc_is_z(varied):
    rows = {a.branch.timezone: AppointmentSerializer(a).data for a in varied}
    assert rows["Asia/Tokyo"]["date"] == "2026-03-08T15:30:15.250000+09:00"
    assert rows["UTC"]["date"].endswith("Z")
