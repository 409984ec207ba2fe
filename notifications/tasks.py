"""Bulk-send tasks: a planner per campaign (the job's main task) fanning out chunk tasks.

Thin on purpose: the work is in notifications.sending. Both are resumable: re-running
the planner (the reaper's resume) rebuilds nothing twice, recovers rows a dead worker
left in "sending" and re-dispatches chunks for whatever is still queued; chunks only
ever send rows they claimed.
"""

from celery import shared_task
from django.conf import settings

from jobs.tracking import JobTask, RetryableError

from . import sending
from .backends import get_sms_backend
from .models import Campaign

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


def plan_campaign(job, campaign_id, chunk_task):
    campaign = Campaign.objects.get(pk=campaign_id)
    if not campaign.ledger_ready:
        sending.check_audience_size(campaign)
    job.set_total(sending.build_ledger(campaign))
    resend = campaign.channel == Campaign.Channel.SMS and get_sms_backend().supports_idempotency
    sending.recover_interrupted(campaign, resend=resend)
    sending.resync_counts(job, campaign_id)
    stop = sending.StopCheck(job)
    if stop(force=True):
        return stop.finish()
    ranges = sending.chunk_ranges(campaign, settings.BULK_CHUNK_SIZE)
    for first_id, last_id in ranges:
        chunk_task.apply_async(args=[job.id, campaign_id, first_id, last_id])
    return len(ranges)


def run_chunk(task, job, campaign_id, first_id, last_id):
    last_try = task.request.retries >= task.max_retries
    result = sending.send_chunk(job, campaign_id, first_id, last_id, last_try=last_try)
    if result.more:  # out of time (slow rate limit): a fresh task takes the rest of the range
        task.apply_async(args=[job.id, campaign_id, first_id, last_id])
    elif result.left and not last_try:
        raise RetryableError(f"{result.left} deliveries hit a transient error; retrying")
    return None


@shared_task(name="notifications.send_sms_campaign", base=JobTask, resumable=True)
def send_sms_campaign(job, campaign_id):
    """Build the SMS ledger and fan out the chunks."""
    return plan_campaign(job, campaign_id, send_sms_chunk)


@shared_task(name="notifications.send_email_campaign", base=JobTask, resumable=True)
def send_email_campaign(job, campaign_id):
    """Build the email ledger and fan out the chunks."""
    return plan_campaign(job, campaign_id, send_email_chunk)


@shared_task(name="notifications.send_sms_chunk", **CHUNK_OPTIONS)
def send_sms_chunk(self, job, campaign_id, first_id, last_id):
    return run_chunk(self, job, campaign_id, first_id, last_id)


@shared_task(name="notifications.send_email_chunk", **CHUNK_OPTIONS)
def send_email_chunk(self, job, campaign_id, first_id, last_id):
    return run_chunk(self, job, campaign_id, first_id, last_id)
