"""Celery tasks of the reports app (queue `reports`). Thin: they call reports.services / reports.daily."""

import time

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext_noop as _

from jobs.tracking import JobError, JobTask

from . import daily, services
from .models import Report
from .writers import Cancelled


@shared_task(
    base=JobTask,
    soft_time_limit=settings.REPORTS_TIME_LIMIT,
    time_limit=settings.REPORTS_TIME_LIMIT + 60,
)
def generate_report(job, report_id):
    """Build one requested report: progress in rows, stops on cancel, records the file on success."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        raise JobError(_("The report was deleted before it could be built."))
    job.set_total(services.count_rows(report))
    delay = settings.REPORTS_ROW_DELAY

    def on_row():
        if job.cancelled():
            raise Cancelled
        job.advance(success=1)
        if delay:
            time.sleep(delay)

    try:
        services.build_report_file(report, on_row)
    except Cancelled:
        return job.mark_cancelled()
    # The data may have changed since the count: the file is the truth.
    job.set_total(report.row_count)
    job.set_counts(report.row_count, report.row_count, 0)
    if not job.complete():
        # Cancelled (or reaped) between the last row and now: no finished-looking file.
        services.discard_file(report)
    return report.row_count


@shared_task(ignore_result=False)
def send_daily_report(day=None):
    """Previous day's messaging and jobs reports (XLSX) emailed to staff. `day` (YYYY-MM-DD) reruns a given day."""
    return daily.send_daily_report(day)


@shared_task(ignore_result=True)
def delete_expired_reports():
    """Delete report files and rows past their expiry (settings.REPORTS_EXPIRE_DAYS)."""
    return services.delete_expired_reports()
