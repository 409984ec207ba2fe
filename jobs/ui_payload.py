"""A job as seed 000's JSON (camelCase keys), for the CRM pages and the widget.

Provisional until the jobs API's serializer lands; then this delegates to it so
pages and API never disagree."""

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language

from .models import BackgroundJob

Status = BackgroundJob.Status
BADGES = {
    Status.PENDING: "bg-secondary",
    Status.RUNNING: "bg-primary",
    Status.COMPLETED: "bg-success",
    Status.FAILED: "bg-danger",
    Status.CANCELLED: "bg-warning",
}


def format_datetime(value):
    if value is None:
        return None
    local = timezone.localtime(value)
    if (get_language() or "").startswith("fa"):
        local = jdatetime.datetime.fromgregorian(datetime=local)
    return local.strftime("%Y/%m/%d %H:%M")


def format_duration(delta):
    if delta is None:
        return None
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _download_url(job):
    url = (job.metadata or {}).get("download_url")
    return url if isinstance(url, str) and url else None


def job_payload(job: BackgroundJob) -> dict:
    return {
        "id": job.pk,
        "title": job.title,
        "description": job.description,
        "jobType": job.job_type,
        "jobTypeText": str(BackgroundJob.JobType(job.job_type).label),
        "status": job.status,
        "statusText": str(Status(job.status).label),
        "statusBadgeClass": BADGES[job.status],
        "progress": job.progress,
        "totalItems": job.total_items,
        "processedItems": job.processed_items,
        "successCount": job.success_count,
        "failedCount": job.failed_count,
        "startDate": format_datetime(job.started_at or job.created_at),
        "completedDate": format_datetime(job.completed_at),
        "duration": format_duration(job.duration),
        "errorMessage": job.error_message or None,
        "downloadUrl": _download_url(job),
    }
