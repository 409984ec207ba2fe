"""Settling a campaign once its job has finished (jobs.tracking.job_finished; the receiver
is connected in NotificationsConfig.ready)."""

from django.db.models import Count
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from jobs.tracking import job_finished, update_metadata

from .campaigns import JOB_TYPES
from .models import Campaign, Delivery
from .tasks import settle_campaign

MAX_GROUPS = 5  # reasons named in a summary; the rest are counted as "other reasons"
Reason = Delivery.Reason
# Stored as msgids, translated when the job is shown (jobs.formatting.failure_summary).
UNKNOWN = gettext_noop("outcome unknown (may have been delivered)")
GAVE_UP = gettext_noop("gave up after %(n)d attempts")
OTHER = gettext_noop("other reasons")


@receiver(job_finished, dispatch_uid="notifications.settle_campaign")
def settle_campaign_of_job(sender, job_id, status, job_type=None, **kwargs):
    """A campaign's job has finished. No ledger row is left queued or sending after a
    Failed or Cancelled job, and the counters equal the ledger in every terminal state:
    settled at once, in the process that finished the job (rows a chunk may still be
    sending are settled later by the task). Then the failures, grouped by reason, go
    into the job's metadata. Any other job costs nothing when its type is known (a job
    finished by its task), else one indexed lookup."""
    if job_type is not None and job_type not in JOB_TYPES.values():
        return
    campaign = Campaign.objects.filter(job_id=job_id).first()
    if campaign is None:
        return
    settle_campaign(job_id)
    update_metadata(job_id, failure_summary=failure_summary(campaign))


def failure_summary(campaign) -> dict:
    """{"failed", "total", "groups": [{"count", "reason", "params"?}]}, largest group first:
    permanent rejections by the provider's words, give-ups by attempts, unknown outcomes."""
    deliveries = campaign.deliveries.order_by()
    rows = (
        deliveries.filter(status=Delivery.Status.FAILED)
        .values_list("reason", "error", "attempts")
        .annotate(n=Count("pk"))
    )
    groups = {}
    for reason, error, attempts, n in rows:
        if reason == Reason.UNKNOWN:
            key = (UNKNOWN, None)
        elif reason == Reason.GAVE_UP:
            key = (GAVE_UP, attempts)
        else:
            key = (error.strip() or OTHER, None)
        groups[key] = groups.get(key, 0) + n
    ordered = sorted(groups.items(), key=lambda item: (-item[1], item[0][0]))  # ties: by reason
    summary = [{"count": n, "reason": r, **({"params": {"n": p}} if p is not None else {})} for (r, p), n in ordered]
    if len(summary) > MAX_GROUPS:
        rest = sum(g["count"] for g in summary[MAX_GROUPS - 1 :])
        summary = summary[: MAX_GROUPS - 1] + [{"count": rest, "reason": OTHER}]
    return {"failed": sum(groups.values()), "total": deliveries.count(), "groups": summary}
