"""Secrets a gym gives us that we must use in clear (its Retell API key signs webhooks and places
calls, so it cannot be hashed): encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

``FIELD_ENCRYPTION_KEY`` is one or more comma-separated Fernet keys: the first encrypts, every one
decrypts, so a key is rotated by putting the new one first and re-saving the secrets.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableSecret(ValueError):
    """The stored value was encrypted under a key that is no longer configured."""


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    except (ValueError, TypeError):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
                                   "(generate one with: python -c \"from cryptography.fernet import Fernet; "
                                   "print(Fernet.generate_key().decode())\").")


def check_key() -> None:
    """Raises ImproperlyConfigured when FIELD_ENCRYPTION_KEY is not usable (checked at startup)."""
    _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt(text: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("The stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY.")
