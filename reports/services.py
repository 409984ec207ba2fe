"""Domain functions for reports: request one, build its file, discard and expire files.

A report's file is written to a local temporary file and saved through Django's
default storage only once complete, so a cancelled or failed build never leaves
a half file that looks like a finished report; the temporary file is always
removed.
"""

import datetime as dt
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from jobs import shutdown, titles
from jobs.models import BackgroundJob
from jobs.tracking import JobError, resume_job, start_job

from .generators import get_kind
from .models import Report
from .writers import Cancelled, write

GENERATE_TASK = "reports.generate_report"

JOB_TYPES = {
    Report.Kind.CONTACTS: BackgroundJob.JobType.EXPORT,
    Report.Kind.MESSAGING: BackgroundJob.JobType.REPORT,
    Report.Kind.JOBS: BackgroundJob.JobType.REPORT,
}


def expiry_from_now():
    return timezone.now() + dt.timedelta(days=settings.REPORTS_EXPIRE_DAYS)


def report_title(kind, fmt, params) -> dict:
    """The job's title, built in each reader's language (jobs.titles)."""
    with translation.override(None):  # the label's msgid, translated when the title is read
        label = titles.msgid(str(Report.Kind(kind).label))
    if params.get("from") or params.get("to"):
        return titles.title_spec(
            gettext_noop("%(report)s %(from)s to %(to)s (%(format)s)"),
            report=label,
            **{"from": titles.day(params.get("from", "")), "to": titles.day(params.get("to", ""))},
            format=fmt.upper(),
        )
    return titles.title_spec(gettext_noop("%(report)s (%(format)s)"), report=label, format=fmt.upper())


def request_report(user, kind, fmt, parameters) -> Report:
    """Create the report and its job; the task is enqueued when the transaction commits."""
    with transaction.atomic():
        report = Report.objects.create(
            kind=kind, format=fmt, parameters=parameters, owner=user, expires_at=expiry_from_now()
        )
        report.job = start_job(
            GENERATE_TASK,
            user=user,
            job_type=JOB_TYPES[kind],
            title=report_title(kind, fmt, parameters),
            description=", ".join(f"{k}={v}" for k, v in sorted(parameters.items())),
            kwargs={"report_id": report.pk},
            metadata={"report_id": report.pk, "download_url": report.get_download_url()},
        )
        report.save(update_fields=["job"])
    return report


def count_rows(report: Report) -> int:
    return get_kind(report.kind).count(report.parameters)


def generate_report(tracker, report_id) -> int | None:
    """Build one requested report for its job: progress in rows, stops on cancel,
    records the file on success. Returns the number of rows written.

    Safe to run again (the reaper resumes it after a crash): it rebuilds from the start,
    dropping a file an interrupted run stored. At a warm shutdown it stops and hands the
    job to another worker at once."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise JobError(gettext_noop("The report was deleted before it could be built."))
    if report.file:
        discard_file(report)
    tracker.set_total(count_rows(report))
    tracker.set_counts(0, 0, 0)
    delay = settings.REPORTS_ROW_DELAY

    def on_row():
        if shutdown.requested() or tracker.cancelled():
            raise Cancelled
        tracker.advance(success=1)
        if delay:
            time.sleep(delay)

    try:
        build_report_file(report, on_row)
    except Cancelled:
        if shutdown.requested():
            tracker.flush()
            resume_job(tracker.load())
        else:
            tracker.mark_cancelled()
        return None
    # The data may have changed since the count: the file is the truth.
    tracker.set_total(report.row_count)
    tracker.set_counts(report.row_count, report.row_count, 0)
    if not tracker.complete():
        # Cancelled (or reaped) between the last row and now: no finished-looking file.
        discard_file(report)
    return report.row_count


def build_report_file(report: Report, on_row=None) -> Report:
    """Generate the report's rows into a temporary file, then save it to storage.

    `on_row` is called after every data row and may raise writers.Cancelled;
    whatever happens, the temporary file is removed and nothing is stored unless
    every row was written.
    """
    kind = get_kind(report.kind)
    # One name per report: a build killed midway leaves its partial file under this name,
    # and the rebuild overwrites, then removes it.
    tmp = partial_path(report)
    try:
        params = report.parameters
        sheets = kind.sheets(params) if report.format == Report.Format.XLSX else ()
        rows = write(report.format, str(tmp), kind.rows(params), on_row, title=kind.sheet_title(), sheets=sheets)
        name = f"{report.kind}-{timezone.localdate():%Y%m%d}-{report.pk}.{report.format}"
        with open(tmp, "rb") as fh:
            report.file.save(name, File(fh), save=False)
        report.row_count, report.size = rows, report.file.size
        report.completed_at = timezone.now()
        report.expires_at = expiry_from_now()
        report.save(update_fields=["file", "row_count", "size", "completed_at", "expires_at"])
    finally:
        tmp.unlink(missing_ok=True)
    return report


def partial_path(report: Report) -> Path:
    """Where a report's file is written while it is built."""
    return Path(tempfile.gettempdir()) / f"report-{report.pk}.{report.format}.part"


def discard_file(report: Report):
    """Remove a report's stored file (cancelled at the last moment, expired, deleted)."""
    if report.file:
        report.file.delete(save=False)
    Report.objects.filter(pk=report.pk).update(file="", row_count=0, size=0, completed_at=None)


def delete_expired_reports(now=None, batch=500) -> int:
    """Delete reports (rows and files) past their expiry, except those still being built."""
    now = now or timezone.now()
    deleted = 0
    while True:
        expired = list(
            Report.objects.filter(expires_at__lte=now)
            .exclude(job__in=BackgroundJob.objects.active())
            .order_by("pk")[:batch]
        )
        if not expired:
            return deleted
        # Files go with their rows (reports.signals deletes a deleted report's file).
        Report.objects.filter(pk__in=[r.pk for r in expired]).delete()
        deleted += len(expired)
