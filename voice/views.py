import io
import logging

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import availability as slots
from appointments.serializers import AppointmentDetailSerializer, SlotSerializer
from calls.models import Call, Campaign
from calls.serializers import CallSerializer
from knowledge.selectors import entry_search
from knowledge.serializers import EntrySerializer, SearchParamsSerializer
from leads.models import Lead
from leads.selectors import lead_find_by_phone
from reps_dashboard.api.parsers import StrictJSONParser
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.schema import ErrorSerializer
from tenants.api.viewsets import GymScopedViewSet
from tenants.authentication import ApiKeyAuthentication
from tenants.middleware import commit_despite_error
from tenants.permissions import ADMIN, ADMIN_MANAGER, ALL_ROLES, API_KEY_PERMISSIONS, SignedWebhook
from tenants.scope import gym_scope

from . import scheduler, selectors, services, signature, tool_request, webhook_health, webhooks
from .crypto import UnreadableSecret
from .models import RetellIntegration
from .retell_payload import PayloadError
from .serializers import (
    AvailabilityAnswerSerializer,
    BookingAnswerSerializer,
    BranchInfoSerializer,
    CallerAppointmentSerializer,
    CallerLeadSerializer,
    DoNotCallAnswerSerializer,
    LookupAnswerSerializer,
    LookupParamsSerializer,
    RetellIntegrationSerializer,
    RetellWebhookSerializer,
    ScheduleResultSerializer,
    SearchAnswerSerializer,
    VoiceAvailabilityParamsSerializer,
    WebhookResultSerializer,
)
from .tool_request import ToolRequest, tool_request_parse

logger = logging.getLogger(__name__)
TAG = ["voice agent"]
VOICE_AGENT = services.VOICE_AGENT
WEBHOOK_REFUSED = "The webhook signature is missing, invalid or expired."


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
        if not integration.enabled or not integration.api_key_encrypted:
            return self._refused(integration, webhook_health.DISABLED, NotFound())
        # Read from the stream: request.body would apply the 2 MB limit of other endpoints; this path
        # has its own (WEBHOOK_MAX_BODY_BYTES, checked by RequestGuardMiddleware before any read).
        body = request.stream.read() if request.stream is not None else b""
        try:
            signature.verify(body, request.headers.get(signature.HEADER), integration.webhook_key)
        except signature.StaleSignature:
            return self._refused(integration, webhook_health.STALE)
        except signature.BadSignature:
            return self._refused(integration, webhook_health.BAD_SIGNATURE)
        except UnreadableSecret:
            return self._refused(integration, webhook_health.UNREADABLE_KEY)
        if b"\\u0000" in body:  # PostgreSQL cannot store a NUL character in JSON
            raise ParseError("JSON parse error - the body contains a NUL character.")
        payload = StrictJSONParser().parse(io.BytesIO(body))
        with gym_scope(integration.gym):
            webhook_health.webhook_seen(integration=integration)
            try:
                record = webhooks.webhook_receive(integration=integration, payload=payload,
                                                  received_at=timezone.now())
            except PayloadError as exc:
                # The refused delivery is kept (it is signed) for whoever debugs the integration.
                return commit_despite_error(Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST))
        return Response({"outcome": record.outcome})

    def _refused(self, integration, reason, error=None):
        """Counts the refusal on the integration (kept despite the error answer) and answers 401, or
        ``error``; the answer itself says nothing of why."""
        logger.warning("retell webhook for integration %s refused: %s", integration.pk, reason)
        with gym_scope(integration.gym):
            webhook_health.webhook_refusal_record(integration=integration, reason=reason)
        error = error or AuthenticationFailed(WEBHOOK_REFUSED)
        response = Response({"detail": error.detail}, status=error.status_code)
        if error.status_code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = self.get_authenticate_header(self.request)
        return commit_despite_error(response)

    def get_authenticate_header(self, request):
        return 'Retell-Signature realm="webhook"'


# --- in-call tools (API key) -----------------------------------------------------------------


TOOL_BODY = ("The body is the arguments below (Retell's \"payload: args only\"), or Retell's default "
             "`{\"name\": <function>, \"call\": <the call object>, \"args\": <the arguments>}`; without a lead "
             "id or a phone, the caller is found from `call.metadata.lead_id` or the caller's number.")


def _tool_schema(summary, params, answer, *, get=True, operation_id=None):
    """The OpenAPI of a tool: GET with query parameters (by hand), POST with Retell's body."""
    post = extend_schema(tags=TAG, summary=f"{summary} (Retell custom function)", request=params, responses=answer,
                         operation_id=operation_id, description=TOOL_BODY)
    if not get:
        return post, None
    return post, extend_schema(tags=TAG, summary=f"{summary} (by hand)", parameters=[params], responses=answer)


class ToolView(ApiKeyOnly, APIView):
    """An in-call tool: POST in either of Retell's body shapes, GET with query parameters."""

    def tool(self, request) -> ToolRequest:
        return tool_request_parse(method=request.method, body=request.data if request.method != "GET" else None,
                                  query=request.query_params)

    def caller(self, request, tool: ToolRequest):
        """The caller's lead by the ``phone`` argument, else from the call object (400 with neither);
        None for a caller nobody knows."""
        phone = self.arguments(request, LookupParamsSerializer, tool).get("phone")
        if phone is None and not tool.call:
            raise ValidationError({"phone": ["Send the caller's phone number, or Retell's call object."]})
        if phone:
            return lead_find_by_phone(gym=request.gym, phone=phone)
        return tool_request.caller_lead(gym=request.gym, call=tool.call)

    def arguments(self, request, serializer_class, tool: ToolRequest):
        params = serializer_class(data=tool.args, context={"gym": request.gym, "call": tool.call})
        params.is_valid(raise_exception=True)
        return params.validated_data


def _branches(gym):
    return BranchInfoSerializer(tool_request.gym_branches(gym=gym), many=True).data


LOOKUP_POST, LOOKUP_GET = _tool_schema("The caller's lead, with what the agent should know", LookupParamsSerializer,
                                       LookupAnswerSerializer)


class VoiceLookupView(ToolView):
    """The caller's lead (by the number given, else the call's), or ``found: false``; always the
    gym's branches, for the agent to ask which one suits the caller."""

    @LOOKUP_GET
    def get(self, request):
        return self.post(request)

    @LOOKUP_POST
    def post(self, request):
        lead = selectors.lead_with_next_appointment(lead=self.caller(request, self.tool(request)))
        message = (f"The caller is {lead.full_name}." if lead is not None
                   else "This caller is not in our records yet; ask for their name and which branch suits them.")
        return Response({"found": lead is not None, "message": message,
                         "lead": CallerLeadSerializer(lead).data if lead is not None else None,
                         "branches": _branches(request.gym)})


DNC_POST, _ = _tool_schema("Mark the caller do-not-call (the caller asked)", LookupParamsSerializer,
                           DoNotCallAnswerSerializer, get=False, operation_id="voice_caller_do_not_call")


class VoiceLeadViewSet(ApiKeyOnly, GymScopedViewSet):
    """The caller's wish not to be called again, for a lead the URL names."""

    model = Lead
    lookup_value_regex = UUID_PATTERN

    @extend_schema(tags=TAG, summary="Mark the lead do-not-call (the caller asked)", request=None,
                   responses=DoNotCallAnswerSerializer)
    @action(detail=True, methods=["post"], url_path="do-not-call", filter_backends=[], pagination_class=None)
    def do_not_call(self, request, pk=None):
        return _do_not_call_answer(self.get_object())


class VoiceDoNotCallView(ToolView):
    """The caller asked not to be called again: the lead of the call (or of ``phone``) becomes
    do-not-call and its queued calls are canceled."""

    @DNC_POST
    def post(self, request):
        lead = self.caller(request, self.tool(request))
        if lead is None:
            return Response({"found": False, "id": None, "do_not_call": False, "canceled_calls": 0, "updated_at": None,
                             "message": "This caller is not in our records, so there is nobody to stop calling."})
        return _do_not_call_answer(lead)


def _do_not_call_answer(lead):
    lead, canceled = services.lead_stop_calling(lead=lead)
    return Response({"found": True, "id": str(lead.pk), "do_not_call": True, "canceled_calls": canceled,
                     "updated_at": serializers.DateTimeField().to_representation(lead.updated_at),
                     "message": "Done: we will not call this number again."})


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


SEARCH_POST, SEARCH_GET = _tool_schema("Search the knowledge base (as GET /api/knowledge/search)",
                                       SearchParamsSerializer, SearchAnswerSerializer)


class VoiceKnowledgeSearchView(ToolView):
    """What the caller asks, answered from the gym's knowledge base (the staff search, unchanged)."""

    @SEARCH_GET
    def get(self, request):
        return self.post(request)

    @SEARCH_POST
    def post(self, request):
        data = self.arguments(request, SearchParamsSerializer, self.tool(request))
        hits = entry_search(gym=request.gym, q=data["q"], branch=data.get("branch_id"), category=data.get("category"),
                            limit=data["limit"])
        message = (f"Best answer: {hits[0].entry.answer}"[:1000] if hits
                   else "Nothing in our knowledge base answers that; offer to have a staff member call back.")
        return Response({"found": bool(hits), "message": message,
                         "data": [{**EntrySerializer(hit.entry).data, "score": round(hit.score, 4)} for hit in hits]})


AVAILABILITY_POST, AVAILABILITY_GET = _tool_schema("Free slots of a branch on a day", VoiceAvailabilityParamsSerializer,
                                                   AvailabilityAnswerSerializer)


class VoiceAvailabilityView(ToolView):
    """A branch's free slots on a day; the branch defaults to the caller's, or the gym's only one."""

    @AVAILABILITY_GET
    def get(self, request):
        return self.post(request)

    @AVAILABILITY_POST
    def post(self, request):
        tool = self.tool(request)
        data = self.arguments(request, VoiceAvailabilityParamsSerializer, tool)
        branch = data.get("branch_id") or tool_request.caller_branch(
            gym=request.gym, lead=tool_request.caller_lead(gym=request.gym, call=tool.call))
        if branch is None:
            return Response({"found": False, "branch_id": None, "date": None, "timezone": None, "available_slots": [],
                             "branches": _branches(request.gym),
                             "message": "Ask the caller which branch they want (branch_id from branches)."})
        day = slots.availability(branch=branch, day=data["date"], duration=data["duration"], staff=data.get("staff_id"))
        free = [slot for slot in day["available_slots"] if slot.available]
        message = (f"{len(free)} free slots at {branch.name} that day, the first at {free[0].start_time:%H:%M}."
                   if free else f"Nothing is free at {branch.name} that day; try another day.")
        return Response({"found": bool(free), "message": message, "branch_id": str(branch.pk),
                         "date": data["date"].isoformat(), "timezone": day["timezone"], "branches": [],
                         "available_slots": SlotSerializer(free, many=True).data})


class VoiceAppointmentView(ToolView):
    """Books for the caller; a time that cannot be booked answers with the next free slots instead."""

    @extend_schema(tags=TAG, summary="Book an appointment for the caller (Retell custom function)",
                   request=CallerAppointmentSerializer, description=TOOL_BODY,
                   responses={201: BookingAnswerSerializer,
                              200: OpenApiResponse(BookingAnswerSerializer, "Not booked: why, and what to offer")})
    def post(self, request):
        data = self.arguments(request, CallerAppointmentSerializer, self.tool(request))
        lead, branch = data["lead_id"], data["branch_id"]
        answer = {"booked": False, "appointment": None, "existing_id": None, "next_available_slots": [],
                  "branches": []}
        if lead is None:
            return Response({**answer, "message": "I could not tell who the caller is; look them up or create "
                                                  "them before booking."})
        if branch is None:
            return Response({**answer, "branches": _branches(request.gym),
                             "message": "Ask the caller which branch they want (branch_id from branches)."})
        try:
            appointment = services.appointment_book_for_caller(
                gym=request.gym, lead=lead, type=data["type"], start=data["date"], duration=data["duration"],
                branch=branch, staff=data.get("staff_id"), notes=data["notes"])
        except services.SlotTaken as taken:
            offer = SlotSerializer(taken.slots, many=True).data
            suggestion = f" The next free time is {offer[0]['start_time']}." if offer else ""
            return Response({**answer, "existing_id": str(taken.existing_id) if taken.existing_id else None,
                             "next_available_slots": offer, "message": f"{taken.detail}{suggestion}"})
        when = appointment.date.astimezone(branch.tzinfo)
        return Response({**answer, "booked": True, "appointment": AppointmentDetailSerializer(appointment).data,
                         "message": f"Booked: {appointment.get_type_display().lower()} at {branch.name} on "
                                    f"{when:%A %d %B at %H:%M}."}, status=status.HTTP_201_CREATED)
