"""Celery tasks of the reports app (queue `reports`): fetch by id, call reports.services / reports.daily."""

from celery import shared_task
from django.conf import settings

from jobs.tracking import JobTask

from . import daily, services


@shared_task(
    name=services.GENERATE_TASK,
    base=JobTask,
    resumable=True,  # rebuilds from the start after a crash
    soft_time_limit=settings.REPORTS_TIME_LIMIT,
    time_limit=settings.REPORTS_TIME_LIMIT + 60,
)
def generate_report(tracker, report_id):
    """Build one requested report (progress in rows, stops on cancel)."""
    return services.generate_report(tracker, report_id)


@shared_task(name="reports.send_daily_report", ignore_result=False)
def send_daily_report(day=None):
    """Previous day's messaging and jobs reports (XLSX) emailed to staff. `day` (YYYY-MM-DD) reruns a given day."""
    return daily.send_daily_report(day)


@shared_task(name="reports.delete_expired_reports", ignore_result=True)
def delete_expired_reports():
    """Delete report files and rows past their expiry (settings.REPORTS_EXPIRE_DAYS)."""
    return services.delete_expired_reports()
