"""Gym API keys for machine clients (``Authorization: Api-Key <key>``)."""

import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from . import rls
from .models import ApiKey, ApiKeyScope, Gym

KEY_PREFIX = "rk_"
# Last-used is a hint for people, not an audit trail: write it at most once a minute per key.
_LAST_USED_RESOLUTION_SECONDS = 60


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, gym: Gym, name: str, scope: str = ApiKeyScope.VOICE, created_by=None) -> tuple[ApiKey, str]:
    """Returns the row and the plaintext key, which is never stored nor shown again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.all_gyms.create(gym=gym, name=name, scope=scope, prefix=raw[:10], digest=digest(raw),
                                 created_by=created_by)
    return key, raw


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """``request.user`` for a request authenticated by an API key: acts for its gym only."""

    key: ApiKey

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    role = None

    @property
    def gym(self):
        return self.key.gym

    @property
    def gym_id(self):
        return self.key.gym_id

    @property
    def pk(self):
        return None

    id = None


def principal_for(raw: str) -> ApiKeyPrincipal | None:
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key_digest = digest(raw)
    rls.set_api_key_digest(key_digest)  # the gym is not known yet: row-level security admits this key's row only
    key = ApiKey.all_gyms.select_related("gym").filter(digest=key_digest, revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS:
        ApiKey.all_gyms.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return ApiKeyPrincipal(key)
