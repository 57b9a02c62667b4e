from django.contrib import admin

from tenants.admin_base import GymScopedAdmin

from .models import ImportJob, KnowledgeEntry, KnowledgeSource


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(GymScopedAdmin):
    list_display = ["question", "category", "priority", "branch", "source", "updated_at"]
    list_filter = ["category", "priority"]
    search_fields = ["question", "answer"]
    list_select_related = ["branch", "source"]
    ordering = ["-updated_at"]


@admin.register(KnowledgeSource)
class KnowledgeSourceAdmin(GymScopedAdmin):
    list_display = ["name", "type", "category", "status", "url", "updated_at"]
    list_filter = ["type", "category", "status"]
    search_fields = ["name", "url", "description"]


@admin.register(ImportJob)
class ImportJobAdmin(GymScopedAdmin):
    """Read-only: jobs are records of what an import did."""

    list_display = ["target", "kind", "status", "total", "created", "updated", "failed", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "status", "source", "target", "total", "created", "updated", "failed", "errors"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
