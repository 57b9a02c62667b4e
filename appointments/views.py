from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads.activity import Actor
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.tallied import TalliedListMixin
from tenants.api.viewsets import GymScopedModelViewSet
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES
from tenants.selectors import branch_get

from . import availability as slots
from . import selectors, services
from .filters import AppointmentFilterSet
from .models import Appointment, AppointmentTally
from .serializers import (
    AppointmentCreateSerializer,
    AppointmentDetailSerializer,
    AppointmentSerializer,
    AppointmentUpdateSerializer,
    AvailabilityParamsSerializer,
    AvailabilitySerializer,
    RescheduleSerializer,
    StatusResultSerializer,
    StatusSerializer,
)
from .showrate.selectors import appointments_needing_outcome

TAG = ["appointments"]


@extend_schema_view(
    list=extend_schema(tags=TAG, summary="List appointments"),
    retrieve=extend_schema(tags=TAG, responses=AppointmentDetailSerializer),
    create=extend_schema(tags=TAG, request=AppointmentCreateSerializer, responses={201: AppointmentDetailSerializer},
                         summary="Book an appointment (409 on an overlap of the lead or the staff member)"),
    update=extend_schema(tags=TAG, request=AppointmentUpdateSerializer, responses=AppointmentDetailSerializer),
    partial_update=extend_schema(tags=TAG, request=AppointmentUpdateSerializer, responses=AppointmentDetailSerializer),
    destroy=extend_schema(tags=TAG),
)
class AppointmentViewSet(TalliedListMixin, GymScopedModelViewSet):
    """Appointments of the caller's gym. Times without an offset are read in the branch's
    timezone; responses give ``date`` and ``end_time`` with the branch's offset. Overlapping
    active appointments of one lead or one staff member are refused (409)."""

    model = Appointment
    serializer_class = AppointmentSerializer
    # The list's total from the appointment tally when filtered on nothing else (reps_dashboard/tally.py).
    tally_model = AppointmentTally
    tally_filters = {"branch_id": ("branch_key", "id"), "status": ("status", "in"), "type": ("type", "in")}
    tally_actions = ("list", "branch")
    filterset_class = AppointmentFilterSet
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES  # agents book, update and move appointments
    delete_roles = ADMIN_MANAGER
    sort_fields = {"date": "date", "created_at": "created_at", "status": "status"}
    default_sort = "date"
    # /api/appointments/{id} must not swallow /upcoming, /availability, /branch/...
    lookup_value_regex = UUID_PATTERN

    def scope_queryset(self, queryset):
        if self.action in ("list", "upcoming", "branch", "needs_outcome"):
            return selectors.list_rows(queryset)
        return queryset.select_related("lead", "branch", "created_by")

    def _actor(self):
        return Actor.for_user(self.request.user)

    def _list(self, queryset):
        page = self.paginate_queryset(self.filter_queryset(queryset))
        return self.get_paginated_response(AppointmentSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(AppointmentDetailSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        params = AppointmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        appointment = services.appointment_book(
            gym=self.gym, actor=self._actor(), lead=data["lead_id"], type=data["type"], start=data["date"],
            duration=data["duration"], branch=data.get("branch_id"), staff=data.get("staff_id"),
            status=data["status"], notes=data["notes"])
        return Response(AppointmentDetailSerializer(appointment).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        params = AppointmentUpdateSerializer(self.get_object(), data=request.data, partial=True,
                                             context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        appointment = services.appointment_update(appointment=params.instance, actor=self._actor(), **params.changes())
        return Response(AppointmentDetailSerializer(appointment).data)

    def perform_destroy(self, instance):
        services.appointment_delete(appointment=instance)

    @extend_schema(tags=TAG, summary="Change an appointment's status (lifecycle; 409 otherwise)",
                   request=StatusSerializer, responses=StatusResultSerializer)
    @action(detail=True, methods=["put", "patch"], url_path="status")
    def set_status(self, request, pk=None):
        params = StatusSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        appointment = services.appointment_set_status(appointment=self.get_object(), actor=self._actor(),
                                                      status=params.validated_data["status"])
        return Response(StatusResultSerializer(appointment).data)

    @extend_schema(tags=TAG, summary="Move to a new time: this one becomes rescheduled, the new one is returned",
                   request=RescheduleSerializer, responses={201: AppointmentDetailSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        params = RescheduleSerializer(self.get_object(), data=request.data)
        params.is_valid(raise_exception=True)
        new = services.appointment_reschedule(appointment=params.instance, actor=self._actor(),
                                              start=params.validated_data["date"],
                                              duration=params.validated_data.get("duration"))
        return Response(AppointmentDetailSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAG, summary="Upcoming appointments (scheduled or confirmed, from now on)",
                   responses=AppointmentSerializer(many=True))
    @action(detail=False, methods=["get"])
    def upcoming(self, request):
        return self._list(selectors.upcoming(self.get_queryset()))

    @extend_schema(tags=TAG, summary="Appointments that need an outcome: still scheduled or confirmed after their "
                   "local day ended (staff say whether the lead came)", responses=AppointmentSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="needs-outcome")
    def needs_outcome(self, request):
        return self._list(appointments_needing_outcome(self.get_queryset(), gym=self.gym, now=timezone.now()))

    @extend_schema(tags=TAG, summary="Appointments of one branch", responses=AppointmentSerializer(many=True),
                   parameters=[OpenApiParameter("branch_id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
    @action(detail=False, methods=["get"], url_path=rf"branch/(?P<branch_id>{UUID_PATTERN})")
    def branch(self, request, branch_id=None):
        branch = branch_get(gym=self.gym, branch_id=branch_id)
        self.path_filters = {"branch_id": branch}
        return self._list(self.get_queryset().filter(branch=branch))

    @extend_schema(tags=TAG, summary="Free slots of a branch on a day, within its opening hours",
                   parameters=[AvailabilityParamsSerializer], responses=AvailabilitySerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request):
        params = AvailabilityParamsSerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        day = slots.availability(branch=data["branch_id"], day=data["date"], duration=data["duration"],
                                        staff=data.get("staff_id"))
        return Response(AvailabilitySerializer(day).data)
