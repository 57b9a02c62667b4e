from django.db import models

from tenants.models import Branch, GymOwned

from .text import question_key as normalise_question

QUESTION_MIN, QUESTION_MAX = 5, 500
ANSWER_MIN, ANSWER_MAX = 10, 10_000
PRIORITY_MIN, PRIORITY_MAX = 0, 10


class KnowledgeCategory(models.TextChoices):
    GENERAL = "general", "General"
    MEMBERSHIP = "membership", "Membership"
    PRICING = "pricing", "Pricing"
    FACILITIES = "facilities", "Facilities"
    CLASSES = "classes", "Classes"
    TRAINERS = "trainers", "Trainers"
    POLICY = "policy", "Policy"
    OTHER = "other", "Other"


class SourceType(models.TextChoices):
    PDF = "pdf", "PDF"
    WEBSITE = "website", "Website"
    DOC = "doc", "Document"
    MANUAL = "manual", "Manual"
    OTHER = "other", "Other"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class KnowledgeSource(GymOwned):
    """Where entries came from: a web page, an uploaded file, or typed in by hand."""

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=16, choices=SourceType.choices, default=SourceType.MANUAL)
    category = models.CharField(max_length=16, choices=KnowledgeCategory.choices, default=KnowledgeCategory.GENERAL)
    url = models.URLField(max_length=2000, blank=True, default="")
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["gym", "url"], name="ksource_gym_url"),
            models.Index(fields=["gym", "name", "category"], name="ksource_gym_name"),
        ]

    def __str__(self):
        return self.name


class KnowledgeEntry(GymOwned):
    """One question the voice agent can answer. ``branch`` null: the answer holds for every branch;
    a branch's own entry on the same question overrides it there."""

    question = models.CharField(max_length=QUESTION_MAX)
    answer = models.TextField(max_length=ANSWER_MAX)
    category = models.CharField(max_length=16, choices=KnowledgeCategory.choices, default=KnowledgeCategory.GENERAL)
    priority = models.PositiveSmallIntegerField(default=0)
    # Knowledge is not history: deleting a branch takes its own answers with it.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(KnowledgeSource, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="entries")
    question_key = models.CharField(max_length=QUESTION_MAX, editable=False, db_index=False)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "knowledge entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(priority__gte=PRIORITY_MIN, priority__lte=PRIORITY_MAX),
                                   name="kentry_priority_0_10"),
        ]
        # The full-text (GIN on the weighted tsvector) and trigram indexes are PostgreSQL-only;
        # migration 0002 creates them there (see docs/knowledge.md).
        indexes = [
            models.Index(fields=["gym", "-created_at", "-id"], name="kentry_gym_created"),
            models.Index(fields=["gym", "category"], name="kentry_gym_category"),
            models.Index(fields=["gym", "source", "question_key"], name="kentry_gym_source_key"),
            models.Index(fields=["gym", "branch"], name="kentry_gym_branch"),
        ]

    def __str__(self):
        return self.question[:80]

    def save(self, *args, **kwargs):
        self.question_key = normalise_question(self.question)
        if kwargs.get("update_fields") is not None and "question" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "question_key"}
        super().save(*args, **kwargs)


class ImportJob(GymOwned):
    """The record of one import (URL or file): counts and per-item errors, kept for GET."""

    class Kind(models.TextChoices):
        URL = "url", "URL"
        FILE = "file", "File"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    source = models.ForeignKey(KnowledgeSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    target = models.CharField(max_length=2000, help_text="The URL or file name imported.")
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # [{"row": int | null, "field": str | null, "message": str}]: the first errors only
    # (reps_dashboard/import_report.py); the counts and the CSV of every failed item cover them all.
    errors = models.JSONField(default=list, blank=True)
    # A large file waiting for a worker (knowledge.tasks.run_file_import); dropped once imported.
    content = models.BinaryField(default=b"", editable=False)
    error_count = models.PositiveIntegerField(default=0)
    errors_by_field = models.JSONField(default=dict, blank=True)
    errors_csv_gzip = models.BinaryField(null=True, blank=True, help_text="Every failed item, as a gzip-compressed CSV.")

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} import of {self.target} ({self.status})"
