from django.contrib import admin
from django.urls import reverse

from tenants.admin_base import GymScopedAdmin
from tenants.admin_times import local_text, local_time_column, row_timezone
from tenants.permissions import ADMIN

from .models import RetellIntegration, WebhookEvent
from .webhook_health import webhook_health


@admin.register(RetellIntegration)
class RetellIntegrationAdmin(GymScopedAdmin):
    """Shown, not edited: the integration is configured through /api/settings/integrations/retell,
    where the API key is entered (it is never shown again) and the whole setting is validated."""

    list_display = ["__str__", "from_number", "enabled", "api_key_last4", "last_webhook_local", "refused_24h",
                    "updated_at_local"]
    list_filter = ["enabled"]
    fields = readonly_fields = ["agent_id", "from_number", "enabled", "api_key_last4", "webhook_api_key_last4",
                                "webhook_path", "last_webhook_local", "refused_24h", "last_webhook_error",
                                "created_at_local", "updated_at_local"]
    write_roles = delete_roles = ADMIN
    last_webhook_local = local_time_column("last_webhook_at", "Last webhook", fmt="%Y-%m-%d %H:%M:%S")
    created_at_local = local_time_column("created_at", "Created")
    updated_at_local = local_time_column("updated_at", "Updated")

    @admin.display(description="Refused (24 h)")
    def refused_24h(self, integration):
        return webhook_health(integration=integration).webhook_refused_24h

    @admin.display(description="Last refusal")
    def last_webhook_error(self, integration):
        health = webhook_health(integration=integration)
        if not health.last_webhook_error_at:
            return "-"
        return f"{health.last_webhook_error} ({local_text(health.last_webhook_error_at, row_timezone(integration))})"

    @admin.display(description="Webhook path")
    def webhook_path(self, integration):
        return reverse("voice-retell-webhook", kwargs={"integration_id": integration.pk})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(GymScopedAdmin):
    """Every signed delivery from Retell, as received: the audit trail of what the agent reported."""

    list_display = ["received_local", "event", "external_call_id", "outcome", "call"]
    list_filter = ["event", "outcome"]
    search_fields = ["external_call_id"]
    list_select_related = ["call"]
    date_hierarchy = "received_at"
    fields = readonly_fields = ["received_local", "event", "external_call_id", "outcome", "detail", "call", "integration",
                                "payload"]
    delete_roles = ADMIN
    received_local = local_time_column("received_at", "Received", fmt="%Y-%m-%d %H:%M:%S")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
