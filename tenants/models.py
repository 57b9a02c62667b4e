import uuid
import zoneinfo
from functools import lru_cache

import phonenumbers
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from .identity import canonical_email
from .managers import GymQuerySet, GymScopedManager, UserManager
from .roles import Role

CONFIRMATION_HOURS_MIN, CONFIRMATION_HOURS_MAX = 1, 168  # a confirmation call up to a week ahead
NO_SHOW_MARGIN_MAX = 24 * 60
CALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HEX_COLOR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Enter a colour as #RRGGBB, for example #1E88E5.")


@lru_cache(maxsize=1)
def _timezones():
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value):
    if value not in _timezones():
        raise ValidationError(f'"{value}" is not an IANA timezone name such as "America/New_York".')


def validate_country(value):
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f'"{value}" is not an ISO 3166 alpha-2 country code such as "US".')


def validate_call_days(value):
    if not isinstance(value, list) or any(day not in CALL_DAYS for day in value):
        raise ValidationError(f"Call days must be a list of {', '.join(CALL_DAYS)}.")
    if len(set(value)) != len(value):
        raise ValidationError("Call days must not repeat.")


def default_call_days():
    return ["mon", "tue", "wed", "thu", "fri"]


def default_opening_hours():
    """Per weekday, ``[open, close]`` as ``HH:MM`` in the branch's timezone, or null when closed."""
    weekday = ["06:00", "22:00"]
    return {"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday,
            "sat": ["08:00", "20:00"], "sun": ["08:00", "18:00"]}


class Gym(models.Model):
    """The tenant. Every other business row belongs to exactly one gym."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, default="US", validators=[validate_country])
    phone = models.CharField(max_length=32, blank=True, default="")
    address = models.CharField(max_length=500, blank=True, default="")
    call_hours_start = models.TimeField(default="09:00")
    call_hours_end = models.TimeField(default="19:00")
    call_days = models.JSONField(default=default_call_days, validators=[validate_call_days])
    # The show-rate ladder (docs/appointments.md): calls the voice agent makes around appointments.
    # Opt-in: a gym decides to phone its leads before and after their appointments.
    confirmation_calls_enabled = models.BooleanField(default=False)
    confirmation_hours_before = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(CONFIRMATION_HOURS_MIN), MaxValueValidator(CONFIRMATION_HOURS_MAX)],
        help_text="How long before an appointment its confirmation call is due, in hours.")
    no_show_margin_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MaxValueValidator(NO_SHOW_MARGIN_MAX)],
        help_text="How long after its start a no-show is recalled, at the earliest, in minutes.")
    recall_calls_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(call_hours_start__lt=models.F("call_hours_end")),
                name="gym_call_hours_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmation_hours_before__gte=CONFIRMATION_HOURS_MIN,
                                   confirmation_hours_before__lte=CONFIRMATION_HOURS_MAX),
                name="gym_confirmation_hours_range",
            ),
            models.CheckConstraint(condition=models.Q(no_show_margin_minutes__lte=NO_SHOW_MARGIN_MAX),
                                   name="gym_no_show_margin_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class GymOwned(models.Model):
    """Base of every tenant table: UUID id, NOT NULL gym, the fail-closed scoped manager."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gym = models.ForeignKey(Gym, on_delete=models.CASCADE, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GymScopedManager()
    all_gyms = models.Manager.from_queryset(GymQuerySet)()

    class Meta:
        abstract = True
        base_manager_name = "all_gyms"


class Branch(GymOwned):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=500, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    timezone = models.CharField(max_length=64, blank=True, default="", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    opening_hours = models.JSONField(default=default_opening_hours)

    class Meta(GymOwned.Meta):
        ordering = ["name", "id"]
        verbose_name_plural = "branches"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.timezone and self.gym_id:
            self.timezone = self.gym.timezone
        super().save(*args, **kwargs)

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone or self.gym.timezone)


class Tag(GymOwned):
    name = models.CharField(max_length=50)
    color = models.CharField(max_length=7, default="#607D8B", validators=[HEX_COLOR])

    class Meta(GymOwned.Meta):
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "gym", name="tag_name_unique_per_gym_ci"),
        ]

    def __str__(self):
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    """Gym staff. Email is the login (case-insensitive, unique across the system)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    gym = models.ForeignKey(Gym, null=True, blank=True, on_delete=models.CASCADE, related_name="users")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log into the Django admin.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moves on to revoke every token issued before (a new password, a deactivation: ``save``).
    token_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(gym__isnull=False),
                name="user_has_gym_unless_superuser",
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether the row was active when loaded (None when the field was deferred).
        self._active_when_loaded = self.__dict__.get("is_active")

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        """The email is stored in its canonical login form (``tenants.identity``).

        A new password or a deactivation ends every session, whoever saves it (the API, the
        admin, a command): ``token_version`` moves on, so every token issued before is refused.
        Reactivating keeps the new version: old tokens stay dead. A hasher upgrade at login
        (``check_password``) saves the password without ``set_password`` and ends nothing."""
        self.email = canonical_email(self.email)
        update_fields = kwargs.get("update_fields")
        changed = {"password"} if self._password is not None else set()
        if not self.is_active and self._active_when_loaded is not False:
            changed.add("is_active")
        if not self._state.adding and changed and (update_fields is None or changed & set(update_fields)):
            self.token_version += 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "token_version"}
        super().save(*args, **kwargs)
        self._active_when_loaded = self.is_active

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)
        if self.branch_id and self.gym_id and self.branch.gym_id != self.gym_id:
            raise ValidationError({"branch": "The branch must belong to the user's gym."})

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class ApiKey(GymOwned):
    """A machine client's key (the voice agent platform). Only a SHA-256 digest is stored: the
    key is 32 random bytes, so a fast hash is as safe as a slow one and keeps auth cheap."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters of the key, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(GymOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
