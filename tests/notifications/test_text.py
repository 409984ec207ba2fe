import pytest

from notifications.text import normalize_email, normalize_phone, sms_segments


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("09121234567", "+989121234567"),
        ("+98 912 123 4567", "+989121234567"),
        ("0098-912-123-4567", "+989121234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("12345", None),
        ("not a number", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalized_to_e164_with_the_default_region(raw, expected, settings):
    settings.PHONE_DEFAULT_REGION = "IR"
    assert normalize_phone(raw) == expected


def test_email_domain_is_lowercased_and_invalid_addresses_rejected():
    assert normalize_email(" Ali@Example.COM ") == "Ali@example.com"
    assert normalize_email("no-at-sign") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ("GSM-7", 0, 0)),
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("€" * 80, ("GSM-7", 160, 1)),  # extension characters count twice
        ("سلام" * 17 + "ab", ("UCS-2", 70, 1)),
        ("س" * 71, ("UCS-2", 71, 2)),
        ("س" * 134, ("UCS-2", 134, 2)),
        ("س" * 135, ("UCS-2", 135, 3)),
        ("😀" * 35, ("UCS-2", 70, 1)),  # astral characters are two UTF-16 units
    ],
)
def test_sms_segments_follow_gsm7_and_ucs2_limits(text, expected):
    assert sms_segments(text) == expected
