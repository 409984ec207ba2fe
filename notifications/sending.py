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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import BackgroundJob

from .audience import suppressed_among
from .backends import SmsMessage, get_sms_backend
from .models import Campaign, Contact, Delivery
from .text import batched

logger = logging.getLogger(__name__)
Status = Delivery.Status
LEDGER_BATCH = 2000


# --- ledger -------------------------------------------------------------------------


def audience_batches(campaign: Campaign):
    """The campaign's recipients in batches, opted-out and inactive contacts left out."""
    if campaign.tag:
        column = "email" if campaign.channel == Campaign.Channel.EMAIL else "phone"
        values = (
            Contact.objects.audience(campaign.channel, campaign.tag)
            .order_by("pk")
            .values_list(column, flat=True)
            .iterator(chunk_size=LEDGER_BATCH)
        )
        yield from batched(values, LEDGER_BATCH)
        return
    for batch in batched(campaign.recipients, LEDGER_BATCH):
        suppressed = suppressed_among(campaign.channel, batch)
        yield [r for r in batch if r not in suppressed]


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

    def acquire(self):
        """Block until one more send is allowed."""
        limiter = self.limiter
        while not limiter.hit(self.item, "bulk-send", self.key):
            reset = limiter.get_window_stats(self.item, "bulk-send", self.key).reset_time
            time.sleep(min(max(reset - time.time(), 0.001), 0.05) + random.uniform(0, 0.002))


class SmsSender:
    def __init__(self, campaign, backend=None):
        self.campaign = campaign
        self.backend = backend or get_sms_backend()
        self.supports_idempotency = self.backend.supports_idempotency
        self.width = max(settings.BULK_SEND_CONCURRENCY, 1)
        # Idempotent providers can take bigger claims: a crash costs only a resend.
        self.claim_size = self.width * (4 if self.supports_idempotency else 1)
        spec = settings.SMS_RATE_LIMIT.strip()
        self.rate_limit = RateLimit(spec, self.backend.name) if spec else None

    def __enter__(self):
        self.backend.open()
        self.pool = ThreadPoolExecutor(max_workers=self.width, thread_name_prefix="sms")
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)
        self.backend.close()

    def _send_one(self, delivery):
        try:
            if self.rate_limit:
                self.rate_limit.acquire()
            message = SmsMessage(
                to=delivery.recipient, body=self.campaign.body, idempotency_key=delivery.idempotency_key
            )
            return Outcome(delivery, message_id=self.backend.send(message).message_id)
        except Exception as exc:  # every error is recorded on the row, never lost
            retryable = not getattr(exc, "permanent", False) and not _is_programming_error(exc)
            if not hasattr(exc, "permanent"):
                logger.exception("SMS backend crashed sending delivery %s", delivery.pk)
            return Outcome(delivery, error=str(exc) or type(exc).__name__, retryable=retryable)

    def send_all(self, deliveries):
        return list(self.pool.map(self._send_one, deliveries))


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

    def send_all(self, deliveries):
        outcomes = []
        for delivery in deliveries:
            msg = self._message(delivery)
            try:
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
    """Write each outcome, only onto rows this send still owns (status sending, our token)."""
    now = timezone.now()
    max_attempts = settings.BULK_MAX_ATTEMPTS
    with transaction.atomic():
        for o in outcomes:
            d = o.delivery
            owned = Delivery.objects.filter(pk=d.pk, status=Status.SENDING, claim=d.claim)
            if o.ok:
                owned.update(
                    status=Status.SENT, provider_message_id=o.message_id[:100], error="", sent_at=now, updated_at=now
                )
            elif o.retryable and not last_try and d.attempts < max_attempts:
                owned.update(status=Status.QUEUED, claim="", error=o.error[:1000], updated_at=now)
            else:
                error = o.error
                if o.retryable:
                    error = _("Gave up after %(n)d attempts: %(error)s") % {"n": d.attempts, "error": o.error}
                owned.update(status=Status.FAILED, error=error[:1000], updated_at=now)


def send_chunk(job, campaign_id, first_id, last_id, *, last_try=False, backend=None) -> int:
    """Send the queued deliveries of one id range. Returns how many are left queued to
    retry (transient errors); 0 when the range is done or the job was cancelled."""
    campaign = Campaign.objects.get(pk=campaign_id)
    rows = Delivery.objects.filter(campaign_id=campaign_id, pk__gte=first_id, pk__lte=last_id)
    ids = list(rows.filter(status=Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    cancelled = False
    with sender_for(campaign, backend) as sender:
        for batch in batched(ids, sender.claim_size):
            if job.cancelled():
                cancelled = True
                break
            claimed = claim(batch)
            if claimed:
                record(sender.send_all(claimed), last_try=last_try)
    resync_counts(job, campaign_id)
    if cancelled:
        job.mark_cancelled()
        return 0
    return rows.filter(status=Status.QUEUED).count()
