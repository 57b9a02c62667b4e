from django.db import models

from calls.models import Call
from tenants.models import GymOwned

from . import crypto


class RetellIntegration(GymOwned):
    """A gym's connection to its Retell AI agent: one per gym. Its id is in the webhook URL Retell
    posts to; the Retell API key (which signs those webhooks and places calls) is stored encrypted."""

    # The webhook finds its integration by the id in its URL before any gym is known (tenants/rls.py).
    rls_lookup_by_id = True

    api_key_encrypted = models.TextField(blank=True, default="", editable=False)
    api_key_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    # Retell verifies webhooks only with the key carrying its "webhook" badge: when it is not the
    # key that places calls, it is kept here (encrypted too) and checks the signatures instead.
    webhook_api_key_encrypted = models.TextField(blank=True, default="", editable=False)
    webhook_api_key_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    last_webhook_at = models.DateTimeField(null=True, blank=True, editable=False,
                                           help_text="When a signed delivery last arrived (to the minute).")
    agent_id = models.CharField(max_length=128, blank=True, default="", help_text="The Retell agent that places calls.")
    from_number = models.CharField(max_length=20, blank=True, default="",
                                   help_text="E.164: the Retell number outbound calls come from.")
    enabled = models.BooleanField(default=False)

    class Meta(GymOwned.Meta):
        constraints = [models.UniqueConstraint(fields=["gym"], name="retell_integration_one_per_gym")]

    def __str__(self):
        return f"Retell agent {self.agent_id or '(none)'}"

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    def set_api_key(self, raw: str) -> None:
        self.api_key_encrypted = crypto.encrypt(raw) if raw else ""
        self.api_key_last4 = raw[-4:] if raw else ""

    def set_webhook_api_key(self, raw: str) -> None:
        self.webhook_api_key_encrypted = crypto.encrypt(raw) if raw else ""
        self.webhook_api_key_last4 = raw[-4:] if raw else ""

    @property
    def webhook_key(self) -> str:
        """The key webhook signatures are checked with: the webhook key when set, else the API key."""
        if self.webhook_api_key_encrypted:
            return crypto.decrypt(self.webhook_api_key_encrypted)
        return self.api_key


class WebhookOutcome(models.TextChoices):
    CREATED = "created", "Call created"
    UPDATED = "updated", "Call updated"
    UNCHANGED = "unchanged", "Nothing new (a replay)"
    IGNORED = "ignored", "Event not handled"
    UNMATCHED = "unmatched", "No lead to attach the call to"
    INVALID = "invalid", "Payload refused"


# What each event says about a call, in the order Retell sends them: a later event never gives
# way to an earlier one that arrives after it (voice/webhooks.py).
EVENT_STAGES = {"call_started": 1, "call_ended": 2, "call_analyzed": 3}


class WebhookEvent(GymOwned):
    """One signed delivery from the voice platform, kept as received for audit. Deliveries whose
    signature fails are not stored (anyone who knows the URL could fill the table)."""

    integration = models.ForeignKey(RetellIntegration, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=64)
    external_call_id = models.CharField(max_length=128, blank=True, default="")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=WebhookOutcome.choices)
    detail = models.CharField(max_length=500, blank=True, default="")

    class Meta(GymOwned.Meta):
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["gym", "-received_at", "-id"], name="webhookevent_gym_received"),
            models.Index(fields=["gym", "call"], name="webhookevent_gym_call"),
            models.Index(fields=["gym", "external_call_id"], name="webhookevent_gym_external"),
        ]

    def __str__(self):
        return f"{self.event} {self.external_call_id}"

    @property
    def stage(self) -> int:
        return EVENT_STAGES.get(self.event, 0)


class WebhookRefusal(GymOwned):
    """Refused deliveries of one integration in one hour (bad signature, stale timestamp, disabled
    integration): a count and the last reason, never anything of the body. One row per hour, so
    a flood of forged deliveries costs an UPDATE each and no storage."""

    # Refused requests write this on purpose (the count is the point): the bad-input suite allows it.
    written_when_refused = True

    integration = models.ForeignKey(RetellIntegration, on_delete=models.CASCADE, related_name="refusals")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    last_reason = models.CharField(max_length=200)
    last_at = models.DateTimeField()

    class Meta(GymOwned.Meta):
        ordering = ["-hour"]
        constraints = [models.UniqueConstraint(fields=["integration", "hour"], name="webhookrefusal_one_per_hour")]

    def __str__(self):
        return f"{self.count} refused at {self.hour:%Y-%m-%d %H}h"
