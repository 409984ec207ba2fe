"""Report generators: plain functions from parameters to rows, independent of Celery.

Each kind has
  rows(params)    -> iterator of rows, the header first (lists of cells),
  count(params)   -> how many data rows rows() will yield (for progress),
  sheets(params)  -> extra (name, rows) sheets an XLSX file gets before the data
                     (the messaging report's summary); CSV files hold the data only.

Parameters are the JSON stored on the Report: "from"/"to" as ISO dates
(inclusive, in the project's time zone), "tag" (str) and "active" (bool).
Rows are streamed from the database (`values_list().iterator()`), never loaded
all at once, so a million-row export runs in constant memory.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

CHUNK_SIZE = 2000
TOP_REASONS = 3
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
YES_NO = {True: "yes", False: "no"}


@dataclass(frozen=True)
class ReportKind:
    rows: Callable[[dict], Iterator[list]]
    count: Callable[[dict], int]
    sheets: Callable[[dict], list] = field(default=lambda params: [])
    sheet_title: Callable[[], str] = field(default=lambda: _("Data"))


# --- parameters ----------------------------------------------------------------------


def parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def date_range(params) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) datetimes of the inclusive local-date range in params."""
    today = timezone.localdate()
    date_to = parse_date(params.get("to")) or today
    date_from = parse_date(params.get("from")) or date_to
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def cell(value):
    """A value as written to a file: local times as text, booleans as yes/no."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime(TIME_FORMAT) if timezone.is_aware(value) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return YES_NO[value]
    if value is None:
        return ""
    return value


# --- contacts export ----------------------------------------------------------------------

CONTACT_FIELDS = ("id", "name", "phone", "email", "is_active", "opted_out", "created_at")


def _contacts(params):
    from notifications.models import Contact

    qs = Contact.objects.all()
    if params.get("tag"):
        qs = qs.filter(tags__name=params["tag"])
    if params.get("active") is True:
        qs = qs.filter(is_active=True, opted_out=False)
    elif params.get("active") is False:
        qs = qs.filter(Q(is_active=False) | Q(opted_out=True))
    return qs


def contacts_count(params) -> int:
    return _contacts(params).count()


def contacts_rows(params) -> Iterator[list]:
    """Contacts by id, CHUNK_SIZE at a time (keyset pages: no long-lived cursor, no
    OFFSET), with each page's tags fetched in one query (tags are many-to-many)."""
    from notifications.models import Contact

    Through = Contact.tags.through
    tz = timezone.get_current_timezone()
    yield [_("ID"), _("Name"), _("Phone"), _("Email"), _("Tags"), _("Active"), _("Opted out"), _("Created")]
    contacts = _contacts(params).order_by("id")
    last = 0
    while True:
        page_qs = contacts.filter(id__gt=last)[:CHUNK_SIZE]
        page = list(page_qs.values_list(*CONTACT_FIELDS))
        if not page:
            return
        tags = defaultdict(list)
        # The page as a subquery, not a list of ids: short SQL whatever the page size.
        in_page = Through.objects.filter(contact_id__in=page_qs.values("id"))
        for contact_id, name in in_page.values_list("contact_id", "tag__name"):
            tags[contact_id].append(name)
        for pk, name, phone, email, active, opted_out, created in page:
            yield [
                pk,
                name,
                phone,
                email,
                ", ".join(sorted(tags[pk])) if pk in tags else "",
                YES_NO[active],
                YES_NO[opted_out],
                created.astimezone(tz).strftime(TIME_FORMAT),  # cell(), inlined: this loop runs a million times
            ]
        last = page[-1][0]


# --- messaging report ----------------------------------------------------------------------


def _messaging_groups(params):
    """{(day, channel): {"campaigns", "recipients", "sent", "failed", "reasons": Counter}}, sorted."""
    from notifications.models import Campaign, Delivery

    start, end = date_range(params)
    tz = timezone.get_current_timezone()
    groups = defaultdict(lambda: {"campaigns": 0, "recipients": 0, "sent": 0, "failed": 0, "reasons": Counter()})
    campaigns = (
        Campaign.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "channel")
        .annotate(n=Count("id"))
    )
    for g in campaigns:
        groups[(g["day"], g["channel"])]["campaigns"] = g["n"]
    deliveries = (
        Delivery.objects.filter(campaign__created_at__gte=start, campaign__created_at__lt=end)
        .annotate(day=TruncDate("campaign__created_at", tzinfo=tz), channel=F("campaign__channel"))
        .values("day", "channel")
        .annotate(
            recipients=Count("id"),
            sent=Count("id", filter=Q(status="sent")),
            failed=Count("id", filter=Q(status="failed")),
        )
    )
    for g in deliveries:
        groups[(g["day"], g["channel"])].update(recipients=g["recipients"], sent=g["sent"], failed=g["failed"])
    reasons = (
        Delivery.objects.filter(campaign__created_at__gte=start, campaign__created_at__lt=end, status="failed")
        .annotate(day=TruncDate("campaign__created_at", tzinfo=tz), channel=F("campaign__channel"))
        .values("day", "channel", "error")
        .annotate(n=Count("id"))
    )
    for g in reasons:
        groups[(g["day"], g["channel"])]["reasons"][g["error"] or _("unknown")] += g["n"]
    return dict(sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])))


def format_reasons(reasons: Counter) -> str:
    return "; ".join(f"{reason} ({n})" for reason, n in reasons.most_common(TOP_REASONS))


def messaging_count(params) -> int:
    """The number of (day, channel) rows, in one query: every group starts from a campaign
    (deliveries and reasons are grouped by their campaign's day and channel)."""
    from notifications.models import Campaign

    start, end = date_range(params)
    tz = timezone.get_current_timezone()
    return (
        Campaign.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .order_by()
        .values("day", "channel")
        .distinct()
        .count()
    )


def messaging_rows(params) -> Iterator[list]:
    yield [_("Day"), _("Channel"), _("Campaigns"), _("Recipients"), _("Sent"), _("Failed"), _("Failure reasons")]
    for (day, channel), g in _messaging_groups(params).items():
        yield [
            cell(day),
            channel,
            g["campaigns"],
            g["recipients"],
            g["sent"],
            g["failed"],
            format_reasons(g["reasons"]),
        ]


def messaging_summary_rows(params) -> Iterator[list]:
    """Totals over the whole range, per channel and overall."""
    start, end = date_range(params)
    per_channel = defaultdict(lambda: {"campaigns": 0, "recipients": 0, "sent": 0, "failed": 0, "reasons": Counter()})
    for (_day, channel), g in _messaging_groups(params).items():
        total = per_channel[channel]
        for key in ("campaigns", "recipients", "sent", "failed"):
            total[key] += g[key]
        total["reasons"].update(g["reasons"])
    overall = {"campaigns": 0, "recipients": 0, "sent": 0, "failed": 0, "reasons": Counter()}
    for total in per_channel.values():
        for key in ("campaigns", "recipients", "sent", "failed"):
            overall[key] += total[key]
        overall["reasons"].update(total["reasons"])
    yield [_("From"), cell(start.date()), "", "", "", "", ""]
    yield [_("To"), cell((end - dt.timedelta(days=1)).date()), "", "", "", "", ""]
    yield [
        _("Channel"),
        _("Campaigns"),
        _("Recipients"),
        _("Sent"),
        _("Failed"),
        _("Success rate %"),
        _("Top failure reasons"),
    ]
    for channel, total in sorted(per_channel.items()) + [(_("All"), overall)]:
        rate = round(100 * total["sent"] / total["recipients"], 1) if total["recipients"] else ""
        yield [
            channel,
            total["campaigns"],
            total["recipients"],
            total["sent"],
            total["failed"],
            rate,
            format_reasons(total["reasons"]),
        ]


# --- jobs report ----------------------------------------------------------------------


def _jobs_groups(params):
    """{(job_type, status): [count, total_seconds, timed, max_seconds]} for jobs created in range."""
    from jobs.models import BackgroundJob

    start, end = date_range(params)
    groups = {}
    qs = BackgroundJob.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "job_type", "status", "started_at", "completed_at"
    )
    for job_type, status, started, completed in qs.iterator(chunk_size=CHUNK_SIZE):
        g = groups.setdefault((job_type, status), [0, 0.0, 0, None])
        g[0] += 1
        if started and completed:
            took = (completed - started).total_seconds()
            g[1] += took
            g[2] += 1
            g[3] = took if g[3] is None else max(g[3], took)
    return dict(sorted(groups.items()))


def jobs_count(params) -> int:
    """The number of (type, status) rows, counted by the database (rows() scans the jobs once)."""
    from jobs.models import BackgroundJob

    start, end = date_range(params)
    qs = BackgroundJob.objects.filter(created_at__gte=start, created_at__lt=end)
    return qs.order_by().values("job_type", "status").distinct().count()


def jobs_rows(params) -> Iterator[list]:
    from jobs.models import BackgroundJob

    types, statuses = dict(BackgroundJob.JobType.choices), dict(BackgroundJob.Status.choices)
    yield [_("Job type"), _("Status"), _("Jobs"), _("Average duration (s)"), _("Longest duration (s)")]
    for (job_type, status), (n, total, timed, longest) in _jobs_groups(params).items():
        yield [
            str(types.get(job_type, job_type)),
            str(statuses.get(status, status)),
            n,
            round(total / timed, 1) if timed else "",
            round(longest, 1) if longest is not None else "",
        ]


KINDS = {
    "contacts": ReportKind(rows=contacts_rows, count=contacts_count, sheet_title=lambda: _("Contacts")),
    "messaging": ReportKind(
        rows=messaging_rows,
        count=messaging_count,
        sheets=lambda params: [(_("Summary"), messaging_summary_rows(params))],
        sheet_title=lambda: _("Per day"),
    ),
    "jobs": ReportKind(rows=jobs_rows, count=jobs_count, sheet_title=lambda: _("Jobs")),
}


def get_kind(name) -> ReportKind:
    return KINDS[name]
