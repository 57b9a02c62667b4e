"""Password checks behind every door: the API login, the admin login (``auth_backend``) and
change-password. Each goes through the same throttle and lockout (``login_guard``) and the same
canonical login name (``identity``)."""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from . import login_guard
from .identity import canonical_email
from .login_guard import LoginRefused
from .models import User

__all__ = ["InvalidCredentials", "LoginRefused", "user_authenticate", "user_change_password"]

WRONG_OLD_PASSWORD = "The current password is not correct."
# Checked against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = make_password("not-a-real-password-timing-equaliser")


class InvalidCredentials(Exception):
    """Wrong password, unknown login or inactive account: one answer for all three."""


def user_authenticate(*, login: str, password: str, ip: str | None) -> User:
    """The active user with this login and password, or ``InvalidCredentials``; ``LoginRefused``
    (before any password is checked) when the login name or the address is throttled or locked."""
    login = canonical_email(login)
    login_guard.admit(login=login, ip=ip)
    user = User.objects.select_related("gym", "branch").filter(email=login).first()
    if user is None:
        User(password=_DUMMY_HASH).check_password(password)
    if user is None or not user.check_password(password) or not user.is_active:
        login_guard.record_failure(login=login, ip=ip)
        raise InvalidCredentials
    login_guard.record_success(login=login)
    return user


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str, ip: str | None) -> None:
    """Wrong old passwords count as failed logins of the account (a stolen access token is no
    password oracle). Saving the new password ends every session (``User.save``)."""
    login_guard.admit(login=user.email, ip=ip)
    if not user.check_password(old_password):
        login_guard.record_failure(login=user.email, ip=ip)
        raise ValidationError({"old_password": [WRONG_OLD_PASSWORD]})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages})
    user.set_password(new_password)
    user.save()
