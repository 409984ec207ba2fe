"""How dates, durations and sizes read to users (seed 000): `YYYY/MM/DD HH:MM` in
the current time zone, Jalali for Persian; durations `MM:SS` or `H:MM:SS`; file
sizes with translated units.

Plain functions, shared by the JSON API and every page (template filters in
jobs/templatetags/crm_format.py)."""

from datetime import date, datetime, timedelta

import jdatetime
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

DATE_FORMAT = "%Y/%m/%d %H:%M"
DAY_FORMAT = "%Y/%m/%d"


def _persian(language):
    return (language or get_language() or "").split("-")[0].lower() == "fa"


def format_datetime(value: datetime | None, language: str | None = None) -> str | None:
    """`2024/11/17 14:30` in the current time zone; Jalali (`1403/08/27 14:30`) when the
    language is Persian. None stays None."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if _persian(language):
        return jdatetime.datetime.fromgregorian(datetime=value).strftime(DATE_FORMAT)
    return value.strftime(DATE_FORMAT)


def format_date(value: date | str | None, language: str | None = None) -> str | None:
    """A calendar day (a date or its ISO text) as `2024/11/17`, Jalali in Persian (`1403/08/27`)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if _persian(language):
        return jdatetime.date.fromgregorian(date=value).strftime(DAY_FORMAT)
    return value.strftime(DAY_FORMAT)


def format_size(size: int | None) -> str | None:
    """A file size with a translated unit: `512 bytes`, `1.5 KB`, `3.2 MB`."""
    if size is None:
        return None
    if size < 1024:
        return _("%(size)s bytes") % {"size": size}
    for unit in (_("%(size)s KB"), _("%(size)s MB")):
        size /= 1024
        if size < 1024:
            return unit % {"size": f"{size:.1f}"}
    return _("%(size)s GB") % {"size": f"{size / 1024:.1f}"}


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


def failure_summary(data) -> str | None:
    """`97 of 3,000 failed: 78 × unknown number; 19 × gave up after 4 attempts` from the structured
    summary an app stored in job.metadata["failure_summary"] when the job finished:
    {"failed": n, "total": n, "groups": [{"count": n, "reason": msgid, "params": {...}}]}.
    Reasons are msgids (or the provider's own words), translated here, for the reader."""
    if not isinstance(data, dict) or not data.get("failed"):
        return None
    parts = []
    for group in data.get("groups") or []:
        reason = gettext(str(group.get("reason", "")))
        try:
            reason = reason % group["params"] if group.get("params") else reason
        except (KeyError, TypeError, ValueError):
            pass
        parts.append(f"{_number(group.get('count', 0))} × {reason}")
    head = gettext("%(failed)s of %(total)s failed") % {
        "failed": _number(data["failed"]),
        "total": _number(data.get("total") or data["failed"]),
    }
    return f"{head}: {'; '.join(parts)}" if parts else head


def _number(n) -> str:
    return number_format(n, force_grouping=True)
