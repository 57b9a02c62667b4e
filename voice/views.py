import io
import logging

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import availability as slots
from appointments.serializers import AppointmentDetailSerializer, AvailabilityParamsSerializer, AvailabilitySerializer
from calls.models import Call, Campaign
from calls.serializers import CallSerializer
from knowledge.selectors import entry_search
from knowledge.serializers import EntrySerializer, SearchParamsSerializer, SearchResultSerializer
from leads.models import Lead
from leads.services import lead_set_do_not_call
from reps_dashboard.api.parsers import StrictJSONParser
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.schema import ErrorSerializer
from tenants.api.viewsets import GymScopedViewSet
from tenants.authentication import ApiKeyAuthentication
from tenants.middleware import commit_despite_error
from tenants.permissions import ADMIN, ADMIN_MANAGER, ALL_ROLES, API_KEY_PERMISSIONS, SignedWebhook
from tenants.scope import gym_scope

from . import scheduler, selectors, services, signature, webhooks
from .crypto import UnreadableSecret
from .models import RetellIntegration
from .retell_payload import PayloadError
from .serializers import (
    CallerAppointmentSerializer,
    CallerLeadSerializer,
    DoNotCallResultSerializer,
    LookupParamsSerializer,
    RetellIntegrationSerializer,
    RetellWebhookSerializer,
    ScheduleResultSerializer,
    SlotTakenSerializer,
    WebhookResultSerializer,
)

logger = logging.getLogger(__name__)
TAG = ["voice agent"]
VOICE_AGENT = services.VOICE_AGENT


class ApiKeyOnly:
    """The voice platform's endpoints: a gym API key, never a staff token (first in the bases)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = API_KEY_PERMISSIONS


# --- settings (staff) ----------------------------------------------------------------------


class RetellIntegrationView(APIView):
    """The gym's Retell integration: everyone reads, admins write. PUT is partial, like PATCH."""

    read_roles = ALL_ROLES
    write_roles = ADMIN

    @extend_schema(tags=["settings"], summary="The gym's Retell integration", responses=RetellIntegrationSerializer)
    def get(self, request):
        integration = selectors.integration_for_gym(gym=request.gym) or RetellIntegration(gym=request.gym)
        return Response(RetellIntegrationSerializer(integration, context={"request": request}).data)

    @extend_schema(tags=["settings"], summary="Configure the gym's Retell integration (partial)",
                   request=RetellIntegrationSerializer, responses=RetellIntegrationSerializer)
    def put(self, request):
        params = RetellIntegrationSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        integration = services.integration_update(gym=request.gym, **params.validated_data)
        return Response(RetellIntegrationSerializer(integration, context={"request": request}).data)

    @extend_schema(tags=["settings"], summary="Configure the gym's Retell integration (partial)",
                   request=RetellIntegrationSerializer, responses=RetellIntegrationSerializer)
    def patch(self, request):
        return self.put(request)


class CampaignScheduleView(APIView):
    """Runs the campaign scheduler for one campaign now (what ``manage.py run_campaigns`` does)."""

    write_roles = ADMIN_MANAGER

    @extend_schema(tags=["settings"], summary="Queue today's calls of a campaign now", request=None,
                   responses=ScheduleResultSerializer,
                   parameters=[OpenApiParameter("campaign_id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
    def post(self, request, campaign_id):
        campaign = Campaign.objects.for_gym(request.gym).filter(pk=campaign_id).first()
        if campaign is None:
            raise Http404
        [result] = scheduler.campaigns_schedule(gym=request.gym, now=timezone.now(), campaign=campaign)
        return Response(ScheduleResultSerializer(result).data)


# --- webhook (the voice platform, signed) ----------------------------------------------------


class RetellWebhookView(APIView):
    """Retell's call events. No credentials: the delivery is signed with the gym's Retell API key.
    An unknown or disabled integration is a 404; a missing, wrong or stale signature a 401 that
    writes nothing."""

    authentication_classes = []
    permission_classes = [SignedWebhook]
    # The signature covers the raw bytes: the body is read as it came (request.body), and parsed only
    # once verified (request.data is never touched). The parser is declared for the schema.
    parser_classes = [StrictJSONParser]

    @extend_schema(
        tags=TAG, summary="Retell webhook: call_started, call_ended, call_analyzed", auth=[],
        request=RetellWebhookSerializer,
        parameters=[OpenApiParameter("integration_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
                    OpenApiParameter(signature.HEADER, str, OpenApiParameter.HEADER, required=True,
                                     description="v=<unix ms>,d=<hex HMAC-SHA256 of body + timestamp>")],
        responses={200: WebhookResultSerializer,
                   401: OpenApiResponse(ErrorSerializer, "Missing, invalid or stale signature"),
                   404: OpenApiResponse(ErrorSerializer, "No such enabled integration")},
    )
    def post(self, request, integration_id):
        integration = selectors.integration_for_webhook(integration_id=integration_id)
        if integration is None:
            raise NotFound
        body = request.body
        try:
            signature.verify(body, request.headers.get(signature.HEADER), integration.api_key)
        except (signature.BadSignature, UnreadableSecret) as exc:
            logger.warning("retell webhook for integration %s refused: %s", integration.pk, exc)
            raise AuthenticationFailed("The webhook signature is missing, invalid or expired.")
        if b"\\u0000" in body:  # PostgreSQL cannot store a NUL character in JSON
            raise ParseError("JSON parse error - the body contains a NUL character.")
        payload = StrictJSONParser().parse(io.BytesIO(body))
        with gym_scope(integration.gym):
            try:
                record = webhooks.webhook_receive(integration=integration, payload=payload,
                                                  received_at=timezone.now())
            except PayloadError as exc:
                # The refused delivery is kept (it is signed) for whoever debugs the integration.
                return commit_despite_error(Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST))
        return Response({"outcome": record.outcome})

    def get_authenticate_header(self, request):
        return 'Retell-Signature realm="webhook"'


# --- in-call tools (API key) -----------------------------------------------------------------


class VoiceLeadViewSet(ApiKeyOnly, GymScopedViewSet):
    """The caller's lead, and the caller's wish not to be called again."""

    model = Lead
    lookup_value_regex = UUID_PATTERN

    @extend_schema(tags=TAG, summary="The lead of a phone number, with what the agent should know",
                   parameters=[LookupParamsSerializer],
                   responses={200: CallerLeadSerializer, 404: OpenApiResponse(ErrorSerializer, "No lead has it")})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def lookup(self, request):
        params = LookupParamsSerializer(data=request.query_params, context={"gym": self.gym})
        params.is_valid(raise_exception=True)
        lead = selectors.lead_for_caller(gym=self.gym, phone=params.validated_data["phone"])
        if lead is None:
            raise NotFound("No lead has this phone number.")
        return Response(CallerLeadSerializer(lead).data)

    @extend_schema(tags=TAG, summary="Mark the lead do-not-call (the caller asked)", request=None,
                   responses=DoNotCallResultSerializer)
    @action(detail=True, methods=["post"], url_path="do-not-call", filter_backends=[], pagination_class=None)
    def do_not_call(self, request, pk=None):
        lead = lead_set_do_not_call(lead=self.get_object(), actor=VOICE_AGENT)
        return Response(DoNotCallResultSerializer(lead).data)


class DueCallViewSet(ApiKeyOnly, GymScopedViewSet, mixins.ListModelMixin):
    """Queued calls whose time has come, oldest first, for the dialer (do-not-call leads left out)."""

    model = Call
    serializer_class = CallSerializer
    filter_backends = []

    def scope_queryset(self, queryset):
        return selectors.calls_due(gym=self.gym, now=timezone.now())

    @extend_schema(tags=TAG, summary="Calls due now, oldest first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class VoiceKnowledgeSearchView(ApiKeyOnly, APIView):
    """What the caller asks, answered from the gym's knowledge base (the staff search, unchanged)."""

    @extend_schema(tags=TAG, summary="Search the knowledge base (as GET /api/knowledge/search)",
                   parameters=[SearchParamsSerializer], responses=SearchResultSerializer)
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params, context={"gym": request.gym})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        hits = entry_search(gym=request.gym, q=data["q"], branch=data.get("branch_id"), category=data.get("category"),
                            limit=data["limit"])
        return Response({"data": [{**EntrySerializer(hit.entry).data, "score": round(hit.score, 4)} for hit in hits]})


class VoiceAvailabilityView(ApiKeyOnly, APIView):
    """A branch's free slots on a day (the staff availability, unchanged)."""

    @extend_schema(tags=TAG, summary="Free slots of a branch on a day (as GET /api/appointments/availability)",
                   parameters=[AvailabilityParamsSerializer], responses=AvailabilitySerializer)
    def get(self, request):
        params = AvailabilityParamsSerializer(data=request.query_params, context={"gym": request.gym})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        day = slots.availability(branch=data["branch_id"], day=data["date"], duration=data["duration"],
                                 staff=data.get("staff_id"))
        return Response(AvailabilitySerializer(day).data)


class VoiceAppointmentView(ApiKeyOnly, APIView):
    """Books for the caller; a taken time answers with the next free slots to offer instead."""

    @extend_schema(tags=TAG, summary="Book an appointment for the caller (409 with the next free slots)",
                   request=CallerAppointmentSerializer,
                   responses={201: AppointmentDetailSerializer,
                              409: OpenApiResponse(SlotTakenSerializer, "The time is taken: the next free slots")})
    def post(self, request):
        params = CallerAppointmentSerializer(data=request.data, context={"gym": request.gym})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            appointment = services.appointment_book_for_caller(
                gym=request.gym, lead=data["lead_id"], type=data["type"], start=data["date"],
                duration=data["duration"], branch=data.get("branch_id"), staff=data.get("staff_id"),
                notes=data["notes"])
        except services.SlotTaken as taken:
            body = {"detail": taken.detail, "existing_id": str(taken.existing_id) if taken.existing_id else None,
                    "next_available_slots": [
                        {"start_time": slot.start_time.isoformat(), "end_time": slot.end_time.isoformat(),
                         "available": True} for slot in taken.slots]}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(AppointmentDetailSerializer(appointment).data, status=status.HTTP_201_CREATED)
