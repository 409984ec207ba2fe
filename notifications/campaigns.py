"""Starting a bulk send: one Campaign row and one BackgroundJob, nothing per recipient."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.models import BackgroundJob
from jobs.tracking import start_job

from .audience import Audience
from .models import Campaign

PLANNERS = {
    Campaign.Channel.SMS: "notifications.send_sms_campaign",
    Campaign.Channel.EMAIL: "notifications.send_email_campaign",
}
JOB_TYPES = {Campaign.Channel.SMS: BackgroundJob.JobType.SMS, Campaign.Channel.EMAIL: BackgroundJob.JobType.EMAIL}


def job_title(channel, count, tag="") -> str:
    if count is None:
        if channel == Campaign.Channel.EMAIL:
            return _("Send email to contacts tagged “%(tag)s”") % {"tag": tag}
        return _("Send SMS to contacts tagged “%(tag)s”") % {"tag": tag}
    if channel == Campaign.Channel.EMAIL:
        return ngettext("Send email to %(count)d address", "Send email to %(count)d addresses", count) % {
            "count": count
        }
    return ngettext("Send SMS to %(count)d number", "Send SMS to %(count)d numbers", count) % {"count": count}


def start_campaign(
    user, audience: Audience, *, body: str, subject: str = "", html: str = "", idempotency_key: str = ""
) -> Campaign:
    """Create the campaign and its job; the planner task is enqueued when the transaction commits.

    With an idempotency key (a double-clicked form, a client's retried request), the owner's
    unfinished campaign started with the same key is returned instead of a second send:
    start_job finds the owner's unfinished job with that key, and the new campaign row
    is rolled back in favour of that job's campaign.
    """
    channel = audience.channel
    with transaction.atomic():
        campaign = Campaign.objects.create(
            channel=channel,
            subject=subject,
            body=body,
            html=html,
            recipients=audience.recipients,
            tag=audience.tag,
            skipped_invalid=audience.invalid,
            owner=user,
        )
        description = subject or body
        if audience.tag:
            description = _("Tag “%(tag)s”: %(text)s") % {"tag": audience.tag, "text": description}
        job = start_job(
            PLANNERS[channel],
            user=user,
            job_type=JOB_TYPES[channel],
            title=job_title(channel, audience.count, audience.tag),
            description=description[:1000],
            kwargs={"campaign_id": campaign.pk},
            total_items=audience.count or 0,
            metadata={"campaignId": campaign.pk, "channel": channel, "tag": audience.tag},
            idempotency_key=idempotency_key,
        )
        if job.task_kwargs.get("campaign_id") != campaign.pk:  # an earlier or concurrent request has the key
            transaction.set_rollback(True)
        else:
            campaign.job = job
            Campaign.objects.filter(pk=campaign.pk).update(job=job)
    if campaign.job_id != job.pk:
        return Campaign.objects.select_related("job").get(pk=job.task_kwargs["campaign_id"])
    return campaign
