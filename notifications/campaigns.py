"""Starting a bulk send: one Campaign row and one BackgroundJob, nothing per recipient."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs.models import BackgroundJob
from jobs.titles import title_spec
from jobs.tracking import start_job, update_metadata

from .audience import Audience, AudienceError
from .backends import get_sms_backend
from .models import Campaign, Delivery
from .ratelimit import provider_limit
from .sending import lane

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
    user,
    audience: Audience,
    *,
    body: str,
    subject: str = "",
    html: str = "",
    idempotency_key: str = "",
    send_at=None,
    personalised: bool = False,
    retry_of: Campaign | None = None,
    urgent: bool = False,
) -> Campaign:
    """Create the job and its campaign; the planner task is enqueued when the transaction commits,
    or, with `send_at`, by beat once it is due (the job waits Pending, cancellable).

    With an idempotency key (a double-clicked form, a client's retried request), the owner's
    unfinished campaign started with the same key is returned instead of a second send.
    Small (at most BULK_SMALL_AUDIENCE) and `urgent` sends go ahead of bulk chunks.
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
            **lane(audience.count, urgent),
            metadata=send_limits(channel),
            scheduled_for=send_at,
        )
        # start_job hands back the job of a concurrent request that won the key: its campaign.
        earlier = Campaign.objects.filter(job=job).first()
        if earlier:
            return earlier
        campaign = Campaign.objects.create(
            job=job,
            channel=channel,
            subject=subject,
            body=body,
            html=html,
            recipients=audience.recipients,
            tag=audience.tag,
            skipped_invalid=audience.invalid,
            owner=user,
            send_at=send_at,
            personalised=personalised,
            retry_of=retry_of,
        )
        update_metadata(job.pk, detail_url=reverse("notifications:campaign-detail", args=[campaign.pk]))
        return campaign


def retry_failed(campaign: Campaign, *, include_unknown=False) -> Campaign:
    """A new campaign and job over the recipients of `campaign` that failed and no earlier
    retry took over. Unknown outcomes (the provider may have delivered) are left out unless
    `include_unknown`.
    AudienceError when the campaign is still running or nothing is left to retry."""
    with transaction.atomic():
        # The campaign's row lock: two retries at once take its failures in turn, never both.
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        return _retry_failed(campaign, include_unknown)


def _retry_failed(campaign, include_unknown):
    job = campaign.job
    if job is not None and job.is_active:
        raise AudienceError({"campaign": [_("The campaign is still running; retry its failures once it finishes.")]})
    failed = campaign.deliveries.filter(status=Delivery.Status.FAILED)
    if not include_unknown:
        failed = failed.exclude(reason=Delivery.Reason.UNKNOWN)
    # Recipients an earlier retry of this campaign took over (its explicit list) are its to send.
    taken = {r for listed in campaign.retries.values_list("recipients", flat=True) for r in listed}
    recipients = [r for r in failed.order_by("pk").values_list("recipient", flat=True) if r not in taken]
    if not recipients:
        raise AudienceError({"campaign": [_("No failed recipients to retry.")]})
    audience = Audience(channel=campaign.channel, recipients=recipients, count=len(recipients))
    return start_campaign(
        campaign.owner,
        audience,
        body=campaign.body,
        subject=campaign.subject,
        html=campaign.html,
        personalised=campaign.personalised,
        retry_of=campaign,
    )


def send_limits(channel) -> dict:
    """What bounds the send's speed, for its ETA: the provider's sustained rate (items/s)."""
    if channel != Campaign.Channel.SMS:
        return {}
    max_rate = provider_limit(get_sms_backend().name).max_rate()
    return {"max_rate": max_rate} if max_rate else {}
