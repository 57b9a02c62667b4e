from django.contrib import admin

from tenants.admin_base import GymScopedAdmin
from tenants.admin_times import local_time_column
from tenants.permissions import ADMIN_MANAGER

from .models import ImportJob, KnowledgeEntry, KnowledgeSource


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(GymScopedAdmin):
    list_display = ["question", "category", "priority", "branch", "source", "updated_at_local"]
    list_filter = ["category", "priority"]
    search_fields = ["question", "answer"]
    list_select_related = ["branch", "source"]
    ordering = ["-updated_at"]
    # As the API: admins and managers write and delete the knowledge base.
    write_roles = delete_roles = ADMIN_MANAGER
    updated_at_local = local_time_column("updated_at", "Updated")


@admin.register(KnowledgeSource)
class KnowledgeSourceAdmin(GymScopedAdmin):
    list_display = ["name", "type", "category", "status", "url", "updated_at_local"]
    list_filter = ["type", "category", "status"]
    search_fields = ["name", "url", "description"]
    write_roles = delete_roles = ADMIN_MANAGER
    updated_at_local = local_time_column("updated_at", "Updated")


@admin.register(ImportJob)
class ImportJobAdmin(GymScopedAdmin):
    """Read-only: jobs are records of what an import did."""

    list_display = ["target", "kind", "status", "total", "created", "updated", "failed", "created_at_local"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "status", "source", "target", "total", "created", "updated", "failed", "errors"]
    created_at_local = local_time_column("created_at", "Started")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
