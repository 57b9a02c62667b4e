"""The orjson renderer writes what DRF's JSONRenderer would, for every kind of value our views hand it."""

import datetime as dt
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from reps_dashboard.api.renderers import ORJSONRenderer

PAYLOAD = {
    "data": ReturnList([ReturnDict({"id": str(uuid.UUID(int=7)), "name": "Zoë 🏋️ ‏שלום", "score": 0.75,
                                    "call_count": 3, "do_not_call": False, "last_called": None,
                                    "tags": [], "nested": {"deep": [1, 2.5, "x"]}}, serializer=None)],
                        serializer=None),
    "detail": ErrorDetail("Not found.", code="not_found"),
    "lazy": gettext_lazy("This field is required."),
    "raw_uuid": uuid.UUID(int=9),
    "decimal": decimal.Decimal("12.50"),
    "pagination": {"total": 10**12, "page": 1, "limit": 50, "pages": 1},
}


def test_same_json_as_drf():
    ours = ORJSONRenderer().render(PAYLOAD)
    theirs = JSONRenderer().render(PAYLOAD)
    assert json.loads(ours) == json.loads(theirs)
    assert b"\\u" not in ours  # UTF-8, not ASCII-escaped, like DRF's UNICODE_JSON


def test_nothing_renders_as_an_empty_body_and_unknown_types_fail_loudly():
    assert ORJSONRenderer().render(None) == b""
    with pytest.raises(TypeError):
        ORJSONRenderer().render({"x": object()})


def test_the_values_drf_encodes_specially_come_out_the_same():
    payload = {
        "utc": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
        "offset": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        "day": dt.date(2026, 3, 1), "at": dt.time(9, 30), "took": dt.timedelta(minutes=2),
        "line_separators": "a\u2028b\u2029c", "raw": b"bytes", "gen": (n for n in range(2)), "set": {1},
    }
    ours, theirs = ORJSONRenderer().render(payload), JSONRenderer().render(
        {**payload, "gen": (n for n in range(2))})
    assert ours == theirs
    assert b'"2026-03-01T09:30:00Z"' in ours and b"\\u2028" in ours
    huge = {"n": 2**70}  # beyond orjson's 64 bits: DRF's renderer writes it
    assert ORJSONRenderer().render(huge) == JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'


def test_indent_requested_through_accept_falls_back_to_drf():
    rendered = ORJSONRenderer().render({"a": 1}, "application/json; indent=2", {})
    assert rendered == b'{\n  "a": 1\n}'


def test_api_answers_through_it(admin_client):
    response = admin_client.get("/api/leads/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, ORJSONRenderer)
    assert response.json()["pagination"]["page"] == 1
