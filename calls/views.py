from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads.activity import Actor
from reps_dashboard.api.dates import parse_range
from reps_dashboard.api.pagination import PageLimitPagination
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.tallied import TalliedListMixin
from tenants.api.viewsets import GymScopedModelViewSet
from tenants.middleware import commit_despite_error
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES

from . import dialing, selectors, services
from .filters import DATE_FILTERS, CallFilterSet, CampaignFilterSet
from .models import Call, CallTally, Campaign
from .ordering import requested_sort
from .pagination import CallPagination
from .schema import CampaignSchema
from .serializers import (
    LEAD_IDS_SCHEMA,
    CallCreateSerializer,
    CallDetailSerializer,
    CallNoteCreatedSerializer,
    CallNoteSerializer,
    CallNoteWriteSerializer,
    CallOutcomeResultSerializer,
    CallOutcomeSerializer,
    CallSerializer,
    CallUpdateSerializer,
    CampaignSerializer,
    DialFailedSerializer,
    leads_from_body,
)


@extend_schema_view(
    list=extend_schema(tags=["calls"], summary="List calls", responses=CallSerializer),
    create=extend_schema(tags=["calls"], summary="Log a call, or queue an outbound call ({lead_id} alone)",
                         description="With a voice platform connected (issue 8, docs/voice-agent.md), an outbound "
                                     "call queued for now is placed at once.",
                         request=CallCreateSerializer,
                         responses={201: CallDetailSerializer,
                                    502: OpenApiResponse(DialFailedSerializer, "The voice platform refused or did "
                                                         "not answer; the call is kept, as failed")}),
    retrieve=extend_schema(tags=["calls"], responses=CallDetailSerializer),
    update=extend_schema(tags=["calls"], summary="Update a call (partial, like PATCH)", request=CallUpdateSerializer,
                         responses=CallDetailSerializer),
    partial_update=extend_schema(tags=["calls"], request=CallUpdateSerializer, responses=CallDetailSerializer),
    destroy=extend_schema(tags=["calls"], summary="Delete a call (manager, admin)"),
)
class CallViewSet(TalliedListMixin, GymScopedModelViewSet):
    """Calls with the gym's leads, placed or answered by the AI voice agent or by staff."""

    model = Call
    tally_model = CallTally
    tally_filters = {"branch_id": ("branch_key", "id"), "campaign_id": ("campaign_key", "id"),
                     "direction": ("direction", "in"), "status": ("status", "in"), "outcome": ("outcome", "in"),
                     "sentiment": ("sentiment", "in")}
    serializer_class = CallSerializer
    filterset_class = CallFilterSet
    pagination_class = CallPagination
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES
    delete_roles = ADMIN_MANAGER
    lookup_value_regex = UUID_PATTERN
    # One (gym, field DESC NULLS LAST, id DESC) index serves each sort in both directions.
    sort_fields = {name: name for name in ("start_time", "created_at", "duration", "scheduled_at")}
    sort_nulls = "mirrored"
    default_sort = "-start_time"

    def scope_queryset(self, queryset):
        if self.action == "list":
            return selectors.call_list(gym=self.gym)
        if self.action in ("retrieve", "update", "partial_update"):
            return selectors.call_detail(gym=self.gym)
        return queryset

    # The paginator's two questions (calls.pagination): the total from the tally (TalliedListMixin)
    # and the date window.
    def date_window(self):
        if not set(self.filterset.used()) & set(DATE_FILTERS):
            return None
        field, descending = requested_sort(self)
        return selectors.call_date_window(calls=self.filterset.filter_without_dates(self.get_queryset()),
                                          rng=parse_range(self.request.query_params, self.gym.tzinfo),
                                          start_order=("desc" if descending else "asc") if field == "start_time" else None)

    @property
    def actor(self):
        return Actor.for_user(self.request.user)

    def _write(self, request, instance=None):
        write_serializer = CallCreateSerializer if instance is None else CallUpdateSerializer
        serializer = write_serializer(instance, data=request.data, partial=instance is not None,
                                      context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if instance is None:
            call = services.call_create(gym=self.gym, actor=self.actor, lead=data.pop("lead"), **data)
        else:
            call = services.call_update(call=instance, actor=self.actor, **data)
        return selectors.call_detail(gym=self.gym).get(pk=call.pk)

    def create(self, request, *args, **kwargs):
        call = self._write(request)
        try:
            dialed = dialing.dial_if_due(gym=self.gym, call=call)
        except dialing.DialFailed as exc:
            # The failed call is history: it stays although the answer is an error.
            body = {"detail": exc.reason, "call_id": str(exc.call.pk)}
            return commit_despite_error(Response(body, status=status.HTTP_502_BAD_GATEWAY))
        if dialed is not None:
            call = selectors.call_detail(gym=self.gym).get(pk=call.pk)
        return Response(CallDetailSerializer(call).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        return Response(CallDetailSerializer(self._write(request, self.get_object())).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return Response(CallDetailSerializer(self.get_object()).data)

    def perform_destroy(self, instance):
        services.call_delete(call=instance, actor=self.actor)

    @extend_schema(methods=["GET"], tags=["calls"], summary="A call's notes, oldest first",
                   responses=CallNoteSerializer(many=True))
    @extend_schema(methods=["POST"], tags=["calls"], summary="Add a note to a call", request=CallNoteWriteSerializer,
                   responses={201: CallNoteCreatedSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=PageLimitPagination)
    def notes(self, request, pk=None):
        call = self.get_object()
        if request.method == "POST":
            params = CallNoteWriteSerializer(data=request.data)
            params.is_valid(raise_exception=True)
            note = services.call_note_add(call=call, author=request.user, content=params.validated_data["content"])
            note = selectors.call_notes(call=call).get(pk=note.pk)
            return Response(CallNoteCreatedSerializer(note).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.call_notes(call=call))
        return self.get_paginated_response(CallNoteSerializer(page, many=True).data)

    @extend_schema(tags=["calls"], summary="Set a call's outcome", request=CallOutcomeSerializer,
                   responses=CallOutcomeResultSerializer)
    @action(detail=True, methods=["put", "patch"], filter_backends=[], pagination_class=None)
    def outcome(self, request, pk=None):
        params = CallOutcomeSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        call = services.call_set_outcome(call=self.get_object(), outcome=params.validated_data["outcome"],
                                         actor=self.actor)
        return Response(CallOutcomeResultSerializer(call).data)


@extend_schema_view(
    list=extend_schema(tags=["settings"], summary="List campaigns with live statistics"),
    create=extend_schema(tags=["settings"], responses={201: CampaignSerializer}),
    retrieve=extend_schema(tags=["settings"]),
    update=extend_schema(tags=["settings"]),
    partial_update=extend_schema(tags=["settings"]),
    destroy=extend_schema(tags=["settings"], summary="Delete a campaign without calls (409 otherwise)"),
)
class CampaignViewSet(GymScopedModelViewSet):
    """Campaigns: whom the voice agent calls, when and how often, with live statistics."""

    model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    read_roles = ALL_ROLES
    write_roles = ADMIN_MANAGER
    delete_roles = ADMIN_MANAGER
    lookup_value_regex = UUID_PATTERN
    schema = CampaignSchema()
    sort_fields = {name: name for name in ("created_at", "name", "start_date")}
    sort_nulls = "mirrored"
    default_sort = "-created_at"

    def scope_queryset(self, queryset):
        return selectors.with_campaign_stats(queryset)

    def _fresh(self, campaign):
        return self.get_queryset().get(pk=campaign.pk)

    def perform_create(self, serializer):
        serializer.instance = self._fresh(services.campaign_create(gym=self.gym, **serializer.validated_data))

    def perform_update(self, serializer):
        campaign = services.campaign_update(campaign=serializer.instance, **serializer.validated_data)
        serializer.instance = self._fresh(campaign)

    def perform_destroy(self, instance):
        services.campaign_delete(campaign=instance)

    @extend_schema(methods=["POST"], tags=["settings"], summary="Add leads to a campaign",
                   request={"application/json": LEAD_IDS_SCHEMA}, responses=CampaignSerializer)
    @extend_schema(methods=["DELETE"], tags=["settings"], summary="Remove leads from a campaign",
                   responses={200: CampaignSerializer})
    @action(detail=True, methods=["post", "delete"], filter_backends=[], pagination_class=None)
    def leads(self, request, pk=None):
        campaign = self.get_object()
        leads = leads_from_body(request.data, gym=self.gym)
        change = services.campaign_add_leads if request.method == "POST" else services.campaign_remove_leads
        change(campaign=campaign, leads=leads)
        return Response(CampaignSerializer(self._fresh(campaign)).data)
