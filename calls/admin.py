from django.contrib import admin
from django.db import models

from leads.activity import Actor
from tenants.admin_base import GymScopedAdmin, GymScopedInline

from . import selectors, services
from .models import Call, CallNote, Campaign, CampaignLead


class CallNoteInline(GymScopedInline):
    model = CallNote
    fields = ["content", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


@admin.register(Call)
class CallAdmin(GymScopedAdmin):
    """Calls are logged through the API and the voice agent; here operators read and correct them.
    Changes go through the call services so the lead's counters and timeline stay true."""

    list_display = ["__str__", "lead", "direction", "status", "outcome", "sentiment", "start_time", "duration",
                    "handled_by", "campaign"]
    list_filter = ["direction", "status", "outcome", "sentiment", "handled_by"]
    list_select_related = ["lead", "campaign"]
    date_hierarchy = "start_time"
    search_fields = ["lead__first_name", "lead__last_name", "lead__phone", "external_call_id"]
    readonly_fields = ["lead", "created_at", "updated_at"]
    fields = ["lead", "branch", "campaign", "direction", "status", "outcome", "sentiment", "start_time", "end_time",
              "duration", "scheduled_at", "summary", "notes", "transcript", "metrics", "recording_url", "handled_by",
              "external_call_id", "created_at", "updated_at"]
    inlines = [CallNoteInline]
    # Recording links come from the voice platform over https; say so rather than guess http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.CALL_FIELDS}
        services.call_update(call=obj, actor=Actor.for_user(request.user), **fields)

    def delete_model(self, request, obj):
        services.call_delete(call=obj, actor=Actor.for_user(request.user))

    def delete_queryset(self, request, queryset):
        for call in queryset:
            self.delete_model(request, call)

    def save_formset(self, request, form, formset, change):
        """New notes are added through the service (timeline entry, author); edits save as they are."""
        if formset.model is not CallNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            if note._state.adding:
                services.call_note_add(call=form.instance, author=request.user, content=note.content)
            else:
                note.save()
        for note in formset.deleted_objects:
            note.delete()


class CampaignLeadInline(GymScopedInline):
    model = CampaignLead
    raw_id_fields = ["lead"]
    fields = ["lead", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Campaign)
class CampaignAdmin(GymScopedAdmin):
    list_display = ["name", "status", "branch", "start_date", "end_date", "total_leads", "completed_calls",
                    "successful_calls"]
    list_filter = ["status"]
    search_fields = ["name", "description"]
    list_select_related = ["branch"]
    inlines = [CampaignLeadInline]

    def get_queryset(self, request):
        return selectors.with_campaign_stats(super().get_queryset(request))

    @admin.display(ordering="total_leads")
    def total_leads(self, campaign):
        return campaign.total_leads

    @admin.display(ordering="completed_calls")
    def completed_calls(self, campaign):
        return campaign.completed_calls

    @admin.display(ordering="successful_calls")
    def successful_calls(self, campaign):
        return campaign.successful_calls
