from django.db import models
from django.db.models import F, Q

from leads.models import Lead
from tenants.models import Branch, GymOwned, User, default_call_days, validate_call_days

from .indexes import sort_index
from .tally import CALL_TALLY

MAX_DURATION_SECONDS = 24 * 60 * 60


class CallDirection(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class CallStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    VOICEMAIL = "voicemail", "Voicemail"
    MISSED = "missed", "Missed"
    CANCELED = "canceled", "Canceled"


# Calls that were never placed do not count as calls of the lead (call_count, last_called).
NOT_PLACED = (CallStatus.QUEUED, CallStatus.CANCELED)


class CallOutcome(models.TextChoices):
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    CALLBACK_REQUESTED = "callback_requested", "Callback requested"
    NOT_INTERESTED = "not_interested", "Not interested"
    UNDECIDED = "undecided", "Undecided"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    LEFT_MESSAGE = "left_message", "Left message"
    INFORMATION_PROVIDED = "information_provided", "Information provided"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class CallPurpose(models.TextChoices):
    """Why an outbound call is made: campaigns and staff reach out; the show-rate engine
    (appointments/showrate) confirms an appointment the day before and recalls a no-show."""

    OUTREACH = "outreach", "Outreach"
    CONFIRMATION = "confirmation", "Appointment confirmation"
    RECALL = "recall", "No-show recall"


# Purposes that are about one appointment: such a call names it, at most one per purpose.
APPOINTMENT_PURPOSES = (CallPurpose.CONFIRMATION, CallPurpose.RECALL)


class HandledBy(models.TextChoices):
    AI = "ai", "AI voice agent"
    STAFF = "staff", "Staff"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELED = "canceled", "Canceled"


class Campaign(GymOwned):
    """Whom the voice agent calls, when, and how often."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # A campaign is configuration, not history: deleting its branch makes it gym-wide.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    call_days = models.JSONField(default=default_call_days, validators=[validate_call_days])
    call_hours_start = models.TimeField(default="09:00")
    call_hours_end = models.TimeField(default="19:00")
    max_calls_per_day = models.PositiveIntegerField(default=100)
    retry_attempts = models.PositiveSmallIntegerField(default=2)
    retry_gap_days = models.PositiveSmallIntegerField(default=1)
    leads = models.ManyToManyField(Lead, through="CampaignLead", related_name="+", blank=True)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_date__isnull=True) | Q(end_date__isnull=True)
                                   | Q(start_date__lte=F("end_date")), name="campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(call_hours_start__lt=F("call_hours_end")),
                                   name="campaign_call_hours_ordered"),
            models.CheckConstraint(condition=Q(max_calls_per_day__gte=1), name="campaign_max_calls_positive"),
        ]
        indexes = [
            sort_index("gym", "-created_at", name="campaign_gym_created"),
            sort_index("gym", "-name", name="campaign_gym_name"),
            sort_index("gym", "-start_date", name="campaign_gym_start"),
            models.Index(fields=["gym", "status"], name="campaign_gym_status"),
        ]

    def __str__(self):
        return self.name


class CampaignLead(GymOwned):
    """A lead's membership of a campaign, a tenant row of its own like the lead-tag link."""

    # The unique (campaign, lead) constraint indexes campaign first.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="campaign_leads", db_index=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")

    class Meta(GymOwned.Meta):
        constraints = [models.UniqueConstraint(fields=["campaign", "lead"], name="campaign_lead_unique")]

    def __str__(self):
        return f"{self.lead_id} in {self.campaign_id}"


class Call(GymOwned):
    """One phone call with a lead, placed or answered by the AI voice agent or by staff."""

    # A call is part of its lead's history: it goes when the lead goes.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="calls")
    # History keeps its branch: a branch with calls cannot be deleted (deactivate it instead).
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.RESTRICT, related_name="calls")
    # A campaign with calls cannot be deleted (cancel or complete it instead): it names them.
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.RESTRICT, related_name="calls")
    direction = models.CharField(max_length=16, choices=CallDirection.choices, default=CallDirection.OUTBOUND)
    status = models.CharField(max_length=16, choices=CallStatus.choices, default=CallStatus.QUEUED)
    outcome = models.CharField(max_length=32, choices=CallOutcome.choices, null=True, blank=True)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds.")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    summary = models.TextField(blank=True, default="")
    # [{"speaker": "agent"|"customer"|"system", "text": str, "timestamp": seconds | null}]
    transcript = models.JSONField(null=True, blank=True)
    metrics = models.JSONField(null=True, blank=True)
    recording_url = models.URLField(max_length=2000, blank=True, default="")
    handled_by = models.CharField(max_length=8, choices=HandledBy.choices, default=HandledBy.STAFF)
    external_call_id = models.CharField(max_length=128, blank=True, default="",
                                        help_text="The voice platform's id of the call (unique per gym).")
    purpose = models.CharField(max_length=16, choices=CallPurpose.choices, default=CallPurpose.OUTREACH)
    # The appointment a confirmation or recall call is about. History outlives it (SET_NULL); the
    # unique constraint below indexes it.
    appointment = models.ForeignKey("appointments.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="calls", db_index=False)

    class Meta(GymOwned.Meta):
        ordering = [F("start_time").desc(nulls_last=True), "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gym", "external_call_id"], condition=~Q(external_call_id=""),
                                    name="call_external_id_unique_per_gym"),
            models.CheckConstraint(condition=Q(start_time__isnull=True) | Q(end_time__isnull=True)
                                   | Q(end_time__gte=F("start_time")), name="call_end_after_start"),
            models.CheckConstraint(condition=Q(duration__isnull=True) | Q(duration__lte=MAX_DURATION_SECONDS),
                                   name="call_duration_at_most_a_day"),
            # Never twice: one confirmation call and one recall call per appointment, whatever
            # becomes of them (a rescheduled appointment's replacement is a new appointment).
            models.UniqueConstraint(fields=["appointment", "purpose"], condition=Q(appointment__isnull=False),
                                    name="call_one_per_appointment_and_purpose"),
            models.CheckConstraint(condition=~Q(purpose=CallPurpose.OUTREACH) | Q(appointment__isnull=True),
                                   name="call_outreach_without_appointment"),
        ]
        # Every index starts with the gym; each sort and filter of GET /api/calls has one (see docs/calls.md).
        indexes = [
            sort_index("gym", "-start_time", name="call_gym_start"),
            sort_index("gym", "-created_at", name="call_gym_created"),
            sort_index("gym", "-scheduled_at", name="call_gym_scheduled"),
            sort_index("gym", "-duration", name="call_gym_duration"),
            sort_index("gym", "lead", "-start_time", name="call_gym_lead_start"),
            sort_index("gym", "branch", "-start_time", name="call_gym_branch_start"),
            sort_index("gym", "status", "-start_time", name="call_gym_status_start"),
            sort_index("gym", "outcome", "-start_time", name="call_gym_outcome_start",
                         condition=Q(outcome__isnull=False)),
            sort_index("gym", "campaign", "-start_time", name="call_gym_campaign_start",
                         condition=Q(campaign__isnull=False)),
            # Campaign statistics count (campaign, status) and (campaign, outcome) from the index alone.
            models.Index(fields=["gym", "campaign", "status", "outcome"], name="call_gym_campaign_stats",
                         condition=Q(campaign__isnull=False)),
            models.Index(fields=["gym", "direction"], name="call_gym_direction"),
            models.Index(fields=["gym", "sentiment"], name="call_gym_sentiment", condition=Q(sentiment__isnull=False)),
            # Date ranges: started calls by start_time (above), the others by scheduled_at.
            models.Index(fields=["gym", "scheduled_at"], name="call_gym_unstarted", condition=Q(start_time__isnull=True)),
            # The dialer's due list (voice.selectors.calls_due): queued calls by the time they are for.
            models.Index(fields=["gym", "scheduled_at", "id"], name="call_gym_queued", condition=Q(status="queued")),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} call with {self.lead.full_name}"  # how the admin names it


class CallNote(GymOwned):
    """A staff member's note on a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="call_notes")
    # Users are deactivated, not deleted; null means the note was written by the system or the voice agent.
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    content = models.TextField(max_length=10_000)

    class Meta(GymOwned.Meta):
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["gym", "call", "created_at", "id"], name="callnote_gym_call_created")]

    def __str__(self):
        return self.content[:80]


class CallTally(models.Model):
    """How many calls of a gym have each (branch, campaign, direction, status, outcome, sentiment).

    Derived data written only by database triggers (calls/tally.py), never by code; it serves the
    call list's ``total``. Not a GymOwned row: the triggers insert it, so its key comes from the
    database. No foreign keys either: rows follow the calls alone (a row whose count falls to 0 is
    removed, so deleting a gym's calls leaves nothing behind). Null branch and campaign are the nil
    UUID, null outcome and sentiment "".
    """

    gym_id = models.UUIDField()
    branch_key = models.UUIDField()
    campaign_key = models.UUIDField()
    direction = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    outcome = models.CharField(max_length=32)
    sentiment = models.CharField(max_length=16)
    calls = models.BigIntegerField()

    tally = CALL_TALLY

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["gym_id", "branch_key", "campaign_key", "direction", "status", "outcome", "sentiment"],
            name="calltally_key")]
        indexes = [models.Index(fields=["gym_id", "campaign_key"], name="calltally_campaign")]  # campaign statistics

    def __str__(self):
        return f"{self.calls} {self.direction} {self.status} calls"
