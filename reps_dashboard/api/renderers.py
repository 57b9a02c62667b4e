"""JSON responses through orjson: the same bytes DRF's JSONRenderer writes for our payloads
(compact, UTF-8, not ASCII-escaped), five to ten times faster to encode, which shows on every
list page (docs/performance.md).

Serializers already turn dates, ids and decimals into strings; what may still arrive raw is
encoded as DRF's encoder would: UUIDs and datetimes natively, decimals as floats, lazy
translations and anything else with ``str``-like meaning through ``default``.
"""

import decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer


def _default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)  # ?indent asked for: rare
        return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
