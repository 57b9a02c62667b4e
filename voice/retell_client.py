"""A small client of our own for the one Retell call we make (create-phone-call), over ``requests``.

Not the official ``retell-sdk``: it brings httpx and pydantic into the process for a single POST, and
its retries and timeouts would sit inside a request that holds a database transaction open. Here the
timeout is ours (``RETELL_TIMEOUT_SECONDS``), there are no retries (a retried create could place a
second call to the same person), and the base URL comes from ``RETELL_API_BASE_URL`` (tests point it
at a local stub server).
"""

import requests
from django.conf import settings

CREATE_PHONE_CALL = "/v2/create-phone-call"
_REASON_KEYS = ("error_message", "message", "detail", "error")


class RetellError(Exception):
    """Retell refused the request or could not be reached; the message is meant for a person."""


def create_phone_call(*, api_key: str, body: dict) -> dict:
    """POSTs ``body`` and returns Retell's call object (it has at least ``call_id``)."""
    timeout = settings.RETELL_TIMEOUT_SECONDS
    try:
        response = requests.post(f"{settings.RETELL_API_BASE_URL}{CREATE_PHONE_CALL}", json=body,
                                 headers={"Authorization": f"Bearer {api_key}"},
                                 timeout=(min(timeout, 5.0), timeout), allow_redirects=False)
    except requests.Timeout:
        raise RetellError(f"Retell did not answer within {timeout:g} seconds.")
    except requests.RequestException:
        raise RetellError("Retell could not be reached.")
    if response.status_code >= 300:
        raise RetellError(f"Retell refused the call (HTTP {response.status_code}): {_reason(response)}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("call_id"), str) or not data["call_id"]:
        raise RetellError("Retell's answer did not name the call it placed.")
    return data


def _reason(response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in _REASON_KEYS:
            if isinstance(data.get(key), str) and data[key].strip():
                return data[key].strip()[:300]
    return (response.text or response.reason or "no reason given").strip()[:300]
