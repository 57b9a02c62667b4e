"""Reading a Retell webhook payload into our call fields (the mapping table is in docs/voice-agent.md).

Every event carries the whole call as Retell knows it at that moment (``call_analyzed`` repeats
what ``call_ended`` said and adds the analysis), so each payload is read on its own into a snapshot;
``voice/webhooks.py`` decides what of it may change the stored call.
"""

import datetime as dt
import logging
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from calls.models import MAX_DURATION_SECONDS, CallDirection, CallOutcome, CallStatus, Sentiment
from calls.transcripts import MAX_TEXT, MAX_TURNS, TranscriptError, parse_transcript

S, Out = CallStatus, CallOutcome
logger = logging.getLogger(__name__)

# disconnection_reason -> (status, outcome); None: as call_status says. Every reason of the SDK's
# PhoneCallResponse.disconnection_reason is listed (a test walks them), so one Retell adds later fails
# the suite instead of silently reading as a completed call.
ANSWERED = ("user_hangup", "agent_hangup", "call_transfer", "inactivity", "max_duration_reached",
            # a human took the call over, or the transfer to one was bridged or given up: it was answered
            "transfer_bridged", "transfer_cancelled", "call_take_over")
# The platform's or the account's fault (billing, limits, telephony, errors): never a completed call,
# never moves the lead forward, whatever call_status or the analysis say.
PLATFORM_FAILURES = (
    "concurrency_limit_reached", "no_concurrency_fallback", "no_valid_payment", "credit_exhausted", "budget_reached",
    "network_blocked", "dial_failed", "telephony_provider_permission_denied", "telephony_provider_unavailable",
    "sip_routing_error", "marked_as_spam", "scam_detected", "registered_call_timeout",
    "error_llm_websocket_open", "error_llm_websocket_lost_connection", "error_llm_websocket_runtime",
    "error_llm_websocket_corrupt_payload", "error_no_audio_received", "error_asr", "error_retell", "error_unknown",
    "error_user_not_joined")
DISCONNECTION = {
    **{reason: (S.COMPLETED, None) for reason in ANSWERED},
    # The caller asked: these outcomes win over the analysis (voice/webhooks.py also applies do-not-call).
    "user_requested_dnc": (S.COMPLETED, Out.NOT_INTERESTED),
    "user_requested_callback": (S.COMPLETED, Out.CALLBACK_REQUESTED),
    "voicemail_reached": (S.VOICEMAIL, Out.LEFT_MESSAGE),
    "machine_detected": (S.VOICEMAIL, Out.LEFT_MESSAGE),  # older agents' name for it
    "ivr_reached": (S.MISSED, Out.NO_ANSWER),
    "dial_no_answer": (S.MISSED, Out.NO_ANSWER),
    "dial_busy": (S.MISSED, Out.NO_ANSWER),
    "user_declined": (S.MISSED, Out.NO_ANSWER),
    "invalid_destination": (S.FAILED, Out.WRONG_NUMBER),
    **{reason: (S.FAILED, None) for reason in PLATFORM_FAILURES},
    "manual_stopped": (None, None),  # stopped by an operator: answered or not, as call_status says
}
CALLER_DECIDED = ("user_requested_dnc", "user_requested_callback")
TRANSFERRED = ("transfer_bridged", "call_take_over")
# call_status -> status when the disconnection reason does not say more (reasons "error_*" are failures).
CALL_STATUS = {"registered": S.IN_PROGRESS, "ongoing": S.IN_PROGRESS, "ended": S.COMPLETED,
               "not_connected": S.MISSED, "error": S.FAILED}
SENTIMENT = {"positive": Sentiment.POSITIVE, "neutral": Sentiment.NEUTRAL, "negative": Sentiment.NEGATIVE}
# transfer_target: the person the call was handed to (the gym's staff): the gym's side of the call.
SPEAKER = {"agent": "agent", "user": "customer", "transfer_target": "agent"}
STAFF_PREFIX = "[Staff] "
# Unix milliseconds of 2000-01-01 and 2100-01-01: anything else is not a call's time.
_MS_MIN, _MS_MAX = 946_684_800_000, 4_102_444_800_000
SUMMARY_MAX = 10_000
_url = URLValidator(schemes=["http", "https"])


class PayloadError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class RetellCall:
    """One event's view of the call."""

    event: str
    external_call_id: str
    direction: str | None
    from_number: str
    to_number: str
    metadata: dict
    dynamic_variables: dict
    fields: dict = field(default_factory=dict)  # Call fields this event knows (values never None)
    interest: str = ""
    requested_do_not_call: bool = False  # the caller asked never to be called again


def event_name(payload) -> str:
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str) or not payload["event"]:
        raise PayloadError("event", "The payload must be an object with an event name.")
    return payload["event"][:64]


def external_id(payload) -> str:
    """The platform's call id, or "" when the payload has none (for the audit row)."""
    call = payload.get("call") if isinstance(payload, dict) else None
    value = call.get("call_id") if isinstance(call, dict) else None
    return value[:128] if isinstance(value, str) else ""


def read_call(payload) -> RetellCall:
    event = event_name(payload)
    call = payload.get("call")
    if not isinstance(call, dict):
        raise PayloadError("call", "The event must carry the call object.")
    call_id = call.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > 128:
        raise PayloadError("call.call_id", "The call needs an id of at most 128 characters.")
    analysis = call.get("call_analysis") if isinstance(call.get("call_analysis"), dict) else {}
    custom = analysis.get("custom_analysis_data") if isinstance(analysis.get("custom_analysis_data"), dict) else {}
    direction = call.get("direction") if call.get("direction") in CallDirection.values else None
    result = RetellCall(
        event=event, external_call_id=call_id.strip(), direction=direction,
        from_number=_text(call.get("from_number"), 40), to_number=_text(call.get("to_number"), 40),
        metadata=call.get("metadata") if isinstance(call.get("metadata"), dict) else {},
        dynamic_variables=_dict(call.get("retell_llm_dynamic_variables")),
        interest=_text(custom.get("interest"), 200),
        requested_do_not_call=call.get("disconnection_reason") == "user_requested_dnc",
    )
    fields = result.fields
    start, end = _moment(call, "start_timestamp"), _moment(call, "end_timestamp")
    if start and end:
        if end < start:
            raise PayloadError("call.end_timestamp", "The call cannot end before it starts.")
        fields["duration"] = round((end - start).total_seconds())
        if fields["duration"] > MAX_DURATION_SECONDS:
            raise PayloadError("call.end_timestamp", "A call lasts at most 24 hours.")
    fields.update({name: value for name, value in (("start_time", start), ("end_time", end)) if value})
    fields["status"], outcome = _status_and_outcome(event, call, analysis)
    reason = call.get("disconnection_reason")
    if reason not in CALLER_DECIDED and reason not in PLATFORM_FAILURES:
        outcome = _analysed_outcome(custom) or outcome
    if outcome is None and fields["status"] == S.COMPLETED and isinstance(analysis.get("call_successful"), bool):
        outcome = Out.INFORMATION_PROVIDED if analysis["call_successful"] else Out.UNDECIDED
    if outcome:
        fields["outcome"] = outcome
    sentiment = SENTIMENT.get(str(analysis.get("user_sentiment", "")).lower())
    if sentiment:
        fields["sentiment"] = sentiment
    summary = _text(analysis.get("call_summary"), SUMMARY_MAX)
    if summary:
        fields["summary"] = summary
    transcript = _transcript(call)
    if transcript:
        fields["transcript"] = transcript
    recording = call.get("recording_url")
    if isinstance(recording, str) and _is_url(recording):
        fields["recording_url"] = recording
    fields["metrics"] = _metrics(call, analysis, custom)
    return result


def _status_and_outcome(event, call, analysis):
    reason = call.get("disconnection_reason")
    status, outcome = DISCONNECTION.get(reason, (None, None)) if isinstance(reason, str) else (None, None)
    if isinstance(reason, str) and reason not in DISCONNECTION:
        logger.warning("retell disconnection_reason %r is not mapped; read from call_status", reason[:80])
        if reason.startswith("error"):
            status = S.FAILED
    call_status = call.get("call_status")
    if status is None:
        status = CALL_STATUS.get(call_status) if isinstance(call_status, str) else None
    if status is None:
        status = S.IN_PROGRESS if event == "call_started" else S.COMPLETED
    if call_status == "error" and status == S.COMPLETED:
        status = S.FAILED
    if reason in PLATFORM_FAILURES:
        return status, outcome
    if analysis.get("in_voicemail") is True:
        status, outcome = S.VOICEMAIL, Out.LEFT_MESSAGE
    return status, outcome


def _analysed_outcome(custom):
    """The agent's own analysis: an ``outcome`` of ours, or an ``appointment_booked`` flag."""
    if custom.get("outcome") in CallOutcome.values:
        return custom["outcome"]
    if custom.get("appointment_booked") is True:
        return Out.APPOINTMENT_BOOKED
    return None


def _moment(call, name):
    value = call.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not _MS_MIN <= value <= _MS_MAX:
        raise PayloadError(f"call.{name}", "Expected Unix milliseconds between the years 2000 and 2100.")
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)


def _transcript(call):
    """Turns from ``transcript_object`` (role agent/user, the first word's start as timestamp), else
    from the ``Agent:`` / ``User:`` text; text that cannot be split into turns is kept as one."""
    turns = call.get("transcript_object")
    if isinstance(turns, list) and turns:
        return [_turn(turn) for turn in turns[:MAX_TURNS] if isinstance(turn, dict)] or None
    text = call.get("transcript")
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return parse_transcript(text)
    except TranscriptError:
        return [{"speaker": "system", "text": text[:MAX_TEXT], "timestamp": None}]


def _turn(turn):
    words = turn.get("words")
    first = words[0] if isinstance(words, list) and words and isinstance(words[0], dict) else {}
    start = first.get("start")
    valid = isinstance(start, int | float) and not isinstance(start, bool) and math.isfinite(start) and start >= 0
    text = _text(turn.get("content"), MAX_TEXT - len(STAFF_PREFIX))
    if turn.get("role") == "transfer_target":
        text = STAFF_PREFIX + text
    return {"speaker": SPEAKER.get(turn.get("role"), "system"), "text": text, "timestamp": start if valid else None}


def _metrics(call, analysis, custom):
    metrics = {"platform": "retell"}
    for key, value in (("agent_id", call.get("agent_id")), ("call_status", call.get("call_status")),
                       ("disconnection_reason", call.get("disconnection_reason")),
                       ("call_successful", analysis.get("call_successful")),
                       ("in_voicemail", analysis.get("in_voicemail")),
                       ("custom_analysis_data", custom or None),
                       ("transfer_destination", call.get("transfer_destination")),
                       ("transferred_to_staff", True if call.get("disconnection_reason") in TRANSFERRED else None)):
        if value is not None:
            metrics[key] = value
    return metrics


def _is_url(value):
    if len(value) > 2000:
        return False
    try:
        _url(value)
    except ValidationError:
        return False
    return True


def _text(value, limit):
    return value.strip()[:limit] if isinstance(value, str) else ""


def _dict(value):
    return value if isinstance(value, dict) else {}
