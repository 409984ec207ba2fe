"""Settling a campaign once its job has finished (jobs.tracking.job_finished; receivers
connected in NotificationsConfig.ready, run in this order)."""

from django.db.models import Count
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from jobs.tracking import job_finished, update_metadata

from .models import Campaign, Delivery
from .tasks import settle_campaign

MAX_GROUPS = 5  # reasons named in a summary; the rest are counted as "other reasons"
Reason = Delivery.Reason
# Stored as msgids, translated when the job is shown (jobs.formatting.failure_summary).
UNKNOWN = gettext_noop("outcome unknown (may have been delivered)")
GAVE_UP = gettext_noop("gave up after %(n)d attempts")
OTHER = gettext_noop("other reasons")


@receiver(job_finished, dispatch_uid="notifications.settle_ledger")
def settle_ledger(sender, job_id, status, **kwargs):
    """No ledger row left queued or sending after a Failed or Cancelled job, and counters
    equal to the ledger in every terminal state: settled at once, in the process that
    finished the job (before the failure summary, which then counts the rows not sent);
    rows a chunk may still be sending are settled later by the task."""
    settle_campaign(job_id)


@receiver(job_finished, dispatch_uid="notifications.summarise_failures")
def summarise_failures(sender, job_id, status, **kwargs):
    """Store the campaign's failures grouped by reason in its job's metadata."""
    campaign = Campaign.objects.filter(job_id=job_id).first()
    if campaign is not None:
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
