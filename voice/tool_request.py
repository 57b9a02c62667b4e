"""Retell's custom-function requests, read the same way for every in-call tool.

Retell POSTs ``{"name": <function>, "call": <the call object>, "args": {<the LLM's arguments>}}``,
or the arguments alone at the root when the function has "payload: args only" on. A GET (a person
trying a tool by hand) carries its arguments in the query string and no call. Whatever the shape,
a tool sees one ``ToolRequest``; who is calling comes from the call object when the LLM did not
say: ``call.metadata.lead_id`` (we send it with every outbound call), else the caller's number
(``from_number`` inbound, ``to_number`` outbound).
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from leads.models import Lead
from leads.selectors import lead_find_by_phone
from tenants.models import Branch

ENVELOPE = ("name", "call")


@dataclass(frozen=True)
class ToolRequest:
    name: str  # the function's name in Retell ("" when not sent)
    args: dict  # the LLM's arguments
    call: dict = field(default_factory=dict)  # Retell's call object ({} when not sent)


def tool_request_parse(*, method: str, body, query) -> ToolRequest:
    """The request's arguments and call object. ``body``: the parsed JSON (POST); ``query``: the
    query parameters (GET). A body that is not a JSON object is a ValidationError."""
    if method == "GET":
        return ToolRequest(name="", args={key: query.get(key) for key in query})
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object: Retell's "
                                                    "{name, call, args}, or the arguments themselves."]})
    call = body.get("call") if isinstance(body.get("call"), dict) else {}
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    if isinstance(body.get("args"), dict):
        return ToolRequest(name=name, args=body["args"], call=call)
    return ToolRequest(name=name, args={key: value for key, value in body.items() if key not in ENVELOPE}, call=call)


def caller_lead(*, gym, call: dict) -> Lead | None:
    """The lead the call is with: ``metadata.lead_id`` when it is one of ``gym``'s leads, else the
    lead with the caller's number; None when neither names one."""
    metadata = call.get("metadata") if isinstance(call.get("metadata"), dict) else {}
    lead_id = _uuid(metadata.get("lead_id"))
    if lead_id is not None:
        lead = Lead.objects.for_gym(gym).select_related("branch").filter(pk=lead_id).first()
        if lead is not None:
            return lead
    phone = caller_number(call)
    return lead_find_by_phone(gym=gym, phone=phone) if phone else None


def caller_number(call: dict) -> str:
    """The other party's number: the caller's on an inbound call, the called one on an outbound."""
    key = "to_number" if call.get("direction") == "outbound" else "from_number"
    value = call.get(key)
    return value.strip()[:40] if isinstance(value, str) else ""


def caller_branch(*, gym, lead: Lead | None) -> Branch | None:
    """Where to book the caller: the lead's branch, else the gym's only active branch; None when
    the caller has to say (the answer then lists the branches)."""
    if lead is not None and lead.branch_id and lead.branch.is_active:
        return lead.branch
    branches = list(Branch.objects.for_gym(gym).filter(is_active=True)[:2])
    return branches[0] if len(branches) == 1 else None


def gym_branches(*, gym):
    """The gym's active branches, for an agent that has to ask which one."""
    return Branch.objects.for_gym(gym).filter(is_active=True).order_by("name", "id")


def _uuid(value):
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def call_appointment_id(call: dict) -> str | None:
    """The appointment a confirmation or recall call is about: its ``appointment_id`` dynamic
    variable (the dialer sends it), else ``metadata.appointment_id``."""
    for key in ("retell_llm_dynamic_variables", "metadata"):
        values = call.get(key) if isinstance(call.get(key), dict) else {}
        if isinstance(values.get("appointment_id"), str) and values["appointment_id"]:
            return values["appointment_id"]
    return None
