from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from reps_dashboard.errors import Conflict

from . import tokens
from .models import Branch, Gym, Role, User
from .scope import gym_scope


@transaction.atomic
def gym_create(*, name, timezone, branch_name, admin_email, admin_password, country="US", **gym_fields) -> Gym:
    """A gym, its first branch and its first admin, all or nothing (create_gym command). The gym's name
    must be new (case-insensitive) and the password must pass Django's password validators."""
    if Gym.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": [f'A gym named "{name.strip()}" already exists.']})
    try:
        validate_password(admin_password, user=User(email=admin_email))
    except ValidationError as exc:
        raise ValidationError({"admin_password": exc.messages})
    gym = Gym(name=name, timezone=timezone, country=country, **gym_fields)
    gym.full_clean()
    gym.save()
    with gym_scope(gym):
        branch = Branch.objects.create(gym=gym, name=branch_name)
        User.objects.create_user(admin_email, admin_password, gym=gym, branch=branch, role=Role.ADMIN, is_staff=True)
    return gym


@transaction.atomic
def user_create(*, gym, password, **fields) -> User:
    fields.setdefault("branch", None)
    return User.objects.create_user(fields.pop("email"), password, gym=gym, **fields)


@transaction.atomic
def user_update(*, user: User, password=None, **fields) -> User:
    """Role, activity or password changes revoke the user's existing tokens."""
    revoke = password is not None or ("is_active" in fields and not fields["is_active"] and user.is_active)
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        user.set_password(password)
    user.save()
    if revoke:
        tokens.revoke_all(user)
    return user


def user_deactivate(*, user: User) -> None:
    """DELETE keeps the row (history keeps its author) and ends every session."""
    user_update(user=user, is_active=False)


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    tokens.revoke_all(user)


def branch_delete(*, branch: Branch) -> None:
    """Domain rows point at their branch with on_delete=RESTRICT, so the database refuses."""
    try:
        with transaction.atomic():
            branch.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict("This branch still holds leads, calls or appointments; deactivate it instead "
                       "(PATCH is_active=false).")
