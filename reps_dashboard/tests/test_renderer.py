"""The orjson renderer writes what DRF's JSONRenderer would, for every kind of value our views hand it."""

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


def test_indent_requested_through_accept_falls_back_to_drf():
    rendered = ORJSONRenderer().render({"a": 1}, "application/json; indent=2", {})
    assert rendered == b'{\n  "a": 1\n}'


def test_api_answers_through_it(admin_client):
    response = admin_client.get("/api/leads/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, ORJSONRenderer)
    assert response.json()["pagination"]["page"] == 1
