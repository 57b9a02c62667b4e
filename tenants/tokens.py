"""JWT issue, rotation and revocation.

Access tokens live minutes, refresh tokens days (settings.SIMPLE_JWT). Every token carries the
user's ``token_version``; ``User.save`` moves it on for a new password or a deactivation, which
revokes every token issued before, access tokens included. Refresh tokens are also blacklisted
one by one (logout, rotation) through simplejwt's blacklist app.
"""

from django.conf import settings
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from .models import User

VERSION_CLAIM = "tv"


class TokenRevoked(Exception):
    pass


def issue_pair(user: User) -> dict:
    refresh = RefreshToken.for_user(user)
    refresh[VERSION_CLAIM] = user.token_version
    access = refresh.access_token
    return {
        "access_token": str(access),
        "refresh_token": str(refresh),
        "token_type": "bearer",
        "expires_in": int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    }


def user_for_token(token) -> User:
    """The active user a validated token belongs to, or ``TokenRevoked``."""
    user = User.objects.select_related("gym", "branch").filter(id=token.get("user_id")).first()
    if user is None or not user.is_active or token.get(VERSION_CLAIM) != user.token_version:
        raise TokenRevoked
    return user


def rotate(raw_refresh: str) -> tuple[User, dict]:
    """Trade a refresh token for a new pair; the old one stops working, exactly once."""
    try:
        refresh = RefreshToken(raw_refresh)  # checks signature, expiry and the blacklist
    except TokenError as exc:
        raise TokenRevoked from exc
    user = user_for_token(refresh)
    with transaction.atomic():
        _, created = _blacklist(refresh)
        if not created:  # a concurrent request rotated the same token first
            raise TokenRevoked
    return user, issue_pair(user)


def revoke(raw_refresh: str, user: User) -> None:
    try:
        refresh = RefreshToken(raw_refresh)
    except TokenError as exc:
        raise TokenRevoked from exc
    if str(refresh.get("user_id")) != str(user.id):
        raise TokenRevoked
    _blacklist(refresh)


def _blacklist(refresh: RefreshToken):
    outstanding = refresh.outstand()
    if isinstance(outstanding, tuple):
        outstanding = outstanding[0]
    return BlacklistedToken.objects.get_or_create(token=outstanding)
