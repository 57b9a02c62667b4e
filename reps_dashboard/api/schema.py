"""OpenAPI generation: every operation documents the errors it can answer."""

from drf_spectacular import openapi
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


class ValidationErrorSerializer(serializers.Serializer):
    """DRF validation errors: one key per offending field (``non_field_errors`` for cross-field
    rules), each with a list of messages. Other keys may appear."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    existing_id = serializers.UUIDField(required=False, help_text="The row the request collides with.")


_DESCRIPTIONS = {
    "400": "Validation error",
    "401": "Missing, invalid, expired or revoked credentials",
    "403": "The user's role (or a gym-less account) does not allow this",
    "404": "No such object in the caller's gym",
    "409": "Conflict with existing data",
    "413": "Upload or body too large",
    "415": "Unsupported content type (send JSON, or the documented form encoding)",
    "429": "Throttled",
}


class AutoSchema(openapi.AutoSchema):
    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # An optional email or URL holds "" when empty, which the format alone would call invalid. Read-only
        # fields lose ``allow_blank`` (DRF drops it), so they are taken as blank-able.
        blank = getattr(field, "allow_blank", False) or field.read_only
        if blank and schema.get("format") in ("email", "uri"):
            fmt = schema.pop("format")
            schema["anyOf"] = [{"format": fmt}, {"maxLength": 0}]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, serializer in self._error_responses().items():
            if code not in responses:
                response = self._get_response_for_code(serializer, code, direction=direction)
                response["description"] = _DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _error_responses(self):
        view = self.view
        codes = {}
        # A DELETE reads nothing to validate, unless it declares query parameters (``delete_entries``).
        if self.method != "DELETE" or self.get_override_parameters():
            codes["400"] = ValidationErrorSerializer
        public = any(issubclass(p, permissions.AllowAny) for p in getattr(view, "permission_classes", []))
        if not public or getattr(view, "authentication_classes", None):
            codes["401"] = ErrorSerializer
        if not public:
            codes["403"] = ErrorSerializer
        if "{" in self.path:
            codes["404"] = ErrorSerializer
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes["409"] = ConflictSerializer
            codes["413"] = ErrorSerializer
            codes["415"] = ErrorSerializer
        if getattr(view, "throttle_classes", None):
            codes["429"] = ErrorSerializer
        return codes
