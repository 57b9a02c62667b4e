import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ParseError(f'JSON parse error - duplicate key "{key[:50]}".')
        result[key] = value
    return result


def _finite_float(text):
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ParseError(f"JSON parse error - number {text[:30]} is out of range.")
    return value


def _no_constants(name):
    raise ParseError(f"JSON parse error - {name} is not valid JSON.")


class StrictJSONParser(JSONParser):
    """JSON that a person meant: no duplicate keys, no NaN/Infinity or numbers that overflow to
    infinity, and a clear 400 (not a 500) for absurdly deep nesting."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
        except UnicodeDecodeError:
            raise ParseError("JSON parse error - the body is not valid UTF-8.")
        if not text.strip():
            raise ParseError("JSON parse error - the body is empty.")
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicates, parse_float=_finite_float,
                              parse_constant=_no_constants)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.")
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")
