"""Bulk sending, as plain functions the tasks call (and tests can call directly).

The ledger (Delivery rows) is the truth. A row moves queued -> sending -> sent | failed:
- claim: one conditional UPDATE queued -> sending with a fresh claim token for a small
  batch, then read back the rows carrying the token, so two copies of a chunk never
  send the same recipient;
- send: several at once on a small thread pool (I/O bound), each send waiting for the
  provider's shared rate limit;
- record: guarded UPDATEs (status=sending and our token) in one transaction.
A row left in "sending" by a crash is, on resume, resent with the same idempotency key
when the provider honours one, else marked failed as "outcome unknown".
"""

import logging
import os
import random
import smtplib
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Case, CharField, Count, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from config import sharedstate
from config.logs import current_job
from jobs.models import BackgroundJob
from jobs.tracking import JobError

from .audience import suppressed_among, too_many
from .backends import SmsMessage, get_sms_backend
from .models import Campaign, Contact, Delivery, address_field
from .text import batched

logger = logging.getLogger(__name__)
Status = Delivery.Status
LEDGER_BATCH = 2000


# --- ledger -------------------------------------------------------------------------


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


def recover_interrupted(campaign: Campaign, resend: bool) -> int:
    """Rows a dead worker left in "sending": back to queued (the provider will recognise
    the idempotency key) or, when it would not, failed as outcome unknown."""
    stuck = campaign.deliveries.filter(status=Status.SENDING)
    if resend:
        return stuck.update(status=Status.QUEUED, claim="", updated_at=timezone.now())
    return stuck.update(
        status=Status.FAILED,
        claim="",
        updated_at=timezone.now(),
        error=_("Outcome unknown: the worker stopped while sending; not resent to avoid a duplicate."),
    )


def ledger_counts(campaign_id) -> tuple[int, int]:
    rows = (
        Delivery.objects.filter(campaign_id=campaign_id, status__in=Delivery.FINAL)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts = dict(rows)
    return counts.get(Status.SENT, 0), counts.get(Status.FAILED, 0)


def resync_counts(job, campaign_id):
    """Set the job's counters from the ledger. Serialised on the job row, so the last
    writer always writes the newest counts (SQLite: IMMEDIATE transactions already are)."""
    with transaction.atomic():
        list(BackgroundJob.objects.select_for_update().filter(pk=job.id).values_list("pk"))
        sent, failed = ledger_counts(campaign_id)
        job.set_counts(sent + failed, sent, failed)
    return sent, failed


def chunk_ranges(campaign: Campaign, size: int) -> list[tuple[int, int]]:
    """(first id, last id) of consecutive runs of `size` queued rows."""
    ids = list(campaign.deliveries.filter(status=Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    return [(batch[0], batch[-1]) for batch in batched(ids, max(size, 1))]


# --- sending ------------------------------------------------------------------------


@dataclass
class Outcome:
    delivery: Delivery
    message_id: str = ""
    error: str = ""
    retryable: bool = False

    @property
    def ok(self):
        return not self.error


class RateLimit:
    """A provider's rate limit shared by every worker process and host (moving window in Redis)."""

    _limiters: dict = {}

    def __init__(self, spec: str, key: str):
        from limits import parse

        self.item = parse(spec)
        self.key = key

    @property
    def limiter(self):
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        pid = os.getpid()  # one Redis client per process (prefork children must not share one)
        if pid not in self._limiters:
            self._limiters[pid] = MovingWindowRateLimiter(storage_from_string(settings.REDIS_URL))
        return self._limiters[pid]

    def acquire(self, n=1):
        """Block until n more sends are allowed. Taken in parts of at most the limit's
        amount, by one thread per process, so waiting costs few Redis calls."""
        limiter, waited = self.limiter, 0.0
        while n > 0:
            cost = min(n, self.item.amount)
            while not limiter.hit(self.item, "bulk-send", self.key, cost=cost):
                reset = limiter.get_window_stats(self.item, "bulk-send", self.key).reset_time
                pause = min(max(reset - time.time(), 0.001), 0.05) + random.uniform(0, 0.002)
                time.sleep(pause)
                waited += pause
            n -= cost
        sharedstate.add("sms_rate_limit_wait_seconds", waited)  # the metrics endpoint's counter


class SmsSender:
    def __init__(self, campaign, backend=None):
        self.campaign = campaign
        self.backend = backend or get_sms_backend()
        self.supports_idempotency = self.backend.supports_idempotency
        self.width = max(settings.BULK_SEND_CONCURRENCY, 1)
        spec = settings.SMS_RATE_LIMIT.strip()
        self.rate_limit = RateLimit(spec, self.backend.name) if spec else None

    def __enter__(self):
        self.backend.open()
        # The sending threads log with the chunk's job id (config/logs.py).
        self.pool = ThreadPoolExecutor(
            max_workers=self.width, thread_name_prefix="sms", initializer=current_job.set, initargs=(current_job.get(),)
        )
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)
        self.backend.close()

    def _send_one(self, delivery):
        try:
            message = SmsMessage(
                to=delivery.recipient, body=self.campaign.body, idempotency_key=delivery.idempotency_key
            )
            return Outcome(delivery, message_id=self.backend.send(message).message_id)
        except Exception as exc:  # every error is recorded on the row, never lost
            retryable = not getattr(exc, "permanent", False) and not _is_programming_error(exc)
            if not hasattr(exc, "permanent"):
                logger.exception("SMS backend crashed sending delivery %s", delivery.pk)
            return Outcome(delivery, error=str(exc) or type(exc).__name__, retryable=retryable)

    def run(self, ids, stop, *, last_try=False) -> bool:
        """Send the rows of `ids` still queued, keeping `width` sends in flight: rows are
        claimed `width` at a time as room frees up, and outcomes recorded in batches.
        Returns True if it stopped early (job cancelled or finished)."""
        # Rows claimed ahead of a free thread keep the pool busy; a crash leaves them in
        # "sending", which costs a resend when the provider dedupes, else an "outcome unknown".
        window = self.width * (2 if self.supports_idempotency else 1)
        pending, in_flight, done, stopped = deque(ids), set(), [], False
        while in_flight or (pending and not stopped):
            if pending and not stopped and len(in_flight) < window:
                if stop():
                    stopped = True
                    continue
                batch = [pending.popleft() for _ in range(min(self.width, len(pending)))]
                if self.rate_limit:
                    self.rate_limit.acquire(len(batch))  # the provider's limit, shared by every worker
                in_flight.update(self.pool.submit(self._send_one, d) for d in claim(batch))
                continue
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            done.extend(f.result() for f in finished)
            if len(done) >= self.width or not in_flight:
                record(done, last_try=last_try)
                done = []
                stop.progress()
        record(done, last_try=last_try)
        return stopped


def _is_programming_error(exc):
    return isinstance(exc, TypeError | AttributeError | NameError | ValueError)


class EmailSender:
    """Plain text + optional HTML through Django's email backend, one connection per chunk."""

    supports_idempotency = False

    def __init__(self, campaign):
        self.campaign = campaign
        self.claim_size = 10

    def __enter__(self):
        self.connection = get_connection()
        return self

    def __exit__(self, *exc):
        try:
            self.connection.close()
        except Exception:  # a broken connection must not hide the chunk's outcome
            logger.warning("closing the email connection failed", exc_info=True)

    def _message(self, delivery):
        c = self.campaign
        msg = EmailMultiAlternatives(c.subject, c.body, settings.DEFAULT_FROM_EMAIL, [delivery.recipient])
        msg.extra_headers["Message-ID"] = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None)
        if c.html:
            msg.attach_alternative(c.html, "text/html")
        msg.connection = self.connection
        return msg

    def run(self, ids, stop, *, last_try=False) -> bool:
        for batch in batched(ids, self.claim_size):
            if stop():
                return True
            record(self.send_all(claim(batch)), last_try=last_try)
            stop.progress()
        return False

    def send_all(self, deliveries):
        outcomes = []
        for delivery in deliveries:
            msg = self._message(delivery)
            try:
                self.connection.open()  # no-op while open: one connection for the whole chunk
                msg.send()
                outcomes.append(Outcome(delivery, message_id=msg.extra_headers["Message-ID"]))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
                outcomes.append(Outcome(delivery, error=_smtp_error(exc)))
            except smtplib.SMTPResponseException as exc:
                outcomes.append(Outcome(delivery, error=_smtp_error(exc), retryable=400 <= exc.smtp_code < 500))
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                outcomes.append(Outcome(delivery, error=_smtp_error(exc), retryable=True))
                self._reconnect()
        return outcomes

    def _reconnect(self):
        try:
            self.connection.close()
        except Exception:
            pass
        self.connection = get_connection()


def _smtp_error(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"SMTP {code}: {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"SMTP {exc.smtp_code}: {msg}"
    return f"{type(exc).__name__}: {exc}"


def sender_for(campaign, backend=None):
    if campaign.channel == Campaign.Channel.EMAIL:
        return EmailSender(campaign)
    return SmsSender(campaign, backend)


def claim(ids) -> list[Delivery]:
    """queued -> sending for those of `ids` still queued; returns the rows this call owns."""
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(
        status=Status.SENDING, claim=token, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    return list(
        Delivery.objects.filter(claim=token, status=Status.SENDING).only(
            "pk", "recipient", "idempotency_key", "attempts", "claim"
        )
    )


def record(outcomes, *, last_try=False):
    """Write outcomes (at most three UPDATEs), only onto rows the senders still own:
    status "sending" and one of their claim tokens."""
    if not outcomes:
        return
    now = timezone.now()
    max_attempts = settings.BULK_MAX_ATTEMPTS
    sent, retry, failed = [], [], []
    for o in outcomes:
        if o.ok:
            sent.append((o.delivery, o.message_id[:100]))
        elif o.retryable and not last_try and o.delivery.attempts < max_attempts:
            retry.append((o.delivery, o.error[:1000]))
        else:
            error = o.error
            if o.retryable:
                error = _("Gave up after %(n)d attempts: %(error)s") % {"n": o.delivery.attempts, "error": o.error}
            failed.append((o.delivery, error[:1000]))

    def owned(pairs):
        return Delivery.objects.filter(
            pk__in=[d.pk for d, _ in pairs], status=Status.SENDING, claim__in={d.claim for d, _ in pairs}
        )

    def per_row(pairs):
        return Case(*[When(pk=d.pk, then=Value(v)) for d, v in pairs], default=Value(""), output_field=CharField())

    with transaction.atomic():
        if sent:
            owned(sent).update(
                status=Status.SENT, provider_message_id=per_row(sent), error="", sent_at=now, updated_at=now
            )
        if retry:
            owned(retry).update(status=Status.QUEUED, claim="", error=per_row(retry), updated_at=now)
        if failed:
            owned(failed).update(status=Status.FAILED, error=per_row(failed), updated_at=now)


class StopCheck:
    """Should the chunk stop? When the job is cancelled or finished (JobTracker.cancelled(),
    which also heartbeats), or when the chunk's time budget is spent."""

    def __init__(self, job, budget=None, campaign_id=None):
        self.job = job
        self.campaign_id = campaign_id
        self._last_resync = time.monotonic()
        self.out_of_time = False
        self.deadline = None if budget is None else time.monotonic() + budget

    def __call__(self, force=False) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.out_of_time = True
        return self.out_of_time or self.job.cancelled(force)

    def progress(self):
        """After outcomes are recorded: resync the job's counters from the ledger about once
        a second, so a long chunk (slow rate limit) still moves the progress bar."""
        if self.campaign_id and time.monotonic() - self._last_resync >= max(self.job.interval, 1.0):
            resync_counts(self.job, self.campaign_id)
            self._last_resync = time.monotonic()

    def finish(self):
        """Cancel the job if its owner asked (a finished job is left alone)."""
        self.job.mark_cancelled()


@dataclass
class ChunkResult:
    left: int = 0  # rows left queued after transient errors: retry the chunk later
    more: bool = False  # stopped at its time budget: continue in a new task now


def chunk_time_budget() -> float:
    """Seconds a chunk task sends before handing the rest to a fresh task, well inside
    the soft time limit (a slow rate limit must not turn into a time-limit failure)."""
    return min(settings.CELERY_TASK_SOFT_TIME_LIMIT * 0.5, 120)


def send_chunk(job, campaign_id, first_id, last_id, *, last_try=False, backend=None, budget=None) -> ChunkResult:
    """Send the queued deliveries of one id range; reports what is left to do."""
    campaign = Campaign.objects.get(pk=campaign_id)
    rows = Delivery.objects.filter(campaign_id=campaign_id, pk__gte=first_id, pk__lte=last_id)
    ids = list(rows.filter(status=Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    stop = StopCheck(job, budget=chunk_time_budget() if budget is None else budget, campaign_id=campaign_id)
    with sender_for(campaign, backend) as sender:
        stopped = sender.run(ids, stop, last_try=last_try)
    resync_counts(job, campaign_id)
    if stopped and stop.out_of_time:
        return ChunkResult(more=True)
    if stopped:
        stop.finish()
        return ChunkResult()
    return ChunkResult(left=rows.filter(status=Status.QUEUED).count())
