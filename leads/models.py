from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Concat, Lower

from knowledge.models import ImportStatus
from reps_dashboard.tally import Key, Tally
from tenants.models import Branch, GymOwned, Tag, User


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    CONVERTED = "converted", "Converted"
    LOST = "lost", "Lost"


class LeadSource(models.TextChoices):
    WEBSITE = "website", "Website"
    REFERRAL = "referral", "Referral"
    WALK_IN = "walk_in", "Walk-in"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social"
    OTHER = "other", "Other"


class LeadStage(models.TextChoices):
    """How far a lead ever got in the pipeline (the analytics funnel): ``lost`` does not move it,
    and a lead that was qualified and then lost stays ``qualified``."""

    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    CONVERTED = "converted", "Converted"


_STAGE_RANK = {stage: rank for rank, stage in enumerate(LeadStage.values)}


def stage_after(stage: str, status: str) -> str:
    """The stage reached once a lead at ``stage`` takes ``status``: the furthest of the two."""
    return status if _STAGE_RANK.get(status, -1) > _STAGE_RANK[stage] else stage


# Statuses the voice agent still calls (GET /api/leads/prioritized).
CALLABLE_STATUSES = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]
_CALLABLE = models.Q(do_not_call=False, status__in=CALLABLE_STATUSES)


class Lead(GymOwned):
    """A person who asked about joining. Phone is E.164, unique per gym."""

    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.RESTRICT, related_name="leads")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, help_text="E.164, normalised for the gym's country.")
    email = models.EmailField(max_length=254, blank=True, default="")
    status = models.CharField(max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    source = models.CharField(max_length=16, choices=LeadSource.choices, default=LeadSource.OTHER)
    notes = models.TextField(blank=True, default="")
    interest = models.CharField(max_length=200, blank=True, default="")
    interest_location = models.CharField(max_length=200, blank=True, default="")
    assigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_conversation_summary = models.TextField(blank=True, default="")
    last_called = models.DateTimeField(null=True, blank=True)
    # Maintained by the call services in the same transaction as the call row.
    call_count = models.PositiveIntegerField(default=0)
    # The first placed call (its start, else when it was logged): speed to lead. Kept with call_count.
    first_called_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Maintained by every write that changes the status (services, call effects, imports).
    stage_reached = models.CharField(max_length=16, choices=LeadStage.choices, default=LeadStage.NEW, editable=False)
    score = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    do_not_call = models.BooleanField(default=False)
    lost_reason = models.CharField(max_length=500, blank=True, default="")
    tags = models.ManyToManyField(Tag, through="LeadTag", related_name="leads", blank=True)
    # What `search` matches: names, email and the E.164 phone, lower-cased, kept by the database.
    # PostgreSQL adds a trigram index on it (migration 0003), so substring search stays indexed.
    search_text = models.GeneratedField(
        expression=Lower(Concat("first_name", models.Value(" "), "last_name", models.Value(" "), "email",
                                models.Value(" "), "phone", output_field=models.TextField())),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gym", "phone"], name="lead_phone_unique_per_gym"),
            models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=1),
                                   name="lead_score_between_0_and_1"),
        ]
        indexes = [
            # Filters, in the default order (newest first).
            models.Index(fields=["gym", "-created_at", "-id"], name="lead_gym_created"),
            models.Index(fields=["gym", "status", "-created_at"], name="lead_gym_status"),
            models.Index(fields=["gym", "branch", "-created_at"], name="lead_gym_branch"),
            models.Index(fields=["gym", "source", "-created_at"], name="lead_gym_source"),
            models.Index(fields=["gym", "assigned_to", "-created_at"], name="lead_gym_assignee"),
            # Sorts: each ends with id, the tie-breaker of every order, so a page is read straight
            # from the index instead of sorting a run of equal names or statuses.
            models.Index(fields=["gym", "status", "id"], name="lead_gym_status_sort"),
            models.Index(fields=["gym", "first_name", "id"], name="lead_gym_first_name"),
            models.Index(fields=["gym", "last_name", "id"], name="lead_gym_last_name"),
            models.Index(fields=["gym", "updated_at", "id"], name="lead_gym_updated"),
            models.Index(fields=["gym", "last_called", "id"], name="lead_gym_last_called"),
            models.Index(fields=["gym", "score", "id"], name="lead_gym_score"),
            models.Index(Lower("email"), "gym", name="lead_gym_email_ci"),
            # Analytics' speed to lead: the called leads of a period, read from the index alone.
            models.Index(fields=["gym", "created_at"], include=["first_called_at", "branch"],
                         condition=models.Q(first_called_at__isnull=False), name="lead_gym_created_called"),
            # The call queue (prioritized): never-called leads oldest first, then oldest last call.
            models.Index(fields=["gym", "created_at", "id"], name="lead_queue_never_called",
                         condition=_CALLABLE & models.Q(last_called__isnull=True)),
            models.Index(fields=["gym", "last_called", "id"], name="lead_queue_called",
                         condition=_CALLABLE & models.Q(last_called__isnull=False)),
            # The few do-not-call leads of a gym, which the voice agent's due list leaves out.
            models.Index(fields=["gym", "id"], name="lead_gym_do_not_call", condition=models.Q(do_not_call=True)),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class LeadTag(GymOwned):
    """The lead-tag link, a tenant row of its own so the database can check both ends' gym."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="lead_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="lead_tags")

    class Meta(GymOwned.Meta):
        constraints = [models.UniqueConstraint(fields=["lead", "tag"], name="lead_tag_unique")]
        indexes = [models.Index(fields=["gym", "tag", "lead"], name="lead_tag_gym_tag")]


class ActivityType(models.TextChoices):
    LEAD_CREATED = "lead_created", "Lead created"
    LEAD_UPDATED = "lead_updated", "Lead updated"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    TAG_ADDED = "tag_added", "Tag added"
    TAG_REMOVED = "tag_removed", "Tag removed"
    CALL_LOGGED = "call_logged", "Call logged"
    CALL_OUTCOME_SET = "call_outcome_set", "Call outcome set"
    NOTE_ADDED = "note_added", "Note added"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    APPOINTMENT_STATUS_CHANGED = "appointment_status_changed", "Appointment status changed"
    IMPORTED = "imported", "Imported"
    DO_NOT_CALL_SET = "do_not_call_set", "Do-not-call set"
    ENQUIRED_AGAIN = "enquired_again", "Enquired again"


class ActorType(models.TextChoices):
    USER = "user", "User"
    VOICE_AGENT = "voice_agent", "Voice agent"
    SYSTEM = "system", "System"


class LeadActivity(GymOwned):
    """One entry of a lead's timeline, written by the service that made the change."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    type = models.CharField(max_length=32, choices=ActivityType.choices)
    description = models.CharField(max_length=500)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices, default=ActorType.SYSTEM)
    actor_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "lead activities"
        indexes = [models.Index(fields=["lead", "-created_at", "-id"], name="activity_lead_created")]

    def __str__(self):
        return f"{self.type}: {self.description}"


LEAD_TALLY = Tally(
    name="leads_tally", source="leads_lead", table="leads_leadtally", counter="leads",
    keys=(Key("gym_id", "gym_id"), Key("branch_key", "branch_id", nullable_id=True), Key("status", "status"),
          Key("source", "source")),
)


class LeadTally(models.Model):
    """How many leads of a gym have each (branch, status, source): the lead list's ``total``
    without counting a big gym's rows on every page (reps_dashboard/tally.py).

    Few columns on purpose: a total sums every tally row of the gym, so the key stays at a few
    hundred rows per gym (the assignee as well would make it thousands, and a sum as slow as
    the count it replaces). Derived data written only by database triggers, never by code; no
    foreign keys (rows follow the leads alone, and a row whose count falls to 0 is removed). A
    null branch is the nil UUID.
    """

    gym_id = models.UUIDField()
    branch_key = models.UUIDField()
    status = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    leads = models.BigIntegerField()

    tally = LEAD_TALLY

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gym_id", "branch_key", "status", "source"],
                                               name="leadtally_key")]

    def __str__(self):
        return f"{self.leads} leads ({self.status}, {self.source})"


class LeadImportJob(GymOwned):
    """A lead import too large to answer inline, run by a worker (leads/import_jobs.py). The
    uploaded file is kept here until it is imported (a worker on another machine reads it from the
    database), then dropped; the report stays for ``GET /api/leads/import/{id}``."""

    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    file_name = models.CharField(max_length=255, blank=True, default="")
    content = models.BinaryField(default=b"")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    on_duplicate = models.CharField(max_length=8, default="skip")
    dry_run = models.BooleanField(default=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(default=0, help_text="Lead rows: counted from the file's lines until done.")
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Lead import of {self.file_name or 'a CSV file'} ({self.status})"
class LeadImportErrors(GymOwned):
    """Every failed row of one lead import, as a CSV to download (reps_dashboard/import_report.py):
    the import's answer lists only the first errors."""

    file_name = models.CharField(max_length=200)
    failed_rows = models.PositiveIntegerField()
    csv_gzip = models.BinaryField(help_text="The CSV, gzip-compressed.")

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "lead import errors"
        verbose_name_plural = "lead import errors"

    def __str__(self):
        return f"{self.failed_rows} failed rows of {self.file_name}"
