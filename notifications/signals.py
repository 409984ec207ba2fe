"""Receivers keeping a campaign's own records true when its job finishes (connected in
NotificationsConfig.ready)."""

from django.dispatch import receiver

from jobs.tracking import job_finished

from .tasks import settle_campaign


@receiver(job_finished, dispatch_uid="notifications.settle_ledger")
def settle_ledger(sender, job_id, status, **kwargs):
    """No ledger row left queued or sending after a Failed or Cancelled job, and counters
    equal to the ledger in every terminal state: settled at once, in the process that
    finished the job; rows a chunk may still be sending are settled later by the task."""
    settle_campaign(job_id)
