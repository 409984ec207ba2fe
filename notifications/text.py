"""Phone numbers, email addresses and SMS segment counting: pure functions."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# GSM 03.38 default alphabet, and the extension table (each extension char costs two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# Encoding units in one SMS, and per part of a concatenated one.
SEGMENT_SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 form of a phone number, or None if it is not a valid number."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str | None:
    """The address with its domain lower-cased, or None if it is not valid."""
    raw = (raw or "").strip()
    try:
        validate_email(raw)
    except ValidationError:
        return None
    local, _, domain = raw.rpartition("@")
    return f"{local}@{domain.lower()}"


def sms_encoding(text: str) -> str:
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "UCS-2"


def sms_segments(text: str) -> tuple[str, int, int]:
    """(encoding, length in encoding units, number of segments) of an SMS body.

    GSM-7: 160 septets in one message, 153 per part when concatenated; extension
    characters take two. UCS-2 (Persian, Arabic, emoji ...): 70 UTF-16 units, 67 per part.
    """
    encoding = sms_encoding(text)
    if encoding == "GSM-7":
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    else:
        units = len(text.encode("utf-16-le")) // 2
    single, part = SEGMENT_SIZES[encoding]
    if units <= single:
        return encoding, units, 1 if units else 0
    return encoding, units, -(-units // part)


def batched(iterable, n: int):
    """Lists of up to n items (itertools.batched arrives in Python 3.12)."""
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch
