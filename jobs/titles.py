"""Job titles in the reader's language.

A job's title is stored as what builds it - a message id (its plural and count)
and parameters - in ``metadata["title"]``, and built at display time with the
reader's gettext, so a job started in English reads Persian in the Persian UI.
``BackgroundJob.title`` keeps the text in the starter's language (admin, ops
commands, jobs without a stored form).

Parameter values: a plain value (a tag, a count, a date) is used as it is;
``{"msgid": ...}`` is translated too (a report's kind). Pages show titles with
``dir="auto"``, so a title reads in its own direction inside either layout."""

from django.utils.translation import gettext, ngettext

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


def build(spec: dict) -> str:
    """The title in the active language. Raises KeyError/TypeError/ValueError on a malformed spec."""
    params = {}
    for name, value in spec.get("params", {}).items():
        params[name] = gettext(value["msgid"]) if isinstance(value, dict) else value
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
        title = build(title)
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
