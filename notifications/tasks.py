"""Bulk-send tasks: a planner per campaign (the job's main task) fanning out chunk tasks.
Thin on purpose: they take the job id and call notifications.sending."""

from celery import shared_task
from django.conf import settings

from jobs.tracking import JobTask, RetryableError

from . import sending

CHUNK_OPTIONS = {
    "base": JobTask,
    "bind": True,
    "resumable": True,
    "ignore_result": True,
    "max_retries": settings.BULK_MAX_ATTEMPTS,
    "retry_backoff": settings.BULK_RETRY_BACKOFF,
    "retry_backoff_max": 300,  # well below the broker's visibility timeout
    "retry_jitter": True,
}
SMS_CHUNK = "notifications.send_sms_chunk"
EMAIL_CHUNK = "notifications.send_email_chunk"


@shared_task(name="notifications.send_sms_campaign", base=JobTask, resumable=True)
def send_sms_campaign(tracker):
    """Build the SMS ledger and fan out the chunks."""
    return sending.plan_campaign(tracker, SMS_CHUNK)


@shared_task(name="notifications.send_email_campaign", base=JobTask, resumable=True)
def send_email_campaign(tracker):
    """Build the email ledger and fan out the chunks."""
    return sending.plan_campaign(tracker, EMAIL_CHUNK)


@shared_task(name=SMS_CHUNK, **CHUNK_OPTIONS)
def send_sms_chunk(self, tracker, first_id, last_id):
    return run_chunk(self, tracker, first_id, last_id)


@shared_task(name=EMAIL_CHUNK, **CHUNK_OPTIONS)
def send_email_chunk(self, tracker, first_id, last_id):
    return run_chunk(self, tracker, first_id, last_id)


def run_chunk(task, tracker, first_id, last_id):
    """Send the chunk's range, and more while no other task waits for the worker
    (sending.send_ranges); rows left after transient errors make the task retry with
    backoff (the last try gives up)."""
    last_try = task.request.retries >= task.max_retries
    if left := sending.send_ranges(tracker, task.name, first_id, last_id, last_try=last_try):
        raise RetryableError(f"{left} deliveries hit a transient error; retrying")


@shared_task(name="notifications.settle_campaign", ignore_result=True)
def settle_campaign(job_id):
    """Settle a finished job's ledger and counters (sending.settle_ledger); rows a chunk may
    still be sending are settled again once they had JOBS_STUCK_AFTER to be recorded."""
    if sending.settle_ledger(job_id):
        settle_campaign.apply_async(args=[job_id], countdown=settings.JOBS_STUCK_AFTER + 1)
