"""Call, call-note and campaign writes, shared by the API, the admin, the demo and the voice agent.

Every call write keeps its lead true in the same transaction: ``call_count`` and ``last_called``
are recomputed from the lead's placed calls (so a replayed or repeated update can never count
twice), ``last_conversation_summary`` follows the lead's latest summarised call, a newly
completed call moves a ``new`` lead to ``contacted``, and the timeline records what happened.
"""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from appointments.models import Appointment
from leads.activity import Actor, activity_record
from leads.models import ActivityType, ActorType, Lead, LeadStatus, stage_after
from reps_dashboard.errors import Conflict, InvalidTransition

from .models import (
    MAX_DURATION_SECONDS,
    NOT_PLACED,
    Call,
    CallDirection,
    CallNote,
    CallOutcome,
    CallPurpose,
    CallStatus,
    Campaign,
    CampaignLead,
    CampaignStatus,
    HandledBy,
)
from .transcripts import TranscriptError, parse_transcript

CALL_FIELDS = frozenset({
    "direction", "status", "outcome", "sentiment", "start_time", "end_time", "duration", "scheduled_at", "notes",
    "summary", "transcript", "metrics", "recording_url", "handled_by", "external_call_id", "campaign", "branch",
    "purpose", "appointment",
})
# Any of these says the call already happened, so a call logged with one is not merely queued.
HAPPENED = ("start_time", "end_time", "duration", "outcome", "transcript", "summary")
NOTE_MAX = 10_000
UNKNOWN_ID = "No such object: the id is unknown."
DO_NOT_CALL = "This lead is on the do-not-call list: an outbound call cannot be queued for them."


# --- calls -------------------------------------------------------------------------------


def call_create(*, gym, actor: Actor, lead: Lead, **fields) -> Call:
    """Log a call against ``lead`` (or queue one: with no fields it is an outbound call queued for now).

    Defaults: ``direction`` outbound; ``status`` queued when nothing says the call happened
    (no start/end time, duration, outcome, transcript or summary) and the call is outbound, else
    completed; ``scheduled_at`` now for a queued call; ``handled_by`` ai for the voice agent,
    staff otherwise; ``branch`` the lead's.
    """
    _check_fields(fields)
    _check_same_gym(gym.pk, lead_id=lead, campaign_id=fields.get("campaign"), branch_id=fields.get("branch"),
                    appointment_id=fields.get("appointment"))
    fields = {name: value for name, value in fields.items() if value is not None}
    direction = fields.setdefault("direction", CallDirection.OUTBOUND)
    happened = any(fields.get(name) not in (None, "", []) for name in HAPPENED)
    status = fields.setdefault(
        "status", CallStatus.QUEUED if direction == CallDirection.OUTBOUND and not happened else CallStatus.COMPLETED)
    if status == CallStatus.QUEUED:
        fields.setdefault("scheduled_at", timezone.now())
    fields.setdefault("handled_by", HandledBy.AI if actor.type == ActorType.VOICE_AGENT else HandledBy.STAFF)
    fields.setdefault("branch", lead.branch)
    if "transcript" in fields:
        fields["transcript"] = _transcript(fields["transcript"])
    with transaction.atomic():
        locked_lead = Lead.all_gyms.select_for_update().get(pk=lead.pk)
        call = Call(gym=gym, lead=locked_lead, **fields)
        _derive_duration(call, derive="duration" not in fields)
        _validate(call)
        _refuse_queueing_do_not_call(call, None, locked_lead)
        _refuse_duplicate_external_id(call)
        call.save()
        _apply_effects(call=call, before=None, lead=locked_lead, actor=actor)
    return call


def call_update(*, call: Call, actor: Actor, **fields) -> Call:
    """Change a call. Effects on the lead follow transitions of the stored row (read under a
    lock), so replaying the same update changes nothing and records nothing."""
    lead = fields.pop("lead", None)
    if lead is not None and lead.pk != call.lead_id:
        raise ValidationError({"lead_id": ["A call cannot be moved to another lead."]})
    _check_fields(fields)
    _check_same_gym(call.gym_id, campaign_id=fields.get("campaign"), branch_id=fields.get("branch"))
    if "transcript" in fields:
        fields["transcript"] = _transcript(fields["transcript"])
    with transaction.atomic():
        current = Call.all_gyms.select_for_update().get(pk=call.pk)
        before = copy.copy(current)
        for name, value in fields.items():
            setattr(current, name, value)
        timing_changed = "start_time" in fields or "end_time" in fields
        _derive_duration(current, derive=timing_changed and "duration" not in fields)
        if not _changed(before, current):
            return current
        _validate(current)
        locked_lead = Lead.all_gyms.select_for_update().get(pk=current.lead_id)
        _refuse_queueing_do_not_call(current, before, locked_lead)
        if current.external_call_id != before.external_call_id:
            _refuse_duplicate_external_id(current)
        current.save()
        dropped = before.summary if before.summary != current.summary else ""
        _apply_effects(call=current, before=before, lead=locked_lead, actor=actor, dropped_summary=dropped)
    return current


def call_set_outcome(*, call: Call, outcome: str, actor: Actor) -> Call:
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": [f'"{outcome}" is not a valid choice.']})
    return call_update(call=call, actor=actor, outcome=outcome)


def call_delete(*, call: Call, actor: Actor) -> None:
    """Delete a call (its notes go with it); the lead's counters are recomputed from the rest."""
    with transaction.atomic():
        current = Call.all_gyms.select_for_update().get(pk=call.pk)
        lead = Lead.all_gyms.select_for_update().get(pk=current.lead_id)
        current.delete()
        activity_record(lead=lead, type=ActivityType.LEAD_UPDATED, actor=actor,
                        description=f"{_call_label(current)} deleted",
                        data={"call_id": str(call.pk), "reason": "call_deleted"})
        _save_lead(lead, _lead_aggregates(lead, dropped_summary=current.summary))


def call_note_add(*, call: Call, author, content: str, actor: Actor | None = None) -> CallNote:
    """A note on ``call`` by ``author`` (a user, or None for the system / voice agent)."""
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": ["A note cannot be empty."]})
    if len(content) > NOTE_MAX:
        raise ValidationError({"content": [f"A note has at most {NOTE_MAX} characters."]})
    if actor is None:
        actor = Actor.for_user(author) if author is not None else Actor.system()
    with transaction.atomic():
        note = CallNote.all_gyms.create(gym_id=call.gym_id, call=call, author=author, content=content)
        activity_record(lead=call.lead, type=ActivityType.NOTE_ADDED, actor=actor,
                        description=f"Note on a call: {content[:200]}",
                        data={"call_id": str(call.pk), "note_id": str(note.pk)})
    return note


# --- campaigns ---------------------------------------------------------------------------

CAMPAIGN_FIELDS = frozenset({
    "name", "description", "branch", "status", "start_date", "end_date", "call_days", "call_hours_start",
    "call_hours_end", "max_calls_per_day", "retry_attempts", "retry_gap_days",
})


def campaign_create(*, gym, **fields) -> Campaign:
    """A campaign; call days and hours default to the gym's own."""
    _check_fields(fields, CAMPAIGN_FIELDS)
    _check_same_gym(gym.pk, branch_id=fields.get("branch"))
    fields.setdefault("call_days", list(gym.call_days))
    fields.setdefault("call_hours_start", gym.call_hours_start)
    fields.setdefault("call_hours_end", gym.call_hours_end)
    campaign = Campaign(gym=gym, **fields)
    _validate_campaign(campaign)
    campaign.save()
    return campaign


def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    _check_fields(fields, CAMPAIGN_FIELDS)
    _check_same_gym(campaign.gym_id, branch_id=fields.get("branch"))
    for name, value in fields.items():
        setattr(campaign, name, value)
    _validate_campaign(campaign)
    campaign.save()
    return campaign


def campaign_pause(*, campaign: Campaign) -> Campaign:
    """An active campaign stops queueing calls (the calls already queued stay queued)."""
    return _campaign_move(campaign, CampaignStatus.ACTIVE, CampaignStatus.PAUSED, "only an active one can be paused")


def campaign_resume(*, campaign: Campaign) -> Campaign:
    """A paused campaign queues calls again from its next run."""
    return _campaign_move(campaign, CampaignStatus.PAUSED, CampaignStatus.ACTIVE, "only a paused one can be resumed")


@transaction.atomic
def _campaign_move(campaign, source, target, rule):
    current = Campaign.all_gyms.select_for_update().get(pk=campaign.pk)
    if current.status != source:
        raise InvalidTransition(f"The campaign is {current.get_status_display().lower()}: {rule}.")
    current.status = target
    current.save(update_fields=["status", "updated_at"])
    return current


def campaign_delete(*, campaign: Campaign) -> None:
    if Call.all_gyms.filter(gym_id=campaign.gym_id, campaign=campaign).exists():
        raise Conflict("This campaign has calls, which keep its name; set its status to canceled or completed "
                       "instead of deleting it.")
    campaign.delete()


@transaction.atomic  # all the leads or none, and a failure leaves the caller's transaction usable
def campaign_add_leads(*, campaign: Campaign, leads) -> Campaign:
    """Add ``leads`` (all of the campaign's gym); leads already in the campaign stay as they are."""
    leads = list(leads)
    _check_same_gym(campaign.gym_id, lead_ids=leads)
    CampaignLead.all_gyms.bulk_create(
        [CampaignLead(gym_id=campaign.gym_id, campaign=campaign, lead=lead)
         for lead in {lead.pk: lead for lead in leads}.values()],
        ignore_conflicts=True,
    )
    return campaign


def campaign_remove_leads(*, campaign: Campaign, leads) -> Campaign:
    """Remove ``leads``; a lead that is not in the campaign is simply not there afterwards."""
    leads = list(leads)
    _check_same_gym(campaign.gym_id, lead_ids=leads)
    CampaignLead.all_gyms.filter(gym_id=campaign.gym_id, campaign=campaign,
                                 lead_id__in=[lead.pk for lead in leads]).delete()
    return campaign


# --- helpers -----------------------------------------------------------------------------


def _check_fields(fields, allowed=CALL_FIELDS):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected field(s): {', '.join(sorted(unknown))}")


def _check_same_gym(gym_id, **related):
    """Rows a service is handed must belong to its gym; another gym's row reads as unknown.
    Values are a row, a list of rows, or None; keys are the API's names for them."""
    for name, value in related.items():
        rows = value if isinstance(value, list | tuple) else [value]
        if any(row is not None and row.gym_id != gym_id for row in rows):
            raise ValidationError({name: [UNKNOWN_ID]})


def _transcript(value):
    try:
        return parse_transcript(value)
    except TranscriptError as exc:
        raise ValidationError({"transcript": [str(exc)]})


def _derive_duration(call, *, derive):
    if derive and call.start_time and call.end_time and call.end_time >= call.start_time:
        call.duration = round((call.end_time - call.start_time).total_seconds())


def _validate(call):
    # Enums, URL and lengths (and strings to values); related rows were checked already.
    call.full_clean(exclude=["gym", "lead", "branch", "campaign", "appointment"], validate_unique=False,
                    validate_constraints=False)
    errors = {}
    if call.start_time and call.end_time and call.end_time < call.start_time:
        errors["end_time"] = ["end_time must not be before start_time."]
    if call.duration is not None and call.duration < 0:
        errors["duration"] = ["A duration cannot be negative."]
    elif call.duration is not None and call.duration > MAX_DURATION_SECONDS:
        errors["duration"] = [f"A call lasts at most {MAX_DURATION_SECONDS} seconds (24 hours)."]
    if errors:
        raise ValidationError(errors)


def _changed(before, after):
    return any(getattr(before, field.attname) != getattr(after, field.attname)
               for field in Call._meta.concrete_fields if not field.generated)


def _refuse_queueing_do_not_call(call, before, lead):
    def queued_outbound(row):
        return row.direction == CallDirection.OUTBOUND and row.status == CallStatus.QUEUED

    if lead.do_not_call and queued_outbound(call) and (before is None or not queued_outbound(before)):
        raise Conflict(DO_NOT_CALL)


def _refuse_duplicate_external_id(call):
    if not call.external_call_id:
        return
    existing = (Call.all_gyms.filter(gym_id=call.gym_id, external_call_id=call.external_call_id)
                .exclude(pk=call.pk).values_list("pk", flat=True).first())
    if existing:
        raise Conflict("A call with this external_call_id already exists.", existing_id=existing)


def _call_label(call):
    return f"{call.get_direction_display()} call"


def _describe_duration(seconds):
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m {seconds:02d}s"


def _apply_effects(*, call, before, lead, actor, dropped_summary=""):
    """The lead's timeline and stored call fields after ``call`` went from ``before`` (None: new)."""
    call_id = str(call.pk)
    if before is None:
        detail = "queued" if call.status == CallStatus.QUEUED else f"logged ({call.get_status_display().lower()}"
        if call.status != CallStatus.QUEUED:
            detail += f", {_describe_duration(call.duration)})" if call.duration else ")"
        activity_record(lead=lead, type=ActivityType.CALL_LOGGED, actor=actor,
                        description=f"{_call_label(call)} {detail}",
                        data={"call_id": call_id, "direction": call.direction, "status": call.status})
    elif before.status != call.status:
        activity_record(lead=lead, type=ActivityType.CALL_LOGGED, actor=actor,
                        description=f"{_call_label(call)} {before.get_status_display().lower()} → "
                                    f"{call.get_status_display().lower()}",
                        data={"call_id": call_id, "direction": call.direction, "status": call.status,
                              "previous_status": before.status})
    previous_outcome = before.outcome if before is not None else None
    if call.outcome and call.outcome != previous_outcome:
        activity_record(lead=lead, type=ActivityType.CALL_OUTCOME_SET, actor=actor,
                        description=f"Call outcome: {call.get_outcome_display().lower()}",
                        data={"call_id": call_id, "outcome": call.outcome, "previous_outcome": previous_outcome})
    changes = _lead_aggregates(lead, dropped_summary=dropped_summary)
    became_completed = call.status == CallStatus.COMPLETED and (before is None or before.status != CallStatus.COMPLETED)
    if became_completed and lead.status == LeadStatus.NEW:
        changes["status"] = LeadStatus.CONTACTED
        changes["stage_reached"] = stage_after(lead.stage_reached, LeadStatus.CONTACTED)
        activity_record(lead=lead, type=ActivityType.STATUS_CHANGED, actor=actor,
                        description="Status changed from new to contacted after a completed call",
                        data={"from": LeadStatus.NEW, "to": LeadStatus.CONTACTED, "call_id": call_id})
    _save_lead(lead, changes)
    _mark_confirmation_placed(call)


def _mark_confirmation_placed(call):
    """A confirmation call that left the queue (whatever came of it) was placed: its appointment
    counts in the confirmation rate's denominator (docs/analytics.md)."""
    if call.purpose == CallPurpose.CONFIRMATION and call.appointment_id and call.status not in NOT_PLACED:
        Appointment.all_gyms.filter(pk=call.appointment_id, confirmation_called_at__isnull=True).update(
            confirmation_called_at=call.start_time or timezone.now())


def _lead_aggregates(lead, *, dropped_summary=""):
    """The lead's call fields as its calls say they are: only what differs from the row."""
    calls = Call.all_gyms.filter(gym_id=lead.gym_id, lead_id=lead.pk)
    placed = calls.exclude(status__in=NOT_PLACED).aggregate(
        count=Count("pk"), first=Min(Coalesce("start_time", "created_at")), last=Max(Coalesce("start_time", "created_at")))
    latest_summary = (calls.exclude(summary="")
                      .order_by(Coalesce("start_time", "created_at").desc(), "-id")
                      .values_list("summary", flat=True).first())
    if latest_summary is None:
        # No call carries a summary: keep one the lead got elsewhere (an import), unless it was the removed one.
        removed = dropped_summary and lead.last_conversation_summary == dropped_summary
        latest_summary = "" if removed else lead.last_conversation_summary
    wanted = {"call_count": placed["count"], "first_called_at": placed["first"], "last_called": placed["last"],
              "last_conversation_summary": latest_summary}
    return {name: value for name, value in wanted.items() if getattr(lead, name) != value}


def _save_lead(lead, changes):
    if not changes:
        return
    changes["updated_at"] = timezone.now()
    Lead.all_gyms.filter(pk=lead.pk).update(**changes)
    for name, value in changes.items():
        setattr(lead, name, value)


def _validate_campaign(campaign):
    campaign.full_clean(exclude=["gym", "branch"], validate_unique=False, validate_constraints=False)
    errors = {}
    if campaign.start_date and campaign.end_date and campaign.start_date > campaign.end_date:
        errors["end_date"] = ["end_date must not be before start_date."]
    if campaign.call_hours_start >= campaign.call_hours_end:
        errors["call_hours_end"] = ["Must be after call_hours_start."]
    if errors:
        raise ValidationError(errors)
