"""Placing queued outbound calls with a voice platform.

The calls app queues calls; it knows no voice platform. An app that can dial (``voice``, for Retell)
registers its dialer when Django starts; the background dialer (``calls/dialer.py``, on a worker)
hands it each due outbound call it claimed, after ``POST /api/calls`` or a campaign queued it. A
dialer returns the call as the platform took it, or raises ``DialFailed`` after marking the call
failed (the failure is kept on the call and the lead's timeline).
"""

from collections.abc import Callable

from django.utils import timezone

from .models import Call, CallDirection, CallStatus

Dialer = Callable[..., Call | None]
_dialer: Dialer | None = None


class DialFailed(Exception):
    """The platform refused or did not answer; ``reason`` is meant for a person."""

    def __init__(self, reason: str, call: Call):
        super().__init__(reason)
        self.reason = reason
        self.call = call


def register(dialer: Dialer) -> None:
    """``dialer(*, gym, call)`` places ``call`` and returns it, or returns None when the gym has no
    platform connected (the call then stays queued)."""
    global _dialer
    _dialer = dialer


def dial_if_due(*, gym, call: Call) -> Call | None:
    """Places ``call`` when it is an outbound call queued for now (not for later) and a dialer is
    registered; None when nothing was dialed."""
    due = (call.direction == CallDirection.OUTBOUND and call.status == CallStatus.QUEUED
           and (call.scheduled_at is None or call.scheduled_at <= timezone.now()))
    if not due or _dialer is None:
        return None
    return _dialer(gym=gym, call=call)
