import pytest

from leads.phones import InvalidPhoneNumber, normalize_phone


@pytest.mark.parametrize("raw,country,expected", [
    ("(415) 555-0142", "US", "+14155550142"),
    ("+1 415 555 0187", "US", "+14155550187"),
    ("415.555.0199", "US", "+14155550199"),
    ("  4155550123 ", "US", "+14155550123"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("+1 (212) 555-0123", "GB", "+12125550123"),  # an international number ignores the country
])
def test_numbers_become_e164_for_the_country(raw, country, expected):
    assert normalize_phone(raw, country) == expected


@pytest.mark.parametrize("raw,fragment", [
    ("", "required"),
    ("not a phone", "not a phone number"),
    ("555-0123", "not a valid phone number in US"),
    ("1234567890", "not a valid phone number"),
    ("+999 1234 5678", "not a"),
    ("1" * 25, "8 to 20 digits"),
])
def test_invalid_numbers_raise_a_human_message(raw, fragment):
    with pytest.raises(InvalidPhoneNumber, match=fragment):
        normalize_phone(raw, "US")


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhoneNumber, ValueError)
