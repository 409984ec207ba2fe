"""Starting a bulk send: one Campaign row and one BackgroundJob, nothing per recipient."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs.models import BackgroundJob
from jobs.titles import title_spec
from jobs.tracking import start_job

from .audience import Audience
from .models import Campaign

PLANNERS = {
    Campaign.Channel.SMS: "notifications.send_sms_campaign",
    Campaign.Channel.EMAIL: "notifications.send_email_campaign",
}
JOB_TYPES = {Campaign.Channel.SMS: BackgroundJob.JobType.SMS, Campaign.Channel.EMAIL: BackgroundJob.JobType.EMAIL}


def job_title(channel, count, tag="") -> dict:
    """The job's title, built in each reader's language (jobs.titles)."""
    email = channel == Campaign.Channel.EMAIL
    if count is None:
        if email:
            return title_spec(gettext_noop("Send email to contacts tagged “%(tag)s”"), tag=tag)
        return title_spec(gettext_noop("Send SMS to contacts tagged “%(tag)s”"), tag=tag)
    if email:
        return title_spec(
            gettext_noop("Send email to %(count)d address"),
            plural=gettext_noop("Send email to %(count)d addresses"),
            count=count,
        )
    return title_spec(
        gettext_noop("Send SMS to %(count)d number"), plural=gettext_noop("Send SMS to %(count)d numbers"), count=count
    )


def start_campaign(
    user, audience: Audience, *, body: str, subject: str = "", html: str = "", idempotency_key: str = ""
) -> Campaign:
    """Create the job and its campaign; the planner task is enqueued when the transaction commits.

    With an idempotency key (a double-clicked form, a client's retried request), the owner's
    unfinished campaign started with the same key is returned instead of a second send.
    """
    if idempotency_key and (earlier := Campaign.objects.started_with_key(user, idempotency_key)):
        return earlier
    channel = audience.channel
    description = subject or body
    if audience.tag:
        description = _("Tag “%(tag)s”: %(text)s") % {"tag": audience.tag, "text": description}
    with transaction.atomic():
        job = start_job(
            PLANNERS[channel],
            user=user,
            job_type=JOB_TYPES[channel],
            title=job_title(channel, audience.count, audience.tag),
            description=description[:1000],
            total_items=audience.count or 0,
            idempotency_key=idempotency_key,
        )
        # start_job hands back the job of a concurrent request that won the key: its campaign.
        return Campaign.objects.filter(job=job).first() or Campaign.objects.create(
            job=job,
            channel=channel,
            subject=subject,
            body=body,
            html=html,
            recipients=audience.recipients,
            tag=audience.tag,
            skipped_invalid=audience.invalid,
            owner=user,
        )
