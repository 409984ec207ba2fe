"""How job dates and durations read to users (seed 000): `YYYY/MM/DD HH:MM` in the
current time zone, Jalali for Persian; durations `MM:SS` or `H:MM:SS`.

Plain functions, shared by the JSON API and the templates."""

from datetime import datetime, timedelta

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language

DATE_FORMAT = "%Y/%m/%d %H:%M"


def format_datetime(value: datetime | None, language: str | None = None) -> str | None:
    """`2024/11/17 14:30` in the current time zone; Jalali (`1403/08/27 14:30`) when the
    language is Persian. None stays None."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    language = (language or get_language() or "").split("-")[0].lower()
    if language == "fa":
        return jdatetime.datetime.fromgregorian(datetime=value).strftime(DATE_FORMAT)
    return value.strftime(DATE_FORMAT)


def format_duration(value: timedelta | None) -> str | None:
    """`05:23` below an hour, `1:02:03` from an hour on. None stays None."""
    if value is None:
        return None
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"
