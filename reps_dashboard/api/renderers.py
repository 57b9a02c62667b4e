"""JSON responses through orjson: the JSON DRF's JSONRenderer writes for our payloads (compact,
UTF-8, not ASCII-escaped, U+2028/U+2029 escaped for JavaScript), several times faster to
encode, which shows on every list page (docs/performance.md).

Serializers already turn dates, ids and decimals into strings; what may still arrive raw is
encoded as DRF's encoder would: UUIDs natively, datetimes in ISO 8601 with ``Z`` for UTC, decimals
as floats, durations as seconds, lazy translations and other objects DRF knows through
``default``. Anything orjson cannot write (an integer beyond 64 bits) goes to DRF's renderer.
One difference stays: a float NaN or infinity is written as null, where DRF raises.
"""

import datetime
import decimal
import uuid

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value):
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value.total_seconds())
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (Promise, uuid.UUID)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__iter__"):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)  # ?indent asked for: rare
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body
