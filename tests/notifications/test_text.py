import random

import phonenumbers
import pytest

from notifications.text import _fast_e164, normalize_email, normalize_phone, sms_segments


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


def _full_parser(raw, region):
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_the_fast_path_agrees_with_the_full_parser_and_accepts_nothing_invalid():
    # given many plain numbers, valid and not, international and national, in several regions
    rnd = random.Random(10)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    regions = ["IR", "US", "GB", "DE", "IT", "RU", "AR", "MX", "BR", "IN", "AE"]
    cases = []
    for _ in range(15_000):
        digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(4, 13)))
        raw = f"+{rnd.choice(codes)}{digits}" if rnd.random() < 0.5 else f"{rnd.randint(0, 9)}{digits}"
        cases.append((raw, rnd.choice(regions)))
    for region in regions:  # real numbers of every type, as E.164 and as written nationally
        for kind in range(7):
            if example := phonenumbers.example_number_for_type(region, kind):
                national = phonenumbers.national_significant_number(example)
                cases += [(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164), region)]
                cases += [(f"0{national}", region), (national, region)]
    cases += [(f"0912{i:07d}", "IR") for i in range(0, 10_000_000, 99_991)]

    # then wherever the fast path answers, the full parser gives the same valid number
    answered = [(raw, region, _fast_e164(raw, region)) for raw, region in cases]
    fast = [(raw, region, e164) for raw, region, e164 in answered if e164]
    assert len(fast) > 300
    assert [(raw, region) for raw, region, e164 in fast if _full_parser(raw, region) != e164] == []
    # and normalize_phone is the full parser's answer for every case
    assert [(raw, region) for raw, region in cases if normalize_phone(raw, region) != _full_parser(raw, region)] == []
