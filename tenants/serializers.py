from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.api.fields import GymScopedRelatedField

from .identity import canonical_email
from .models import CALL_DAYS, ApiKey, Branch, Gym, Role, Tag, User, validate_country, validate_timezone


def _django_validator(validator):
    def run(value):
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)

    return run


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=64, **kwargs)
        self.validators.append(_django_validator(validate_timezone))


# Not OpenAPI's "time" format, which demands seconds and an offset.
@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "09:00"})
class HourMinuteField(serializers.TimeField):
    """``HH:MM`` in and out."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class CallDaysField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=CALL_DAYS), allow_empty=False, **kwargs)

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        if len(set(days)) != len(days):
            raise serializers.ValidationError("Call days must not repeat.")
        return sorted(days, key=CALL_DAYS.index)


class GymSerializer(serializers.ModelSerializer):
    timezone = TimezoneField(required=False)
    country = serializers.CharField(max_length=2, required=False, validators=[_django_validator(validate_country)])
    call_hours_start = HourMinuteField(required=False)
    call_hours_end = HourMinuteField(required=False)
    call_days = CallDaysField(required=False)

    class Meta:
        model = Gym
        fields = ["id", "name", "timezone", "country", "phone", "address", "call_hours_start", "call_hours_end",
                  "call_days", "confirmation_calls_enabled", "confirmation_hours_before", "no_show_margin_minutes",
                  "recall_calls_enabled"]
        read_only_fields = ["id"]

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("country"), str):
            data = {**data, "country": data["country"].upper()}
        return super().to_internal_value(data)

    def validate(self, attrs):
        start = attrs.get("call_hours_start", getattr(self.instance, "call_hours_start", None))
        end = attrs.get("call_hours_end", getattr(self.instance, "call_hours_end", None))
        if start is not None and end is not None and start >= end:
            raise serializers.ValidationError({"call_hours_end": ["Must be after call_hours_start."]})
        return attrs


class OpeningHoursField(serializers.DictField):
    """``{"mon": ["06:00", "22:00"], ..., "sun": null}``: per weekday, local to the branch."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError('Expected an object such as {"mon": ["06:00", "22:00"], "sun": null}.')
        unknown = set(data) - set(CALL_DAYS)
        if unknown:
            raise serializers.ValidationError(f"Unknown weekday(s): {', '.join(sorted(map(str, unknown)))}.")
        field = HourMinuteField()
        result = {}
        for day in CALL_DAYS:
            hours = data.get(day)
            if hours is None:
                result[day] = None
                continue
            if not isinstance(hours, list) or len(hours) != 2:
                raise serializers.ValidationError({day: ['Expected ["HH:MM", "HH:MM"] or null.']})
            opens, closes = (field.to_internal_value(value) for value in hours)
            if opens >= closes:
                raise serializers.ValidationError({day: ["Closing time must be after opening time."]})
            result[day] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        return result


class BranchSerializer(serializers.ModelSerializer):
    timezone = TimezoneField(required=False, help_text="IANA name; defaults to the gym's timezone.")
    opening_hours = OpeningHoursField(required=False, child=serializers.JSONField())

    class Meta:
        model = Branch
        fields = ["id", "name", "address", "phone", "email", "timezone", "is_active", "opening_hours", "created_at"]
        read_only_fields = ["id", "created_at"]


class TagSerializer(serializers.ModelSerializer):
    color = serializers.RegexField(r"^#[0-9A-Fa-f]{6}$", required=False,
                                   error_messages={"invalid": "Enter a colour as #RRGGBB, for example #1E88E5."})

    class Meta:
        model = Tag
        fields = ["id", "name", "color"]
        read_only_fields = ["id"]

    def validate_name(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A tag needs a name.")
        clash = Tag.objects.for_gym(self.context["gym"]).filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(f'A tag named "{value}" already exists.')
        return value


class UserSerializer(serializers.ModelSerializer):
    """A staff member of the caller's gym (settings API)."""

    branch_id = GymScopedRelatedField(model=Branch, source="branch", required=False, allow_null=True)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone", "role", "branch_id", "is_active", "password",
                  "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"email": {"validators": []}}

    def validate_email(self, value):
        value = canonical_email(value)
        clash = User.objects.filter(email=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("A user with this email already exists.")
        return value

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["This field is required."]})
        if attrs.get("password"):
            candidate = User(email=attrs.get("email", getattr(self.instance, "email", "")),
                             first_name=attrs.get("first_name", ""), last_name=attrs.get("last_name", ""))
            try:
                password_validation.validate_password(attrs["password"], candidate)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": exc.messages})
        return attrs


class MeSerializer(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(read_only=True)
    gym = serializers.SerializerMethodField()
    branch = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone", "role", "is_admin", "gym", "branch"]
        read_only_fields = ["id", "email", "role", "is_admin", "gym", "branch"]

    def get_gym(self, user) -> dict | None:
        if user.gym is None:
            return None
        return {"id": str(user.gym.id), "name": user.gym.name, "timezone": user.gym.timezone}

    def get_branch(self, user) -> dict | None:
        if user.branch is None:
            return None
        return {"id": str(user.branch.id), "name": user.branch.name}


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, help_text="The user's email (case-insensitive).")
    email = serializers.CharField(required=False, help_text="Accepted instead of username.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        login = (attrs.get("username") or attrs.get("email") or "").strip()
        if not login:
            raise serializers.ValidationError({"username": ["This field is required."]})
        attrs["login"] = login
        return attrs


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Access token lifetime in seconds.")


class LoginResponseSerializer(TokenPairSerializer):
    user_id = serializers.UUIDField()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_admin = serializers.BooleanField()
    gym_id = serializers.UUIDField(allow_null=True)
    branch_id = serializers.UUIDField(allow_null=True)


class RefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(required=False)
    refresh = serializers.CharField(required=False, help_text="Accepted instead of refresh_token.")

    def validate(self, attrs):
        token = attrs.get("refresh_token") or attrs.get("refresh")
        if not token:
            raise serializers.ValidationError({"refresh_token": ["This field is required."]})
        return {"token": token}


class ChangePasswordSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class ApiKeySerializer(serializers.ModelSerializer):
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_is_active(self, key) -> bool:
        return key.revoked_at is None


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The plaintext key. Shown once; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = ApiKeySerializer.Meta.fields + ["key"]
