"""Retell's webhook signature: ``X-Retell-Signature: v=<unix ms>,d=<hex HMAC-SHA256>``, the HMAC of
the raw body followed by the timestamp, keyed by the gym's Retell API key (the one with Retell's
"webhook" badge). A timestamp more than ``TOLERANCE_MS`` away from now is refused, so a captured
delivery cannot be replayed later. The same scheme as the SDK's ``retell.lib.webhook_auth`` (the tests
sign with it), over the raw bytes, with a reason for each refusal.

Retell signs the requests of custom functions (the in-call tools) the same way."""

import hashlib
import hmac
import re
import time

HEADER = "X-Retell-Signature"
TOLERANCE_MS = 5 * 60 * 1000
# As the SDK's verify: lowercase hex only (Retell sends lowercase), a bounded timestamp.
_FORMAT = re.compile(r"v=(\d{1,16}),d=([0-9a-f]{64})")


class BadSignature(Exception):
    """Why a delivery is refused, for the log (clients get one generic 401)."""


class StaleSignature(BadSignature):
    """Signed, but too long ago or in the future (a replay, or a clock far off)."""


def sign(body: bytes, api_key: str, timestamp_ms: int) -> str:
    """The header value Retell sends for ``body`` at ``timestamp_ms`` (also used by tests)."""
    digest = hmac.new(api_key.encode(), body + str(timestamp_ms).encode(), hashlib.sha256).hexdigest()
    return f"v={timestamp_ms},d={digest}"


def verify(body: bytes, header: str | None, api_key: str, *, now_ms: int | None = None) -> None:
    """Raises ``BadSignature`` unless ``header`` signs ``body`` with ``api_key`` within the tolerance."""
    match = _FORMAT.fullmatch(header or "")
    if not match:
        raise BadSignature("missing or malformed signature header")
    timestamp, digest = int(match.group(1)), match.group(2)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - timestamp) > TOLERANCE_MS:
        raise StaleSignature("signature timestamp outside the tolerance")
    expected = sign(body, api_key, timestamp).rsplit("d=", 1)[1]
    if not hmac.compare_digest(expected, digest):
        raise BadSignature("signature does not match")
