from django.contrib.auth.models import BaseUserManager
from django.db import models

from .identity import canonical_email
from .scope import ALL_GYMS, current_gym


class GymQuerySet(models.QuerySet):
    def for_gym(self, gym):
        """Rows of ``gym`` only; no gym means no rows (fail closed)."""
        if gym is None or gym is ALL_GYMS:
            return self.none()
        return self.filter(gym=gym)


class GymScopedManager(models.Manager.from_queryset(GymQuerySet)):
    """Default manager of every tenant model.

    ``Model.objects`` filters to the gym of the open scope and returns no rows outside one.
    ``Model.objects.for_gym(gym)`` is the explicit form services use; it does not depend on the
    ambient scope. ``Model.all_gyms`` (a plain manager) is for audited system code only.
    """

    def get_queryset(self):
        gym = current_gym()
        queryset = super().get_queryset()
        if gym is ALL_GYMS:
            return queryset
        if gym is None:
            return queryset.none()
        return queryset.filter(gym=gym)

    def for_gym(self, gym):
        return super().get_queryset().for_gym(gym)


class UserManager(BaseUserManager.from_queryset(GymQuerySet)):
    """Users are looked up across gyms at login, so this manager is not ambiently scoped;
    every API read goes through ``for_gym``."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=canonical_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", "admin")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email=canonical_email(username))
