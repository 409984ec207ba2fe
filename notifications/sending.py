"""A bulk send, as plain functions the tasks call (and tests can call directly).

The ledger (Delivery rows, see DeliveryQuerySet) is the truth. The planner builds it
once and starts BULK_CHUNKS_IN_FLIGHT chunks over the rows still queued; a chunk sends
the queued rows of its id range through the channel's sender, and when it is done hands
the next range (Campaign.next_range) to a new chunk: the broker holds a bounded number of
messages per send, and the sends of different owners interleave. Both can run again
safely after a crash: the planner rebuilds nothing twice, recovers rows a dead worker
left in "sending" and hands the ledger out again from its start (a chunk lost with its
worker is covered again); a chunk only ever sends rows it claimed.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from jobs import shutdown
from jobs.maintenance import messages_waiting
from jobs.models import BackgroundJob
from jobs.tracking import JobError, JobTracker

from .audience import suppressed_among, too_many
from .backends import get_sms_backend
from .models import Campaign, Contact, Delivery, address_field
from .senders import sender_for
from .text import batched

LEDGER_BATCH = 2000


def campaign_of(tracker) -> Campaign:
    """The campaign a job runs. A retried job takes over its original's campaign."""
    campaign = Campaign.objects.filter(job_id=tracker.id).first()
    if campaign is None:
        original = tracker.load().retry_of_id
        Campaign.objects.filter(job_id=original).update(job_id=tracker.id)
        campaign = Campaign.objects.get(job_id=tracker.id)
        campaign.deliveries.requeue_not_sent()  # what the original never tried goes out now
    return campaign


def plan_campaign(tracker, chunk_task: str) -> int | None:
    """The job's main task: build the ledger, recover what a dead worker left in
    "sending", sync the counters, then enqueue a `chunk_task` per range of queued rows.
    Returns the number of chunks."""
    campaign = campaign_of(tracker)
    if not campaign.ledger_ready:
        check_audience_size(campaign)
    total = build_ledger(campaign)
    tracker.set_total(total)
    # A tag's size is known only now: a small one joins the small sends' lane.
    BackgroundJob.objects.filter(pk=tracker.id, priority=settings.JOBS_PRIORITY_BULK).update(**lane(total))
    resend = campaign.channel == Campaign.Channel.SMS and get_sms_backend().supports_idempotency
    # Only rows claimed before this job was resumed: a resume is decided after JOBS_STUCK_AFTER
    # without a heartbeat (no chunk at work then), while chunks that ran since (queued ahead
    # of this planner) own the rows they claimed and will record them.
    campaign.deliveries.recover_interrupted(resend=resend, claimed_before=tracker.load().resumed_at)
    tracker.sync_counts(campaign.deliveries.counts)
    if tracker.cancelled(force=True):
        tracker.mark_cancelled()
        return None
    campaign.rewind()
    if total <= settings.BULK_SMALL_AUDIENCE:
        return send_small(tracker, campaign, chunk_task)
    started = 0
    while started < max(settings.BULK_CHUNKS_IN_FLIGHT, 1) and start_next_chunk(tracker, campaign, chunk_task):
        started += 1
    return started


def send_small(tracker, campaign: Campaign, chunk_task: str) -> int:
    """A small send is sent by its planner at once (one wait for a worker, not two); what
    it could not finish (transient errors, the provider's quota) goes on in a chunk task."""
    span = campaign.next_range(settings.BULK_SMALL_AUDIENCE)
    if span is None:
        return 0
    result = send_chunk(tracker, *span)
    if result.stopped:
        return 0
    if result.left or result.more or result.wait:
        countdown = result.wait or (settings.BULK_RETRY_BACKOFF if result.left else 0)
        start_chunk(tracker, chunk_task, *span, countdown=countdown)
    return 1


def lane(count: int | None, urgent=False) -> dict:
    """The Celery options of a send's tasks (the job's priority, and its queue where it is not
    the task's route). Small (at most BULK_SMALL_AUDIENCE recipients, known at the trigger) and
    urgent sends go ahead of bulk chunks, in the high lane's own queue (JOBS_URGENT_QUEUE; its
    worker is never busy with bulk chunks); bulk sends go by their tasks' routes."""
    if not (urgent or (count is not None and count <= settings.BULK_SMALL_AUDIENCE)):
        return {"priority": settings.JOBS_PRIORITY_BULK}
    queue = settings.JOBS_URGENT_QUEUE
    return {"priority": settings.JOBS_PRIORITY_HIGH, **({"queue": queue} if queue else {})}


def start_chunk(tracker, chunk_task: str, first_id, last_id, **options):
    """Enqueue a chunk of the job's send in the job's lane (its priority and queue)."""
    lane = BackgroundJob.objects.filter(pk=tracker.id).values("priority", "queue").first() or {}
    options.update({option: value for option, value in lane.items() if value is not None})
    current_app.send_task(chunk_task, args=[tracker.id, first_id, last_id], **options)


def start_next_chunk(tracker, campaign: Campaign, chunk_task: str) -> bool:
    """Enqueue a chunk for the next range of queued rows not handed out yet; False if none."""
    span = campaign.next_range(settings.BULK_CHUNK_SIZE)
    if span is not None:
        start_chunk(tracker, chunk_task, *span)
    return span is not None


def audience_batches(campaign: Campaign):
    """The campaign's recipients in batches, opted-out and inactive contacts left out."""
    if campaign.tag:
        values = (
            Contact.objects.audience(campaign.channel, campaign.tag)
            .order_by("pk")
            .values_list(address_field(campaign.channel), flat=True)
            .iterator(chunk_size=LEDGER_BATCH)
        )
        yield from batched(values, LEDGER_BATCH)
        return
    for batch in batched(campaign.recipients, LEDGER_BATCH):
        suppressed = suppressed_among(campaign.channel, batch)
        yield [r for r in batch if r not in suppressed]


def check_audience_size(campaign: Campaign):
    """A tag may have grown past the maximum since the trigger: refuse before sending anything."""
    if campaign.tag:
        count = Contact.objects.audience(campaign.channel, campaign.tag).count()
        if count > settings.BULK_MAX_AUDIENCE:
            raise JobError(too_many(count))


def build_ledger(campaign: Campaign) -> int:
    """Insert a queued Delivery per recipient (bulk, conflicts ignored: safe to re-run).
    Returns the number of ledger rows."""
    if not campaign.ledger_ready:
        for batch in audience_batches(campaign):
            rows = [
                Delivery(campaign=campaign, recipient=r, idempotency_key=campaign.idempotency_key(r)) for r in batch
            ]
            Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        Campaign.objects.filter(pk=campaign.pk).update(ledger_ready=True)
        campaign.ledger_ready = True
    return campaign.deliveries.count()


class TimeSlice:
    """How long a chunk task holds its worker. It sends for `seconds` (SMS: BULK_CHUNK_SECONDS),
    then goes on for another slice only while no other message waits for its worker
    (jobs.maintenance.messages_waiting: nobody's task would start sooner if it let go), and never
    past `budget`. At the end of its range it asks the same before it takes the next range
    itself: a send alone on its workers goes on range after range in one task, while a
    waiting send gets a worker within a slice."""

    def __init__(self, seconds: float, budget: float):
        now = time.monotonic()
        self.seconds, self.end = seconds, now + budget
        self.deadline = min(now + seconds, self.end)

    @classmethod
    def for_chunk(cls, channel) -> "TimeSlice":
        """Always well inside the soft time limit (a slow rate limit must not turn into a
        time-limit failure). Email takes its whole budget for a range (one SMTP connection
        per task) and asks between ranges only."""
        budget = min(settings.CELERY_TASK_SOFT_TIME_LIMIT * 0.5, 120)
        seconds = min(settings.BULK_CHUNK_SECONDS, budget) if channel == Campaign.Channel.SMS else budget
        return cls(seconds, budget)

    def over(self) -> bool:
        """Is it time to hand the rest of the range to a fresh task at the back of the lane?"""
        now = time.monotonic()
        return now >= self.deadline and not self.another(now)

    def another(self, now=None) -> bool:
        """Take another slice (True), unless the budget is spent or a message waits."""
        now = time.monotonic() if now is None else now
        if now >= self.end or messages_waiting():
            return False
        self.deadline = min(now + self.seconds, self.end)
        return True


class StopCheck:
    """Should the chunk stop? When the job is cancelled or finished (JobTracker.cancelled(),
    which also heartbeats), or when it should hand the rest of its range to a fresh task:
    its time slice is over (TimeSlice), or its worker is shutting down (a deploy's SIGTERM).
    Also the rate limit's `on_wait`: called while a send waits, it keeps the heartbeat."""

    def __init__(self, tracker, time_slice: TimeSlice, campaign=None):
        self.tracker = tracker
        self.campaign = campaign
        self._last_resync = time.monotonic()
        self.hand_off = False
        self.time_slice = time_slice

    def __call__(self, force=False) -> bool:
        if shutdown.requested() or self.time_slice.over():
            self.hand_off = True
        return self.hand_off or self.tracker.cancelled(force)

    def progress(self):
        """After outcomes are recorded: resync the job's counters from the ledger about once
        a second, so a long chunk (slow rate limit) still moves the progress bar."""
        if self.campaign and time.monotonic() - self._last_resync >= max(self.tracker.interval, 1.0):
            self.tracker.sync_counts(self.campaign.deliveries.counts)
            self._last_resync = time.monotonic()


@dataclass
class ChunkResult:
    left: int = 0  # rows left queued after transient errors: retry the chunk later
    more: bool = False  # its time slice is over, or a warm shutdown: continue in a new task now
    wait: float = 0.0  # the provider's limits allow nothing for this many seconds: continue then
    stopped: bool = False  # the job was cancelled or finished: nothing follows


# A chunk waiting for a provider's quota comes back at least this often (a countdown well
# below the broker's visibility timeout; a day-long quota wait is many short ones).
MAX_CHUNK_COUNTDOWN = 300


def send_ranges(tracker, chunk_task: str, first_id, last_id, *, last_try=False) -> int:
    """A chunk task's work: send its range, then, while its TimeSlice lets it, the next
    ranges of the ledger; what it cannot finish goes on in a fresh task (at once, or when
    the provider's quota allows, or after a backoff for a taken range's transient errors).
    When it stops it hands the next range to a new chunk. Returns how many rows of its own
    range are left after transient errors (its task retries them, the last try gives up)."""
    campaign = campaign_of(tracker)
    time_slice = TimeSlice.for_chunk(campaign.channel)
    span, own = (first_id, last_id), True
    while True:
        result = send_chunk(tracker, *span, last_try=own and last_try, time_slice=time_slice)
        if result.more or result.wait:
            start_chunk(tracker, chunk_task, *span, **({"countdown": result.wait} if result.wait else {}))
            return 0
        if result.stopped:
            return 0
        if result.left and own and not last_try:
            return result.left
        if result.left:
            start_chunk(tracker, chunk_task, *span, countdown=settings.BULK_RETRY_BACKOFF)
            return 0
        if not time_slice.another():
            start_next_chunk(tracker, campaign, chunk_task)
            return 0
        span, own = campaign.next_range(settings.BULK_CHUNK_SIZE), False
        if span is None:
            return 0


def send_chunk(tracker, first_id, last_id, *, last_try=False, backend=None, time_slice=None) -> ChunkResult:
    """Send the queued deliveries of one id range of the job's campaign; reports what is left."""
    campaign = Campaign.objects.select_related("job").get(job_id=tracker.id)  # the sender reads the job's lane
    rows = campaign.deliveries.filter(pk__gte=first_id, pk__lte=last_id)
    ids = list(rows.filter(status=Delivery.Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    stop = StopCheck(tracker, time_slice or TimeSlice.for_chunk(campaign.channel), campaign=campaign)
    with sender_for(campaign, backend) as sender:
        stopped = sender.run(ids, stop, last_try=last_try)
    # recount, not sync_counts: when the job was cancelled while this chunk's sends were in
    # flight, their outcomes must still reach the finished job's counters.
    tracker.recount(campaign.deliveries.counts)
    wait = getattr(sender, "wait", None)
    if wait is not None and not tracker.cancelled(force=True):
        return wait_for_provider(tracker, wait)
    if stopped and stop.hand_off:
        return ChunkResult(more=True)
    if stopped:
        tracker.mark_cancelled()  # the owner asked (a finished job is left alone)
        return ChunkResult(stopped=True)
    return ChunkResult(left=rows.filter(status=Delivery.Status.QUEUED).count())


def wait_for_provider(tracker, wait) -> ChunkResult:
    """The provider's quota (or its pause) allows nothing until `wait.until`: the job says so
    and the chunk continues then, in a fresh task (at most MAX_CHUNK_COUNTDOWN away)."""
    seconds = max(wait.until - time.time(), 0.0)
    countdown = min(seconds, MAX_CHUNK_COUNTDOWN, settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] / 4)
    now = timezone.now()
    tracker.wait_until(now + timedelta(seconds=seconds), wait.reason, heartbeat_by=now + timedelta(seconds=countdown))
    return ChunkResult(wait=countdown)


def settle_ledger(job_id) -> int:
    """Once the job of a campaign has finished: no row may stay queued or sending after a
    Failed or Cancelled job, so those rows fail with a reason the owner can read, and the
    counters are recounted from the ledger (also for Completed). Rows in "sending" claimed
    within JOBS_STUCK_AFTER may still be recorded by a chunk whose sends were in flight;
    they are left to it. Returns how many such rows are left (settle again later)."""
    campaign = Campaign.objects.filter(job_id=job_id).select_related("job").first()
    if campaign is None:
        return 0
    job, rows = campaign.job, campaign.deliveries
    left = 0
    if job.status in (BackgroundJob.Status.FAILED, BackgroundJob.Status.CANCELLED):
        if job.status == BackgroundJob.Status.CANCELLED:
            reason = gettext("Not sent: the job was cancelled.")
        else:
            reason = gettext("Not sent: the job failed: %(reason)s") % {"reason": job.error_message}
        recent = timezone.now() - timedelta(seconds=settings.JOBS_STUCK_AFTER)
        rows.give_up(reason, claimed_before=recent)
        left = rows.filter(status=Delivery.Status.SENDING).count()
    JobTracker(job_id).recount(rows.counts)
    return left
