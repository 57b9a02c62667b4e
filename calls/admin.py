from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from console.filters import when_filter
from console.links import change_link
from console.refusals import REFUSALS, refusal
from leads.activity import Actor
from tenants.admin_base import GymScopedAdmin, GymScopedInline, role_action, staff_name
from tenants.admin_times import local_text, local_time, local_time_column, row_timezone
from tenants.permissions import ADMIN_MANAGER, ALL_ROLES
from voice.scheduler import Skipped, campaigns_schedule

from . import selectors, services
from .models import NOT_PLACED, Call, CallNote, Campaign, CampaignLead, CampaignStatus

# What a placed call keeps editable: the operator's reading of it. Everything else is history.
PLACED_EDITABLE = ["outcome", "sentiment", "notes"]
SPEAKERS = {"agent": "Agent", "customer": "Lead", "system": "System"}


def _seconds(value):
    if value is None:
        return ""
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}:{seconds:02d}"


class CallNoteInline(GymScopedInline):
    model = CallNote
    fields = ["content", "author_name", "created_at_local"]
    readonly_fields = ["author_name", "created_at_local"]
    # Agents write notes on calls, as in the API.
    write_roles = ALL_ROLES
    delete_roles = ADMIN_MANAGER
    created_at_local = local_time_column("created_at", "Written")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "call__branch")

    @admin.display(description="Author")
    def author_name(self, note):
        return staff_name(note.author) if note.author_id else "Voice agent / system"

    def has_change_permission(self, request, obj=None):
        return False  # a note is kept as written; new ones are added


@admin.register(Call)
class CallAdmin(GymScopedAdmin):
    """Calls are logged through the API and the voice agent; here operators read them, add notes
    and correct their reading (outcome, sentiment). A call not placed yet (queued) may still be
    changed. Changes go through the call services so the lead's counters and timeline stay true."""

    list_display = ["when", "lead_name", "direction", "status", "outcome", "duration_display", "campaign", "branch"]
    list_display_links = ["when"]
    list_filter = [when_filter("start_time", title="started", choices=("today", "week", "last_7_days", "month")),
                   "direction", "status", "outcome", "campaign", "branch", "sentiment", "handled_by"]
    list_select_related = ["lead", "campaign", "branch"]
    search_fields = ["lead__first_name", "lead__last_name", "lead__phone", "external_call_id"]
    fieldsets = [
        (None, {"fields": ["lead_link", "direction", "status", "outcome", "sentiment", "handled_by", "campaign",
                           "branch"]}),
        ("When", {"fields": ["start_time_local", "end_time_local", "duration_display", "scheduled_at_local"]}),
        ("Conversation", {"fields": ["summary", "recording", "transcript_view", "metrics_table", "notes"]}),
        ("Record", {"classes": ["collapse"], "fields": ["external_call_id", "created_at_local", "updated_at_local"]}),
    ]
    queued_fieldsets = [
        (None, {"fields": ["lead_link", "direction", "status", "outcome", "sentiment", "handled_by", "campaign",
                           "branch"]}),
        ("When", {"fields": ["scheduled_at", "start_time", "end_time", "duration"]}),
        ("Conversation", {"fields": ["summary", "notes"]}),
    ]
    inlines = [CallNoteInline]
    # As the API: every role logs and updates calls; admins and managers delete them.
    write_roles = ALL_ROLES
    delete_roles = ADMIN_MANAGER
    start_time_local = local_time_column("start_time", "Started", fmt="%Y-%m-%d %H:%M:%S")
    end_time_local = local_time_column("end_time", "Ended", fmt="%Y-%m-%d %H:%M:%S")
    scheduled_at_local = local_time_column("scheduled_at", "Scheduled for")
    created_at_local = local_time_column("created_at", "Logged")
    updated_at_local = local_time_column("updated_at", "Updated")

    # --- list ---------------------------------------------------------------------------

    @admin.display(description="When", ordering="start_time")
    def when(self, call):
        if call.start_time is not None:
            return local_time(call.start_time, row_timezone(call))
        return format_html("{} (scheduled)", self.scheduled_at_local(call)) if call.scheduled_at else "-"

    @admin.display(description="Lead", ordering="lead__first_name")
    def lead_name(self, call):
        return change_link(call.lead, call.lead.full_name)

    @admin.display(description="Duration", ordering="duration")
    def duration_display(self, call):
        return _seconds(call.duration) or "-"

    # --- page -----------------------------------------------------------------------------

    def _placed(self, obj):
        return obj is not None and obj.status not in NOT_PLACED

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if self._placed(obj) else self.queued_fieldsets

    def get_readonly_fields(self, request, obj=None):
        shown = ["lead_link", "duration_display", "start_time_local", "end_time_local", "scheduled_at_local",
                 "recording", "transcript_view", "metrics_table", "created_at_local", "updated_at_local"]
        if not self._placed(obj):
            return shown
        history = [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]
                   if name not in PLACED_EDITABLE]
        return list(dict.fromkeys([*shown, *history]))

    @admin.display(description="Lead")
    def lead_link(self, call):
        return change_link(call.lead, call.lead.full_name)

    @admin.display(description="Recording")
    def recording(self, call):
        if not call.recording_url:
            return "No recording"
        return format_html('<audio class="recording" controls preload="none" src="{}"></audio>'
                           '<br><a href="{}" rel="noopener noreferrer" target="_blank">Open the recording</a>',
                           call.recording_url, call.recording_url)

    @admin.display(description="Transcript")
    def transcript_view(self, call):
        if not call.transcript:
            return "No transcript"
        turns = format_html_join(
            "", '<div class="turn turn-{}"><span class="speaker">{}</span><span class="at">{}</span>'
                '<div class="text">{}</div></div>',
            ((turn["speaker"], SPEAKERS.get(turn["speaker"], turn["speaker"]),
              _seconds(turn.get("timestamp")), turn["text"]) for turn in call.transcript))
        return format_html('<div class="transcript">{}</div>', turns)

    @admin.display(description="Metrics")
    def metrics_table(self, call):
        if not call.metrics:
            return "No metrics"
        if not isinstance(call.metrics, dict):
            return str(call.metrics)
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>",
                                ((str(key).replace("_", " ").capitalize(), value)
                                 for key, value in sorted(call.metrics.items())))
        return format_html('<table class="metrics">{}</table>', rows)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # "Outbound call with Maya Lopez, 2026-12-04 18:02 EST"
            context["subtitle"] = f"{obj}, {local_text(obj.start_time or obj.scheduled_at, row_timezone(obj))}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request, obj=None):
        return False  # calls are queued from the lead's page ("Call the lead now") or logged through the API

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.CALL_FIELDS}
        services.call_update(call=obj, actor=Actor.for_user(request.user), **fields)

    def delete_model(self, request, obj):
        services.call_delete(call=obj, actor=Actor.for_user(request.user))

    def delete_queryset(self, request, queryset):
        for call in queryset:
            self.delete_model(request, call)

    def save_formset(self, request, form, formset, change):
        """New notes are added through the service (timeline entry, author)."""
        if formset.model is not CallNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            if note._state.adding:
                services.call_note_add(call=form.instance, author=request.user, content=note.content)
        for note in formset.deleted_objects:
            note.delete()


class CampaignLeadInline(GymScopedInline):
    model = CampaignLead
    raw_id_fields = ["lead"]
    fields = ["lead", "created_at_local"]
    readonly_fields = ["created_at_local"]
    write_roles = ADMIN_MANAGER
    delete_roles = ADMIN_MANAGER
    created_at_local = local_time_column("created_at", "Added")


@admin.register(Campaign)
class CampaignAdmin(GymScopedAdmin):
    list_display = ["name", "status", "branch", "start_date", "end_date", "total_leads", "completed_calls",
                    "successful_calls"]
    list_filter = ["status", "branch"]
    search_fields = ["name", "description"]
    list_select_related = ["branch"]
    inlines = [CampaignLeadInline]
    actions = ["schedule_now", "pause", "resume"]
    # As the API (settings/campaigns): admins and managers.
    write_roles = ADMIN_MANAGER
    delete_roles = ADMIN_MANAGER

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

    @role_action(roles=ADMIN_MANAGER, description="Schedule today's calls now")
    def schedule_now(self, request, queryset):
        now = timezone.now()
        for campaign in queryset.select_related("gym"):
            [result] = campaigns_schedule(gym=campaign.gym, now=now, campaign=campaign)
            if result.calls:
                self.message_user(request, f"{campaign.name}: {len(result.calls)} call(s) queued for "
                                           f"{result.date:%Y-%m-%d}.", messages.SUCCESS)
            else:
                self.message_user(request, f"{campaign.name}: no call queued. {Skipped(result.skipped).label}.",
                                  messages.WARNING)

    @role_action(roles=ADMIN_MANAGER, description="Pause the selected campaigns")
    def pause(self, request, queryset):
        self._move(request, queryset, services.campaign_pause, CampaignStatus.PAUSED)

    @role_action(roles=ADMIN_MANAGER, description="Resume the selected campaigns")
    def resume(self, request, queryset):
        self._move(request, queryset, services.campaign_resume, CampaignStatus.ACTIVE)

    def _move(self, request, queryset, service, status):
        label = CampaignStatus(status).label.lower()
        for campaign in queryset:
            try:
                service(campaign=campaign)
            except REFUSALS as exc:
                reason = refusal(exc)
                self.message_user(request, f"{campaign.name}: {reason}", messages.WARNING)
            else:
                self.message_user(request, f"{campaign.name}: {label}.", messages.SUCCESS)
