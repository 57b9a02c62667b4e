from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.queueing import call_queue_for_new_lead
from reps_dashboard.api.errors import PayloadTooLarge
from reps_dashboard.api.negotiation import JsonErrorsNegotiation
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.schema import AutoSchema, ValidationErrorSerializer
from reps_dashboard.api.tallied import TalliedListMixin
from reps_dashboard.errors import NotFound
from reps_dashboard.import_report import csv_download
from tenants.api.viewsets import GymScopedViewSet
from tenants.authentication import ApiKeyAuthentication
from tenants.models import ApiKeyScope
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES, IsGymApiKey
from tenants.selectors import branch_get

from . import selectors, services
from .activity import Actor
from .csvfile import ImportFileError
from .export import export_response
from .filters import BranchLeadFilterSet, LeadFilterSet
from .import_jobs import job_progress, lead_import_start
from .intake import lead_capture
from .models import Lead, LeadImportJob, LeadTally
from .serializers import (
    TAG_IDS_BODY,
    ActivitySerializer,
    ImportParamsSerializer,
    ImportResultSerializer,
    IntakeLeadSerializer,
    IntakeResultSerializer,
    LeadDetailSerializer,
    LeadImportJobSerializer,
    LeadSerializer,
    LeadStatusSerializer,
    LeadUpdateSerializer,
    LeadWriteSerializer,
    PrioritizedParamsSerializer,
    TagIdsSerializer,
)
from .throttles import IntakeKeyThrottle

_WITH_EXTRAS = {"export", "retrieve"}


class LeadSchema(AutoSchema):
    """``DELETE /api/leads/{id}/tags`` takes a body (the contract's) and can answer 400:
    document it like the POST."""

    def _removes_tags(self):
        return self.method == "DELETE" and getattr(self.view, "action", None) == "tags"

    def _get_request_body(self, direction="request"):
        if not self._removes_tags():
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _error_responses(self):
        codes = super()._error_responses()
        if self._removes_tags():
            codes["400"] = ValidationErrorSerializer
        return codes


@extend_schema_view(
    list=extend_schema(tags=["leads"], summary="List leads"),
    retrieve=extend_schema(tags=["leads"], summary="A lead with its assignee, latest calls and appointments",
                           responses=LeadDetailSerializer),
    destroy=extend_schema(tags=["leads"], summary="Delete a lead (manager, admin)"),
)
class LeadViewSet(TalliedListMixin, mixins.RetrieveModelMixin, GymScopedViewSet):
    """The gym's leads: people who asked about joining, with their timeline, tags, calls and
    appointments."""

    model = Lead
    # The list's total from the lead tally when filtered on nothing else (reps_dashboard/tally.py).
    tally_model = LeadTally
    tally_filters = {"branch_id": ("branch_key", "id"), "status": ("status", "in"), "source": ("source", "in")}
    tally_actions = ("list", "branch")
    schema = LeadSchema()
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    lookup_value_regex = UUID_PATTERN
    sort_fields = {"created_at": "created_at", "updated_at": "updated_at", "first_name": "first_name",
                   "last_name": "last_name", "last_called": "last_called", "score": "score", "status": "status"}
    default_sort = "-created_at"
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES  # agents create and update leads
    delete_roles = ADMIN_MANAGER
    action_roles = {"tags": ALL_ROLES, "import_file": ADMIN_MANAGER, "import_job": ADMIN_MANAGER,
                    "import_errors": ADMIN_MANAGER,
                    "export": ADMIN_MANAGER}

    def scope_queryset(self, queryset):
        if self.action in ("list", "branch"):
            return selectors.lead_page_rows(queryset)  # tags attached to the page (_page)
        if self.action not in _WITH_EXTRAS:
            return queryset  # writes lock and reload the row themselves
        queryset = selectors.lead_with_extras(queryset)
        return queryset.select_related("assigned_to") if self.action == "retrieve" else queryset

    def get_serializer_class(self):
        return LeadDetailSerializer if self.action == "retrieve" else LeadSerializer

    @property
    def actor(self):
        return Actor.for_user(self.request.user)

    def _detail(self, lead, status_code=status.HTTP_200_OK):
        lead = selectors.lead_detail(gym=self.gym, lead_id=lead.pk)
        return Response(LeadDetailSerializer(lead, context=self.get_serializer_context()).data, status=status_code)

    def _validated(self, serializer_class, data, **kwargs):
        serializer = serializer_class(data=data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _page(self, queryset):
        page = selectors.attach_tags(self.paginate_queryset(queryset))
        return self.get_paginated_response(LeadSerializer(page, many=True).data)

    # --- CRUD ---------------------------------------------------------------------------

    def list(self, request):
        return self._page(self.filter_queryset(self.get_queryset()))

    @extend_schema(tags=["leads"], summary="Create a lead", request=LeadWriteSerializer,
                   responses={201: LeadDetailSerializer})
    def create(self, request):
        lead = services.lead_create(gym=self.gym, actor=self.actor, **self._validated(LeadWriteSerializer, request.data))
        call_queue_for_new_lead(gym=self.gym, lead=lead)  # speed to lead, when the gym has it on
        return self._detail(lead, status.HTTP_201_CREATED)

    @extend_schema(tags=["leads"], summary="Update a lead (every field optional)", request=LeadUpdateSerializer,
                   responses=LeadDetailSerializer)
    def update(self, request, pk=None):
        lead = self.get_object()
        fields = self._validated(LeadUpdateSerializer, request.data, partial=True)
        lead = services.lead_update(lead=lead, actor=self.actor, **fields)
        return self._detail(lead)

    @extend_schema(tags=["leads"], summary="Update some fields of a lead", request=LeadUpdateSerializer,
                   responses=LeadDetailSerializer)
    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    def destroy(self, request, pk=None):
        services.lead_delete(lead=self.get_object(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- one lead -----------------------------------------------------------------------

    @extend_schema(tags=["leads"], summary="Change a lead's status", request=LeadStatusSerializer,
                   responses=LeadDetailSerializer)
    @action(detail=True, methods=["patch"], url_path="status", url_name="status")
    def set_status(self, request, pk=None):
        lead = self.get_object()
        params = self._validated(LeadStatusSerializer, request.data)
        lead = services.lead_set_status(lead=lead, actor=self.actor, **params)
        return self._detail(lead)

    @extend_schema(tags=["leads"], summary="Add (POST) or remove (DELETE) tags; answers the lead",
                   request=TAG_IDS_BODY, responses={200: LeadDetailSerializer})
    @action(detail=True, methods=["post", "delete"])
    def tags(self, request, pk=None):
        lead = self.get_object()
        tags = self._validated(TagIdsSerializer, {"tags": request.data})["tags"]
        change = services.lead_add_tags if request.method == "POST" else services.lead_remove_tags
        lead = change(lead=lead, tags=tags, actor=self.actor)
        return self._detail(lead)

    @extend_schema(tags=["leads"], summary="The lead's timeline, newest first",
                   responses=ActivitySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def activities(self, request, pk=None):
        page = self.paginate_queryset(selectors.lead_activities(lead=self.get_object()))
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    # --- collections --------------------------------------------------------------------

    @extend_schema(tags=["leads"], summary="List the leads of one branch", responses=LeadSerializer(many=True),
                   parameters=[OpenApiParameter("branch_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                                                description="A branch of the caller's gym.")])
    @action(detail=False, methods=["get"], url_path=r"branch/(?P<branch_id>[^/.]+)", url_name="branch",
            filterset_class=BranchLeadFilterSet)
    def branch(self, request, branch_id=None):
        branch = branch_get(gym=self.gym, branch_id=branch_id)
        self.path_filters = {"branch_id": branch}
        return self._page(self.filter_queryset(self.get_queryset()).filter(branch=branch))

    @extend_schema(tags=["leads"], summary="The leads to call next (a bare array)",
                   parameters=[PrioritizedParamsSerializer], responses=LeadSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def prioritized(self, request):
        params = self._validated(PrioritizedParamsSerializer, request.query_params)
        leads = selectors.lead_prioritized(gym=self.gym, count=params["count"],
                                           exclude_ids=params.get("exclude_leads") or ())
        return Response(LeadSerializer(leads, many=True).data)

    @extend_schema(tags=["leads"], summary="Import leads from a CSV file (manager, admin)",
                   description="A file of up to LEAD_IMPORT_INLINE_MAX_ROWS rows (2,000) is imported at once "
                               "(200, the report); a larger one is imported by a worker: 202 with the job, "
                               "followed at GET /api/leads/import/{import_id}.",
                   request={"multipart/form-data": ImportParamsSerializer},
                   responses={200: ImportResultSerializer, 202: LeadImportJobSerializer})
    @action(detail=False, methods=["post"], url_path="import", url_name="import", filter_backends=[],
            pagination_class=None, parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        params = self._validated(ImportParamsSerializer, request.data)
        upload = params["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(f"The file is larger than {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        try:
            started = lead_import_start(gym=self.gym, user=request.user, file=upload.file, file_name=upload.name,
                                        branch=params.get("branch_id") or request.user.branch,
                                        on_duplicate=params["on_duplicate"], dry_run=params["dry_run"])
        except ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]})
        if isinstance(started, LeadImportJob):
            return Response(_job_body(started), status=status.HTTP_202_ACCEPTED)
        return Response(ImportResultSerializer(started).data)

    @extend_schema(tags=["leads"], summary="A lead import job: status, progress, report (manager, admin)",
                   responses=LeadImportJobSerializer)
    @action(detail=False, methods=["get"], url_path=rf"import/(?P<import_id>{UUID_PATTERN})", url_name="import-job",
            filter_backends=[], pagination_class=None)
    def import_job(self, request, import_id=None):
        job = LeadImportJob.objects.for_gym(self.gym).filter(pk=import_id).first()
        if job is None:
            raise NotFound()  # the same 404 as any id the gym does not have
        return Response(_job_body(job))

    @extend_schema(tags=["leads"], summary="Every failed row of a lead import, as CSV (manager, admin)",
                   parameters=[OpenApiParameter("report_id", str, OpenApiParameter.PATH,
                                                description="From the import's errors_csv.")],
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path=r"import/errors/(?P<report_id>[^/.]+)", url_name="import-errors",
            filter_backends=[], pagination_class=None, content_negotiation_class=JsonErrorsNegotiation)
    def import_errors(self, request, report_id=None):
        errors = selectors.lead_import_errors_get(gym=self.gym, report_id=report_id)
        return csv_download(errors.csv_gzip, file_name=f"import-errors-{errors.created_at:%Y%m%d-%H%M}.csv")

    @extend_schema(tags=["leads"], summary="Export the filtered list as CSV (manager, admin)", filters=True,
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], pagination_class=None, content_negotiation_class=JsonErrorsNegotiation)
    def export(self, request):
        return export_response(self.filter_queryset(self.get_queryset()), tz=self.gym.tzinfo)


def _job_body(job):
    return LeadImportJobSerializer({"id": job.pk, "status": job.status, "file_name": job.file_name,
                                    "progress": job_progress(job), "result": job.result, "error": job.error,
                                    "created_at": job.created_at, "finished_at": job.finished_at}).data


class IntakeLeadView(APIView):
    """Lead capture for website forms and ad platforms: a gym API key of scope ``intake``."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsGymApiKey]
    api_key_scope = ApiKeyScope.INTAKE
    throttle_classes = [IntakeKeyThrottle]

    @extend_schema(tags=["intake"], summary="Capture a lead (website form, ad platform)",
                   description="A new phone creates the lead (201); a phone the gym already has adds an "
                               "\"enquired again\" entry to that lead's timeline (200). With the gym's "
                               "auto_call_new_leads on, a call is queued for now, or for the next calling "
                               "window in the lead's local time, and placed by the dialer within seconds.",
                   request=IntakeLeadSerializer, responses={200: IntakeResultSerializer, 201: IntakeResultSerializer})
    def post(self, request):
        params = IntakeLeadSerializer(data=request.data, context={"gym": request.gym, "request": request})
        params.is_valid(raise_exception=True)
        enquiry = lead_capture(gym=request.gym, source_name=request.user.key.name, **params.validated_data)
        body = {"lead_id": enquiry.lead.pk, "created": enquiry.created,
                "call_id": enquiry.call.pk if enquiry.call else None,
                "call_scheduled_at": enquiry.call.scheduled_at if enquiry.call else None}
        return Response(IntakeResultSerializer(body).data,
                        status=status.HTTP_201_CREATED if enquiry.created else status.HTTP_200_OK)
