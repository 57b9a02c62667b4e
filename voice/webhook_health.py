"""What a gym needs to see when "no calls appear": when Retell's deliveries last arrived, and how
many were refused lately and why. Refusals are counted per hour (``WebhookRefusal``); nothing of a
refused body is kept (anyone who knows the URL can post to it)."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import RetellIntegration, WebhookRefusal

WINDOW = dt.timedelta(hours=24)
# Hours older than this are dropped as new ones are written.
KEEP = dt.timedelta(hours=48)
# last_webhook_at is a hint for people: written at most once a minute, not on every delivery.
SEEN_RESOLUTION = dt.timedelta(minutes=1)

BAD_SIGNATURE = "The signature is missing, malformed or does not match the webhook key."
STALE = "The signature's timestamp is more than 5 minutes away from our clock (a replay, or a wrong clock)."
DISABLED = "The integration is disabled (or has no API key): deliveries are refused."
UNREADABLE_KEY = "The stored key cannot be decrypted with FIELD_ENCRYPTION_KEY; save the key again."


@dataclass(frozen=True)
class WebhookHealth:
    last_webhook_at: dt.datetime | None
    last_webhook_error: str
    last_webhook_error_at: dt.datetime | None
    webhook_refused_24h: int


def webhook_refusal_record(*, integration: RetellIntegration, reason: str, now: dt.datetime | None = None) -> None:
    """Counts one refused delivery for ``integration`` (inside its gym's scope)."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = WebhookRefusal.objects.for_gym(integration.gym_id).filter(integration=integration)
    with transaction.atomic():
        if rows.filter(hour=hour).update(count=F("count") + 1, last_reason=reason[:200], last_at=now):
            return
        try:
            with transaction.atomic():
                WebhookRefusal.objects.create(gym_id=integration.gym_id, integration=integration, hour=hour, count=1,
                                              last_reason=reason[:200], last_at=now)
        except IntegrityError:  # a concurrent refusal opened the hour first
            rows.filter(hour=hour).update(count=F("count") + 1, last_reason=reason[:200], last_at=now)
        rows.filter(hour__lt=hour - KEEP).delete()


def webhook_seen(*, integration: RetellIntegration, now: dt.datetime | None = None) -> None:
    """Stamps ``last_webhook_at`` for a signed delivery (at most once a minute)."""
    now = now or timezone.now()
    if integration.last_webhook_at and integration.last_webhook_at > now - SEEN_RESOLUTION:
        return
    (RetellIntegration.objects.for_gym(integration.gym_id).filter(pk=integration.pk)
     .exclude(last_webhook_at__gt=now - SEEN_RESOLUTION).update(last_webhook_at=now))


def webhook_health(*, integration: RetellIntegration, now: dt.datetime | None = None) -> WebhookHealth:
    now = now or timezone.now()
    rows = WebhookRefusal.objects.for_gym(integration.gym_id).filter(integration=integration)
    latest = rows.order_by("-hour").values("last_reason", "last_at").first() or {}
    since = now.replace(minute=0, second=0, microsecond=0) - WINDOW + dt.timedelta(hours=1)
    refused = rows.filter(hour__gte=since).aggregate(total=Sum("count"))["total"] or 0
    return WebhookHealth(last_webhook_at=integration.last_webhook_at, last_webhook_error=latest.get("last_reason", ""),
                         last_webhook_error_at=latest.get("last_at"), webhook_refused_24h=refused)
