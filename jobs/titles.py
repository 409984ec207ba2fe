"""Job titles in the reader's language.

A job's title is stored as what builds it - a message id (its plural and count)
and parameters - in ``metadata["title"]``, and built at display time with the
reader's gettext, so a job started in English reads Persian in the Persian UI.
``BackgroundJob.title`` keeps the text in the starter's language (admin, ops
commands, jobs without a stored form).

Parameter values: a plain value (a tag, a count) is used as it is;
``{"msgid": ...}`` is translated too (a report's kind), ``{"date": "2026-11-01"}``
reads as the reader's calendar (Jalali in Persian, jobs.formatting). Pages show titles with
``dir="auto"``, so a title reads in its own direction inside either layout."""

from django.utils.translation import gettext, ngettext

from .formatting import format_date

KEY = "title"


def title_spec(msgid: str, *, plural: str | None = None, count: int | None = None, **params) -> dict:
    """A title to store: `msgid % params` (or its plural for `count`), built when read."""
    spec = {"msgid": msgid, "params": params}
    if plural is not None:
        spec.update(plural=plural, count=count)
        params.setdefault("count", count)
    return spec


def msgid(text: str) -> dict:
    """A parameter translated when the title is built (mark the text with gettext_noop)."""
    return {"msgid": text}


def day(iso: str) -> dict:
    """A date parameter, shown in the reader's calendar."""
    return {"date": iso}


def _value(value, calendar):
    if isinstance(value, dict):
        if "date" in value:
            return (format_date(value["date"]) if calendar else value["date"]) or ""
        return gettext(value["msgid"])
    return value


def build(spec: dict, calendar: bool = True) -> str:
    """The title in the active language, dates in the reader's calendar (ISO when `calendar`
    is off: the stored text). Raises KeyError/TypeError/ValueError on a malformed spec."""
    params = {}
    for name, value in spec.get("params", {}).items():
        params[name] = _value(value, calendar)
    if spec.get("plural"):
        text = ngettext(spec["msgid"], spec["plural"], int(spec["count"]))
    else:
        text = gettext(spec["msgid"])
    return text % params


def stored(title, metadata: dict | None) -> tuple[str, dict]:
    """start_job's title argument (text or a title_spec) as (text for the row, metadata)."""
    metadata = dict(metadata or {})
    if isinstance(title, dict):
        metadata[KEY] = title
        title = build(title, calendar=False)
    return title[:200], metadata


def job_title(job) -> str:
    """The job's title for the reader: built from its stored form, else the stored text."""
    spec = job.metadata.get(KEY) if isinstance(job.metadata, dict) else None
    if isinstance(spec, dict):
        try:
            return build(spec)
        except (KeyError, TypeError, ValueError):
            pass
    return job.title
