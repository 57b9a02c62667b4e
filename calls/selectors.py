"""Call and campaign reads, shaped so a page costs the same queries whatever its size."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from .models import Call, CallNote, CallOutcome, CallStatus, Campaign, CampaignLead

# The columns a list row shows: never the transcript or metrics, only the lead's short form.
CALL_LIST_COLUMNS = (
    "id", "gym_id", "lead_id", "branch_id", "campaign_id", "direction", "status", "outcome", "sentiment",
    "start_time", "end_time", "duration", "scheduled_at", "notes", "summary", "recording_url", "handled_by",
    "external_call_id", "created_at", "updated_at",
    "lead__id", "lead__first_name", "lead__last_name", "lead__phone", "lead__email", "campaign__id", "campaign__name",
)
CALL_SHORT_COLUMNS = ("id", "direction", "status", "outcome", "start_time", "duration", "summary")


def call_list(*, gym):
    """The gym's calls for GET /api/calls (filters and ordering are applied by the view)."""
    return Call.objects.for_gym(gym).select_related("lead", "campaign").only(*CALL_LIST_COLUMNS)


def call_detail(*, gym):
    """Calls with everything the detail shows: lead, campaign, transcript, metrics and notes."""
    notes = CallNote.objects.for_gym(gym).select_related("author").order_by("created_at", "id")
    return (Call.objects.for_gym(gym).select_related("lead", "campaign")
            .prefetch_related(Prefetch("call_notes", queryset=notes)))


def call_notes(*, call):
    """A call's notes, oldest first (they read as a thread under the call)."""
    return (CallNote.objects.for_gym(call.gym_id).filter(call=call).select_related("author")
            .order_by("created_at", "id"))


def call_recent_for_lead(*, lead, limit=10):
    """The lead's latest calls in short form (lead detail): newest start first, never-started last."""
    return (Call.objects.for_gym(lead.gym_id).filter(lead=lead).only(*CALL_SHORT_COLUMNS)
            .order_by(F("start_time").desc(nulls_last=True), "-id")[:limit])


def call_by_external_id(*, gym, external_call_id):
    """The gym's call with this voice-platform id, or None (webhook upserts)."""
    if not external_call_id:
        return None
    return Call.objects.for_gym(gym).filter(external_call_id=external_call_id).first()


def _count(queryset):
    """A correlated ``COUNT(*)`` of ``queryset`` (filtered on one campaign), 0 when empty. Grouped
    by the campaign column, which its index holds: counted from the index alone."""
    counted = queryset.order_by().values("campaign").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_campaign_stats(queryset):
    """``total_leads``, ``completed_calls`` and ``successful_calls`` (outcome appointment_booked) as
    correlated counts: one query for any number of campaigns, each count read from an index."""
    calls = Call.all_gyms.filter(gym=OuterRef("gym"), campaign=OuterRef("pk"))
    return queryset.annotate(
        total_leads=_count(CampaignLead.all_gyms.filter(campaign=OuterRef("pk"))),
        completed_calls=_count(calls.filter(status=CallStatus.COMPLETED)),
        successful_calls=_count(calls.filter(outcome=CallOutcome.APPOINTMENT_BOOKED)),
    )


def campaign_list(*, gym):
    return with_campaign_stats(Campaign.objects.for_gym(gym))
