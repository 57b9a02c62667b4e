from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from reps_dashboard.api.errors import PayloadTooLarge
from reps_dashboard.api.negotiation import JsonErrorsNegotiation
from reps_dashboard.api.routers import UUID_PATTERN
from reps_dashboard.import_report import csv_download
from tenants.api.viewsets import GymScopedModelViewSet, GymScopedViewSet
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES

from . import selectors, services
from .filters import EntryFilterSet
from .models import ImportJob, KnowledgeEntry, KnowledgeSource
from .serializers import (
    EntrySerializer,
    FileImportSerializer,
    ImportJobSerializer,
    SearchParamsSerializer,
    SearchResultSerializer,
    SourceDeleteParamsSerializer,
    SourceSerializer,
    StatsSerializer,
    UrlImportSerializer,
)


class KnowledgeRoles:
    read_roles = ALL_ROLES
    write_roles = ADMIN_MANAGER
    delete_roles = ADMIN_MANAGER
    # /api/knowledge/{id} must not swallow /api/knowledge/sources, /search...
    lookup_value_regex = UUID_PATTERN


@extend_schema_view(
    list=extend_schema(tags=["knowledge"], summary="List knowledge entries"),
    create=extend_schema(tags=["knowledge"]),
    retrieve=extend_schema(tags=["knowledge"]),
    update=extend_schema(tags=["knowledge"]),
    partial_update=extend_schema(tags=["knowledge"]),
    destroy=extend_schema(tags=["knowledge"]),
)
class KnowledgeEntryViewSet(KnowledgeRoles, GymScopedModelViewSet):
    model = KnowledgeEntry
    serializer_class = EntrySerializer
    filterset_class = EntryFilterSet
    sort_fields = {"created_at": "created_at", "updated_at": "updated_at", "priority": "priority",
                   "question": "question", "category": "category"}
    default_sort = "-created_at"

    def scope_queryset(self, queryset):
        return queryset.select_related("source")

    def perform_create(self, serializer):
        serializer.instance = services.entry_create(gym=self.gym, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.entry_update(entry=serializer.instance, **serializer.validated_data)

    @extend_schema(tags=["knowledge"], summary="Search the knowledge base (the voice agent's question)",
                   parameters=[SearchParamsSerializer], responses=SearchResultSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def search(self, request):
        params = SearchParamsSerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        hits = selectors.entry_search(gym=self.gym, q=params.validated_data["q"],
                                      branch=params.validated_data.get("branch_id"),
                                      category=params.validated_data.get("category"),
                                      limit=params.validated_data["limit"])
        data = []
        for hit in hits:
            row = EntrySerializer(hit.entry).data
            row["score"] = round(hit.score, 4)
            data.append(row)
        return Response({"data": data})

    @extend_schema(tags=["knowledge"], summary="Knowledge base totals", responses=StatsSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def stats(self, request):
        return Response(StatsSerializer(selectors.knowledge_stats(gym=self.gym)).data)


@extend_schema_view(
    list=extend_schema(tags=["knowledge"], summary="List knowledge sources"),
    create=extend_schema(tags=["knowledge"], summary="Add a source by hand"),
    retrieve=extend_schema(tags=["knowledge"]),
    destroy=extend_schema(tags=["knowledge"], parameters=[SourceDeleteParamsSerializer],
                          summary="Delete a source; its entries are removed or detached"),
)
class KnowledgeSourceViewSet(KnowledgeRoles, mixins.ListModelMixin, mixins.CreateModelMixin,
                             mixins.RetrieveModelMixin, mixins.DestroyModelMixin, GymScopedViewSet):
    model = KnowledgeSource
    serializer_class = SourceSerializer
    sort_fields = {"created_at": "created_at", "updated_at": "updated_at", "name": "name"}
    default_sort = "-created_at"

    def scope_queryset(self, queryset):
        return selectors.source_list(gym=self.gym)

    def perform_create(self, serializer):
        source = services.source_create(gym=self.gym, **serializer.validated_data)
        source.entry_count = 0
        serializer.instance = source

    def destroy(self, request, *args, **kwargs):
        source = self.get_object()
        params = SourceDeleteParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        services.source_delete(source=source, delete_entries=params.validated_data["delete_entries"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class KnowledgeImportViewSet(KnowledgeRoles, GymScopedViewSet):
    """A URL import is fetched by a worker (202, the job pending); a file is imported inside the request.
    The job record keeps the outcome for ``GET /import/{job_id}``."""

    model = ImportJob
    serializer_class = ImportJobSerializer
    lookup_url_kwarg = "job_id"
    filter_backends = []
    pagination_class = None

    @extend_schema(tags=["knowledge"], summary="Import the FAQ of a web page",
                   description="Answers 202 with the job pending: a worker fetches the page within seconds; "
                               "follow the job at GET /api/knowledge/import/{job_id}.",
                   request=UrlImportSerializer, responses={202: ImportJobSerializer})
    def create(self, request):
        params = UrlImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = services.import_url_queue(gym=self.gym, **params.validated_data)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["knowledge"], summary="Import a CSV, JSON or Markdown file",
                   description="A file up to KNOWLEDGE_IMPORT_INLINE_MAX_BYTES (512 KB) is imported at once (201, "
                               "the job done); a larger one by a worker (202, the job pending).",
                   request={"multipart/form-data": FileImportSerializer},
                   responses={201: ImportJobSerializer, 202: ImportJobSerializer,
                              413: OpenApiResponse(description="File too large")})
    @action(detail=False, methods=["post"], url_path="file", parser_classes=[MultiPartParser, FormParser])
    def file(self, request):
        params = FileImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        upload = params.validated_data["file"]
        if upload.size > services.MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"The file is larger than {services.MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
        large = upload.size > settings.KNOWLEDGE_IMPORT_INLINE_MAX_BYTES
        start = services.import_file_queue if large else services.import_file
        try:
            job = start(gym=self.gym, file_name=upload.name, content=upload.read(),
                        category=params.validated_data["category"])
        except ValueError as exc:
            raise ValidationError({"file": [str(exc)]})
        answer = status.HTTP_202_ACCEPTED if large else status.HTTP_201_CREATED
        return Response(ImportJobSerializer(job).data, status=answer)

    @extend_schema(tags=["knowledge"], summary="Every failed item of an import, as CSV",
                   parameters=[OpenApiParameter("job_id", str, OpenApiParameter.PATH, description="The job id.")],
                   responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="errors", url_name="errors",
            content_negotiation_class=JsonErrorsNegotiation)
    def errors(self, request, job_id=None):
        job = self.get_object()
        if job.errors_csv_gzip is None:
            raise NotFound("No item of this import failed.")
        return csv_download(job.errors_csv_gzip, file_name=f"knowledge-import-errors-{job.created_at:%Y%m%d-%H%M}.csv")

    @extend_schema(tags=["knowledge"], summary="An import's outcome",
                   parameters=[OpenApiParameter("job_id", str, OpenApiParameter.PATH, description="The job id.")])
    def retrieve(self, request, job_id=None):
        return Response(ImportJobSerializer(self.get_object()).data)
