from django.urls import reverse
from rest_framework import serializers

from reps_dashboard.import_report import (
    BY_FIELD_HELP,
    ERROR_COUNT_HELP,
    ERRORS_CSV_HELP,
    MAX_LISTED,
    TRUNCATED_HELP,
)
from tenants.api.fields import GymScopedRelatedField
from tenants.models import Branch

from .models import (
    ANSWER_MAX,
    ANSWER_MIN,
    PRIORITY_MAX,
    PRIORITY_MIN,
    QUESTION_MAX,
    QUESTION_MIN,
    ImportJob,
    KnowledgeCategory,
    KnowledgeEntry,
    KnowledgeSource,
)


class SourceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeSource
        fields = ["id", "name", "type"]


class EntrySerializer(serializers.ModelSerializer):
    question = serializers.CharField(min_length=QUESTION_MIN, max_length=QUESTION_MAX)
    answer = serializers.CharField(min_length=ANSWER_MIN, max_length=ANSWER_MAX)
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices, default=KnowledgeCategory.GENERAL)
    priority = serializers.IntegerField(min_value=PRIORITY_MIN, max_value=PRIORITY_MAX, default=0)
    branch_id = GymScopedRelatedField(model=Branch, source="branch", allow_null=True, required=False,
                                      help_text="The branch this answer is for; null: every branch.")
    source = SourceSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = KnowledgeEntry
        fields = ["id", "question", "answer", "category", "priority", "branch_id", "source", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SearchHitSerializer(EntrySerializer):
    score = serializers.FloatField(read_only=True, help_text="Relevance, higher is better (not bounded).")

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "score"]


class SearchResultSerializer(serializers.Serializer):
    data = SearchHitSerializer(many=True)


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500, help_text="The caller's question, in their words.")
    branch_id = GymScopedRelatedField(model=Branch, required=False, allow_null=True,
                                      help_text="The caller's branch: its own entries outrank gym-wide ones.")
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


class CategoryCountSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices)
    count = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    total_entries = serializers.IntegerField()
    categories = CategoryCountSerializer(many=True)
    sources = serializers.IntegerField(help_text="Number of sources.")
    last_updated = serializers.DateTimeField(allow_null=True)


class SourceSerializer(serializers.ModelSerializer):
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = KnowledgeSource
        fields = ["id", "name", "type", "category", "url", "description", "status", "entry_count", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "status", "created_at", "updated_at"]


class SourceDeleteParamsSerializer(serializers.Serializer):
    delete_entries = serializers.BooleanField(default=False)


class UrlImportSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices, default=KnowledgeCategory.GENERAL)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_url(self, value):
        if value.split(":", 1)[0].lower() not in ("http", "https"):
            raise serializers.ValidationError("Only http and https URLs can be imported.")
        return value


class FileImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (question, answer[, category, priority]), JSON (a list of "
                                           "objects) or Markdown (a heading per question).")
    category = serializers.ChoiceField(choices=KnowledgeCategory.choices, default=KnowledgeCategory.GENERAL,
                                       help_text="Category of items that do not name one.")


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="CSV line (header = 1), JSON position, "
                                                              "Markdown heading line; null for the whole import.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    job_id = serializers.UUIDField(source="id", read_only=True)
    source_id = serializers.UUIDField(allow_null=True, read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True, help_text=f"The first {MAX_LISTED} errors.")
    error_count = serializers.IntegerField(read_only=True, help_text=ERROR_COUNT_HELP)
    errors_by_field = serializers.DictField(child=serializers.IntegerField(), read_only=True, help_text=BY_FIELD_HELP)
    errors_truncated = serializers.SerializerMethodField(help_text=TRUNCATED_HELP)
    errors_csv = serializers.SerializerMethodField(help_text=ERRORS_CSV_HELP)

    class Meta:
        model = ImportJob
        fields = ["job_id", "status", "source_id", "total", "created", "updated", "failed", "errors", "error_count",
                  "errors_by_field", "errors_truncated", "errors_csv", "created_at"]
        read_only_fields = fields

    def get_errors_truncated(self, job) -> bool:
        return job.error_count > len(job.errors)

    def get_errors_csv(self, job) -> str | None:
        return reverse("knowledge-import-errors", args=[job.pk]) if job.failed else None
