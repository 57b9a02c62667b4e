import pytest

from calls.transcripts import MAX_TURNS, TranscriptError, parse_transcript


def test_plain_text_becomes_turns_with_continuation_lines():
    text = "Agent: Hi, this is Riley.\nUser: Hello!\nI wanted to ask\n  about prices.\n\nCustomer: And parking?\nSystem: Call ended."
    assert parse_transcript(text) == [
        {"speaker": "agent", "text": "Hi, this is Riley.", "timestamp": None},
        {"speaker": "customer", "text": "Hello!\nI wanted to ask\nabout prices.", "timestamp": None},
        {"speaker": "customer", "text": "And parking?", "timestamp": None},
        {"speaker": "system", "text": "Call ended.", "timestamp": None},
    ]


def test_prefixes_are_case_insensitive():
    assert [t["speaker"] for t in parse_transcript("AGENT: a\nuser: b")] == ["agent", "customer"]


def test_text_before_any_prefix_is_refused():
    with pytest.raises(TranscriptError, match="Line 1"):
        parse_transcript("hello there\nAgent: hi")


def test_list_of_turns_is_kept_and_timestamp_defaults_to_null():
    turns = [{"speaker": "agent", "text": "Hi", "timestamp": 0}, {"speaker": "customer", "text": "Hello"}]
    assert parse_transcript(turns) == [{"speaker": "agent", "text": "Hi", "timestamp": 0},
                                       {"speaker": "customer", "text": "Hello", "timestamp": None}]


@pytest.mark.parametrize("turn,fragment", [
    ({"speaker": "bot", "text": "x"}, "speaker must be one of"),
    ({"speaker": "agent"}, "text must be a string"),
    ({"speaker": "agent", "text": "x", "timestamp": -1}, "timestamp"),
    ({"speaker": "agent", "text": "x", "timestamp": "12"}, "timestamp"),
    ({"speaker": "agent", "text": "x", "timestamp": True}, "timestamp"),
    ("Agent: hi", "expected an object"),
])
def test_bad_turns_are_refused(turn, fragment):
    with pytest.raises(TranscriptError, match=fragment):
        parse_transcript([turn])


def test_empty_values_mean_no_transcript():
    assert parse_transcript(None) is None
    assert parse_transcript("   ") is None
    assert parse_transcript([]) == []


def test_other_types_and_huge_transcripts_are_refused():
    with pytest.raises(TranscriptError):
        parse_transcript({"speaker": "agent"})
    with pytest.raises(TranscriptError, match="at most"):
        parse_transcript([{"speaker": "agent", "text": "x"}] * (MAX_TURNS + 1))
