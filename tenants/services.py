from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, RestrictedError

from reps_dashboard.errors import Conflict

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


LAST_ADMIN = ("{email} is the gym's last active admin: make another user an active admin first, "
              "then change this one.")


@transaction.atomic
def user_update(*, user: User, password=None, **fields) -> User:
    """A new password or a deactivation ends the user's sessions (``User.save``). The gym always
    keeps an active admin."""
    _keep_an_active_admin(user, fields)
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        user.set_password(password)
    user.save()
    return user


def _keep_an_active_admin(user: User, fields) -> None:
    leaves = (fields.get("role", user.role) != Role.ADMIN) or not fields.get("is_active", user.is_active)
    if not (user.is_admin and user.is_active and leaves):
        return
    # Locks the gym's active admins, so two admins demoting each other at once cannot both succeed.
    admins = (User.objects.select_for_update().filter(gym_id=user.gym_id, role=Role.ADMIN, is_active=True)
              .order_by("pk").values_list("pk", flat=True))
    if not [pk for pk in admins if pk != user.pk]:
        raise Conflict(LAST_ADMIN.format(email=user.email))


def user_deactivate(*, user: User) -> None:
    """DELETE keeps the row (history keeps its author) and ends every session."""
    user_update(user=user, is_active=False)


def branch_delete(*, branch: Branch) -> None:
    """Domain rows point at their branch with on_delete=RESTRICT, so the database refuses. The row
    lock waits for an import into the branch to end (it holds the branch: leads/importer.py), so
    the check sees the imported leads; the deferred foreign keys are checked here, not at commit."""
    try:
        with transaction.atomic():
            list(Branch.objects.for_gym(branch.gym).select_for_update().filter(pk=branch.pk).values_list("pk"))
            branch.delete()
            connection.check_constraints()
    except (ProtectedError, RestrictedError, IntegrityError):
        raise Conflict("This branch still holds leads, calls or appointments; deactivate it instead "
                       "(PATCH is_active=false).")
