from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reps_dashboard.api.dates import datetime_problem
from tenants.api.fields import GymScopedRelatedField

from .transcripts import MAX_TURNS, SPEAKERS, TranscriptError, parse_transcript

# Ids in bodies are not echoed back: a request may carry several, and each unknown one reads the same.
UNKNOWN_ID = {"does_not_exist": "No such object: the id is unknown."}


def scoped_id(model, **kwargs):
    return GymScopedRelatedField(model=model, error_messages=UNKNOWN_ID, **kwargs)


class LocalDateTimeField(serializers.DateTimeField):
    """Keeps a datetime sent without an offset naive, so the serializer can read it in the call's
    branch timezone (else the gym's) once it knows the branch; aware values are kept as sent."""

    def enforce_timezone(self, value):
        problem = datetime_problem(value)  # the value as sent, before any conversion
        if problem:
            raise serializers.ValidationError(problem)
        if value.tzinfo is None:
            return value
        return super().enforce_timezone(value)


TURN_SCHEMA = {
    "type": "object",
    "required": ["speaker", "text"],
    "properties": {
        "speaker": {"type": "string", "enum": list(SPEAKERS)},
        "text": {"type": "string"},
        "timestamp": {"type": "number", "minimum": 0, "nullable": True,
                      "description": "Seconds from the start of the call."},
    },
}


@extend_schema_field({
    "oneOf": [
        {"type": "array", "items": TURN_SCHEMA, "maxItems": MAX_TURNS},
        {"type": "string", "description": "Plain text: one 'Agent:', 'User:', 'Customer:' or 'System:' "
                                          "prefixed line per turn; other lines continue the previous turn."},
    ],
    "nullable": True,
})
class TranscriptField(serializers.Field):
    """A transcript as turns or as prefixed plain text; validated and normalised to turns."""

    def to_internal_value(self, data):
        try:
            return parse_transcript(data)
        except TranscriptError as exc:
            raise serializers.ValidationError(str(exc))

    def to_representation(self, value):
        return value
