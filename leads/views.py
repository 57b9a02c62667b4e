from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from reps_dashboard.api.errors import PayloadTooLarge
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.api.schema import AutoSchema, ValidationErrorSerializer
from reps_dashboard.api.tallied import TalliedListMixin
from tenants.api.viewsets import GymScopedViewSet
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES
from tenants.selectors import branch_get

from . import selectors, services
from .activity import Actor
from .csvfile import ImportFileError
from .export import export_response
from .filters import BranchLeadFilterSet, LeadFilterSet
from .importer import lead_import
from .models import Lead, LeadTally
from .serializers import (
    TAG_IDS_BODY,
    ActivitySerializer,
    ImportParamsSerializer,
    ImportResultSerializer,
    LeadDetailSerializer,
    LeadSerializer,
    LeadStatusSerializer,
    LeadUpdateSerializer,
    LeadWriteSerializer,
    PrioritizedParamsSerializer,
    TagIdsSerializer,
)

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


class JsonErrorsNegotiation(BaseContentNegotiation):
    """The export answers CSV whatever ``Accept`` says; its errors stay JSON like every other."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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
    action_roles = {"tags": ALL_ROLES, "import_file": ADMIN_MANAGER, "export": ADMIN_MANAGER}

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
                   request={"multipart/form-data": ImportParamsSerializer}, responses=ImportResultSerializer)
    @action(detail=False, methods=["post"], url_path="import", url_name="import", filter_backends=[],
            pagination_class=None, parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        params = self._validated(ImportParamsSerializer, request.data)
        upload = params["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(f"The file is larger than {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        try:
            result = lead_import(gym=self.gym, actor=self.actor, file=upload.file, file_name=upload.name,
                                 branch=params.get("branch_id") or request.user.branch,
                                 on_duplicate=params["on_duplicate"], dry_run=params["dry_run"])
        except ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]})
        return Response(ImportResultSerializer(result).data)

    @extend_schema(tags=["leads"], summary="Export the filtered list as CSV (manager, admin)", filters=True,
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], pagination_class=None, content_negotiation_class=JsonErrorsNegotiation)
    def export(self, request):
        return export_response(self.filter_queryset(self.get_queryset()), tz=self.gym.tzinfo)
