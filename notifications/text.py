"""Phone numbers, email addresses and SMS segment counting: pure functions."""

import re
from functools import cache

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


_INTERNATIONAL = re.compile(r"\+([1-9]\d{6,14})")
_NATIONAL = re.compile(r"(\d)([1-9]\d{5,13})")


@cache
def _plain_national_prefix(region: str) -> tuple[int, str] | None:
    """(country code, national prefix) of a region whose numbers are written nationally as
    the prefix + the national number (e.g. IR: 0 912 ...), or None where it is more subtle."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or not metadata.national_prefix or len(metadata.national_prefix) != 1:
        return None
    if metadata.national_prefix_for_parsing not in (None, metadata.national_prefix):
        return None
    if metadata.national_prefix_transform_rule:
        return None
    return metadata.country_code, metadata.national_prefix


@cache
def _prefix_digits(code: int) -> frozenset:
    """First digits after country code `code` that the full parser may treat specially
    (a zero, any of the code's regions' national prefixes); all of them when in doubt."""
    digits = {"0"}
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        for prefix in (metadata.national_prefix, metadata.national_prefix_for_parsing):
            if prefix and prefix.isdigit():
                digits.add(prefix[0])
            elif prefix:
                return frozenset("0123456789")
    return frozenset(digits)


@cache
def _mobile_descs(code: int) -> tuple | None:
    """(possible lengths, compiled pattern) of the general and the mobile number description
    of the one region with calling code `code` (phonenumbers' own metadata); None when
    several regions share the code or a description is missing."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ())
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(regions[0]) if len(regions) == 1 else None
    descs = (metadata.general_desc, metadata.mobile) if metadata else ()
    if not descs or any(d is None or not d.national_number_pattern for d in descs):
        return None
    return tuple((frozenset(d.possible_length), re.compile(d.national_number_pattern)) for d in descs)


def _is_mobile(code: int, national: str) -> bool:
    """True when `national` matches its region's general and mobile descriptions, the way
    phonenumbers' validity check matches each number type (it tries mobile last, after ten
    others): such a number is valid. False only means "ask is_valid_number"."""
    descs = _mobile_descs(code)
    return descs is not None and all(
        (not lengths or len(national) in lengths) and pattern.fullmatch(national) for lengths, pattern in descs
    )


def _fast_e164(raw: str, region: str) -> str | None:
    """The E.164 form of a plain number (+<country><number>, or <national prefix><number>)
    when phonenumbers says that number is valid; None means "ask phonenumbers.parse".
    Only ever accepts: a number is refused by the full parser alone."""
    if match := _INTERNATIONAL.fullmatch(raw):
        digits = match[1]
        for size in (1, 2, 3):  # country calling codes are prefix-free
            if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                code, national = int(digits[:size]), digits[size:]
                break
        else:
            return None
        if national[0] in _prefix_digits(code):  # leading zeros, national prefixes: the full parser
            return None
    elif (match := _NATIONAL.fullmatch(raw)) and (plain := _plain_national_prefix(region)):
        code, prefix = plain
        if match[1] != prefix:
            return None
        national = match[2]
    else:
        return None
    if _is_mobile(code, national):
        return f"+{code}{national}"
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return f"+{code}{national}" if phonenumbers.is_valid_number(number) else None


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """E.164 form of a phone number, or None if it is not a valid number. Plain numbers
    (the usual case in a long list) skip phonenumbers' general parser but not its
    validity check; anything else is parsed in full."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 32:
        return None
    region = region or settings.PHONE_DEFAULT_REGION
    if fast := _fast_e164(raw, region):
        return fast
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
