"""Our one door to Retell's API, through its official Python client (``retell-sdk``).

Two calls: create-phone-call and get-call. The client's base URL is ``RETELL_API_BASE_URL`` (tests
and staging point it at a local fake), its timeout ``RETELL_TIMEOUT_SECONDS``, and it never retries
by itself (``max_retries=0``): a dial runs inside a request or a task that holds the lead's row lock,
and a retry is what reconciliation does later (``voice/reconcile.py``) with the same
``idempotency_key``, which Retell honours for an hour without placing a second call.

Failures come in two kinds, because they mean different things for the person called:

* ``RetellRefused``: Retell answered and did not place the call (any 4xx, or an answer without a
  call id). Final.
* ``RetellUnreachable``: we do not know (a timeout, a connection error, a 5xx): Retell may be
  ringing the person right now. Never treated as a failure of the call.
"""

import httpx
import retell
from django.conf import settings

_REASON_KEYS = ("error_message", "message", "detail", "error")


class RetellRefused(Exception):
    """Retell answered and did nothing; the message is meant for a person."""


class RetellUnreachable(Exception):
    """No usable answer: whether Retell acted is unknown; the message is meant for a person."""


def client(api_key: str) -> retell.Retell:
    timeout = settings.RETELL_TIMEOUT_SECONDS
    return retell.Retell(api_key=api_key, base_url=settings.RETELL_API_BASE_URL, max_retries=0,
                         timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))


def create_phone_call(*, api_key: str, idempotency_key: str, **params) -> dict:
    """Places a call (``params``: the SDK's create_phone_call arguments) and returns Retell's call
    object as a dict (it has ``call_id``)."""
    with _translated("place the call"):
        answer = client(api_key).call.create_phone_call(idempotency_key=idempotency_key, **params)
    data = answer.to_dict(mode="json")
    if not isinstance(data.get("call_id"), str) or not data["call_id"]:
        raise RetellRefused("Retell's answer did not name the call it placed.")
    return data


def get_call(*, api_key: str, call_id: str) -> dict:
    """Retell's call object (as its webhooks carry it), as a dict."""
    with _translated("report the call"):
        answer = client(api_key).call.retrieve(call_id)
    return answer.to_dict(mode="json")


class _translated:
    """Turns the SDK's exceptions into ours, with a reason a person can act on."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, traceback):
        if exc is None:
            return False
        timeout = settings.RETELL_TIMEOUT_SECONDS
        if isinstance(exc, retell.APITimeoutError):
            raise RetellUnreachable(f"Retell did not answer within {timeout:g} seconds.") from exc
        if isinstance(exc, retell.APIConnectionError):
            raise RetellUnreachable("Retell could not be reached.") from exc
        if isinstance(exc, retell.APIStatusError):
            message = f"Retell did not {self.what} (HTTP {exc.status_code}): {_reason(exc)}"
            if exc.status_code >= 500:
                raise RetellUnreachable(message) from exc
            raise RetellRefused(message) from exc
        if isinstance(exc, retell.RetellError):  # an answer the SDK could not read
            raise RetellUnreachable(f"Retell's answer could not be read: {exc}"[:300]) from exc
        return False


def _reason(exc: "retell.APIStatusError") -> str:
    body = exc.body
    if isinstance(body, dict):
        for key in _REASON_KEYS:
            if isinstance(body.get(key), str) and body[key].strip():
                return body[key].strip()[:300]
    text = exc.response.text if exc.response is not None else ""
    return (text or exc.response.reason_phrase or "no reason given").strip()[:300]
